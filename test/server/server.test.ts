/** The embedded server and the kbs CLI, over real HTTP and real processes. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STRICT_CSP, startFhirServer, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { ROOT } from '../support/content.js';
import { count, everything, startDemoServer } from '../support/server.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/esm/server/cli.js');
const kbs = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT }).then(
  (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
);

describe('embedded FHIR server', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startDemoServer();
  });
  afterAll(() => server.close());

  test('answers /fhir/metadata with an R4 CapabilityStatement', async () => {
    const response = await fetch(`${server.baseUrl}/metadata`);
    const body = (await response.json()) as fhir4.CapabilityStatement;
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
    expect(body.rest?.[0]?.interaction?.map((i) => i.code)).toContain('transaction');
  });

  test('is seeded with the demo people and the product content', async () => {
    expect(await count(server, 'Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018')).toBe(1);
    expect(await count(server, 'RelatedPerson?patient=Patient/demo-baby')).toBe(1);
    expect(await count(server, 'Practitioner')).toBe(3);
    expect(await count(server, 'Questionnaire')).toBe(3);
    expect(await count(server, 'ValueSet')).toBe(9);
  });

  test('validates every write and answers with an OperationOutcome', async () => {
    const response = await fetch(`${server.baseUrl}/Observation`, {
      method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Observation', status: 'final' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', expression: ['Observation.code'] }] });
  });

  test('a transaction is all or nothing', async () => {
    const before = (await everything(server)).length;
    const response = await fetch(`${server.baseUrl}/`, {
      method: 'POST', headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'fine' } }, request: { method: 'POST', url: 'Observation' } },
        { resource: { resourceType: 'Observation', status: 'not-a-status', code: { text: 'bad' } }, request: { method: 'POST', url: 'Observation' } },
      ] }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await everything(server)).length).toBe(before);
  });

  test('a body that is not JSON is a 400, not a crash', async () => {
    const response = await fetch(`${server.baseUrl}/Patient`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as fhir4.OperationOutcome).issue[0]?.details?.text).toMatch(/not valid JSON/);
  });

  test('serves pages with a strict Content-Security-Policy and refuses paths outside its folder', async () => {
    const withStatic = await startFhirServer({ staticDir: join(ROOT, 'dist') });
    try {
      const page = await fetch(`${withStatic.url}/`);
      expect(page.headers.get('content-security-policy')).toBe(STRICT_CSP);
      expect(STRICT_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect((await fetch(`${withStatic.url}/..%2f..%2fpackage.json`)).status).toBeGreaterThanOrEqual(400);
    } finally {
      await withStatic.close();
    }
  });
});

describe('persistence', () => {
  test('a restart keeps the records', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kbs-data-'));
    const first = await startDemoServer(dataDir);
    const created = await fetch(`${first.baseUrl}/Observation`, {
      method: 'POST', headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'kept' }, subject: { reference: 'Patient/demo-baby' } }),
    });
    const { id } = (await created.json()) as fhir4.Observation;
    await first.close();
    const second = await startDemoServer(dataDir);
    try {
      const read = await fetch(`${second.baseUrl}/Observation/${id}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as fhir4.Observation).code.text).toBe('kept');
      expect(await count(second, 'Patient')).toBe(2); // seeding again added nothing
    } finally {
      await second.close();
    }
  });
});

describe('kbs CLI', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({});
  });
  afterAll(() => server.close());

  test('deploy twice leaves the same resources (no duplicates)', async () => {
    const first = await kbs('deploy', '--server', server.baseUrl);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/Deployed 14 resources/);
    const snapshot = (await everything(server)).map((r) => `${r.resourceType}/${r.id}`).sort();
    const second = await kbs('deploy', '--server', server.baseUrl);
    expect(second.code).toBe(0);
    expect((await everything(server)).map((r) => `${r.resourceType}/${r.id}`).sort()).toEqual(snapshot);
    expect(snapshot).toHaveLength(14);
  });

  test('deploy to a server that is not there fails clearly with a non-zero exit', async () => {
    const result = await kbs('deploy', '--server', 'http://127.0.0.1:9/fhir');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/Not deployed: Could not reach the record system/);
  });

  test('usage errors exit 2', async () => {
    expect((await kbs('deploy')).code).toBe(2);
    expect((await kbs('frobnicate')).code).toBe(2);
  });

  test('`kbs <command> --help` prints the usage, exit 0 (not an unknown-option error)', async () => {
    for (const command of ['serve', 'deploy', 'audit']) {
      const result = await kbs(command, '--help');
      expect(result.code, command).toBe(0);
      expect(result.out).toContain('kbs serve [');
      expect(result.out).toContain('kbs audit (--server URL');
    }
  });

  test('validate passes the product content and fails a broken file', async () => {
    const ok = await kbs('validate');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/14 valid, 0 with problems/);
    const dir = mkdtempSync(join(tmpdir(), 'kbs-bad-'));
    const bad = join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, JSON.stringify({ resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'g', type: 'group' }] }));
    const failed = await kbs('validate', bad);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('group "g" has no items');
  });

  test('terminology-report prints the mapped and unmapped table', async () => {
    const result = await kbs('terminology-report');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/mapped to SNOMED CT: 2; unmapped: 63/);
    expect(result.out).toContain('879911000000102     Victim of domestic abuse');
  });
});
