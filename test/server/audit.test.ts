/**
 * `kbs audit` over real HTTP: records filed through the gateway to the embedded server, then the
 * CLI's measures compared with the same measures counted by hand in this test; the same records as
 * NDJSON files give the same result.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createFhirGateway, MemoryStore, Outbox } from '../../src/fhir/index.js';
import type { RunningFhirServer } from '../../src/server/fhir-server.js';
import type { AuditResult } from '../../src/engine/index.js';
import { ROOT } from '../support/content.js';
import { freshSubmission } from '../support/scenarios.js';
import { startDemoServer } from '../support/server.js';

const run = promisify(execFile);
let server: RunningFhirServer;
let dir: string;

// What is filed: name of scenario and day.
const FILED: [string, string][] = [
  ['all-messages-given', '2026-03-02'], ['all-messages-given', '2026-03-09'], ['crying-advice-not-given', '2026-04-01'],
  ['smoking-yes', '2026-03-05'], ['all-no', '2026-04-06'],
  ['completed-no-disclosure', '2026-03-10'], ['not-asked-partner-present', '2026-03-11'],
  ['all-messages-given', '2025-12-31'], // outside the period
];

beforeAll(async () => {
  server = await startDemoServer();
  dir = mkdtempSync(join(tmpdir(), 'kbs-audit-'));
  const gateway = createFhirGateway({ baseUrl: server.baseUrl, outbox: new Outbox(new MemoryStore()), autoResend: false });
  for (const [name, day] of FILED) {
    const { response, q } = freshSubmission(name);
    const result = await gateway.submit({ questionnaire: q, response: { ...response, authored: `${day}T10:00:00Z` } });
    expect(result.state).toBe('saved');
  }
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, [join(ROOT, 'dist/esm/server/cli.js'), 'audit', ...args, '--from', '2026-01-01', '--to', '2026-12-31', '--as-of', '2026-11-23', '--format', 'json'])).stdout) as AuditResult;

test('kbs audit --server: the measures counted by hand', async () => {
  const result = await cli('--server', server.baseUrl);
  // 8-week: 3 checks in the period; 2 with all three messages; the crying advice given in 2 of 3.
  expect(result.overall.eightWeek.checks).toBe(3);
  expect(result.overall.eightWeek.allThreeMessages).toEqual({ numerator: 2, denominator: 3, percent: 66.7 });
  expect(result.overall.eightWeek.eachMessage['kbs/crying/advice-shaking-babies'].numerator).toBe(2);
  // Bed-sharing: 2 assessments, 1 advised not to bed-share (smoking).
  expect(result.overall.bedSharing.assessments).toBe(2);
  expect(result.overall.bedSharing.advisedNotToBedShare).toEqual({ numerator: 1, denominator: 2, percent: 50 });
  expect(result.overall.bedSharing.riskAnsweredYes.smoking.numerator).toBe(1);
  // Routine enquiry: 2 enquiries and 1 follow-up — all fewer than 5, so suppressed.
  expect(result.overall.enquiry.enquiries).toBe('< 5');
  expect(result.overall.enquiry.followUpsOpened).toBe('< 5');
  // (November: the demo's seeded overdue follow-up.)
  expect(Object.keys(result.byMonth)).toEqual(['2026-03', '2026-04', '2026-11']);
  expect(result.byMonth['2026-03']!.eightWeek.checks).toBe(2);
  // Nothing that names anyone.
  expect(JSON.stringify(result)).not.toMatch(/demo-mother|9990000026|Partner present|Grace/);
});

test('kbs audit --ndjson: the same records from files give the same measures', async () => {
  const all = (await server.repo.allResources()) as fhir4.Resource[];
  writeFileSync(join(dir, 'QuestionnaireResponse.ndjson'), all.filter((r) => r.resourceType === 'QuestionnaireResponse').map((r) => JSON.stringify(r)).join('\n'));
  writeFileSync(join(dir, 'Task.ndjson'), all.filter((r) => r.resourceType === 'Task').map((r) => JSON.stringify(r)).join('\n'));
  expect(await cli('--ndjson', dir)).toEqual(await cli('--server', server.baseUrl));
});

test('markdown and CSV carry the same figures', async () => {
  const { stdout: csv } = await run(process.execPath, [join(ROOT, 'dist/esm/server/cli.js'), 'audit', '--server', server.baseUrl, '--from', '2026-01-01', '--to', '2026-12-31', '--format', 'csv']);
  expect(csv.split('\n')[0]).toBe('section,measure,group,value,numerator,denominator');
  expect(csv).toContain('8-week check,allThreeMessages,overall,66.7%,2,3');
  const { stdout: md } = await run(process.execPath, [join(ROOT, 'dist/esm/server/cli.js'), 'audit', '--server', server.baseUrl, '--from', '2026-01-01', '--to', '2026-12-31']);
  expect(md).toContain('| 8-week check | allThreeMessages | overall | 66.7% | 2 | 3 |');
});
