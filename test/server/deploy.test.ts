/**
 * `kbs deploy` against the embedded server in each of its modes, over real HTTP and a real process:
 * everything stored by conditional update on url|version, every entry's status checked, refusals
 * named with exit 1, and a second run that writes nothing (no new versions).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { startFhirServer, type FhirServerOptions, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { seedDemo } from '../../src/server/seed.js';
import { readContent } from '../../src/server/content.js';
import { ROOT } from '../support/content.js';
import { everything } from '../support/server.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/esm/server/cli.js');
const kbs = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, KBS_TOKEN: '' } }).then(
  (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
);

const CONTENT = readContent().map((c) => c.resource);
const CANONICAL = new Set(['Questionnaire', 'ValueSet', 'CodeSystem', 'ConceptMap']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** url|version → versionId of what the server holds, and how many of each there are. */
async function held(server: RunningFhirServer): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const r of (await everything(server)) as (fhir4.Questionnaire & fhir4.Resource)[]) {
    if (!CANONICAL.has(r.resourceType)) continue;
    const key = `${r.resourceType} ${r.url}|${r.version}`;
    out.set(key, [...(out.get(key) ?? []), `${r.id}@${r.meta?.versionId}`]);
  }
  return out;
}

let server: RunningFhirServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const start = async (options: FhirServerOptions) => (server = await startFhirServer(options));

describe('kbs deploy', () => {
  test('against --server-ids-only: stores everything with server ids, exit 0; a second run changes nothing', async () => {
    const s = await start({ serverIdsOnly: true });
    const first = await kbs('deploy', '--server', s.baseUrl);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/Deployed 14 resources .*: 14 created, 0 updated, 0 unchanged, 0 refused \(by transaction/);
    const after = await held(s);
    expect(after.size).toBe(CONTENT.length);
    for (const [key, copies] of after) {
      expect(copies, key).toHaveLength(1);
      expect(copies[0]!.split('@')[0], key).toMatch(UUID);
    }
    const second = await kbs('deploy', '--server', s.baseUrl);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/0 created, 0 updated, 14 unchanged, 0 refused \(nothing to write, 14 requests\)/);
    expect(await held(s)).toEqual(after); // same ids, same versions
  });

  test('over content already present (seeded by id) it finds it by url|version and writes nothing', async () => {
    const s = await start({ seed: seedDemo });
    const before = await held(s);
    const result = await kbs('deploy', '--server', s.baseUrl);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/14 unchanged/);
    expect(await held(s)).toEqual(before);
  });

  test.each([
    ['atomic', { transactions: 'atomic' }],
    ['independent', { transactions: 'independent' }],
  ] as const)('a server that refuses one entry (%s): exit 1 naming it, the rest stored', async (_name, mode) => {
    const s = await start({ ...mode, resourceTypes: ['Questionnaire', 'ValueSet', 'CodeSystem'] });
    const result = await kbs('deploy', '--server', s.baseUrl);
    expect(result.code).toBe(1);
    const conceptMap = CONTENT.find((r) => r.resourceType === 'ConceptMap')!;
    expect(result.err).toContain(`Refused:\n  ConceptMap ${conceptMap.url}|${conceptMap.version}: HTTP 400: This server does not store ConceptMap resources.`);
    expect(result.err).toMatch(/13 created, 0 updated, 0 unchanged, 1 refused/);
    expect((await held(s)).size).toBe(CONTENT.length - 1);
    // Once the type is accepted, a second run completes it and leaves the others alone.
    s.repo.resourceTypes = undefined;
    const again = await kbs('deploy', '--server', s.baseUrl);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/1 created, 0 updated, 13 unchanged/);
  });

  test.each([
    ['no transactions', { transactions: 'none' }, /one request each/],
    ['at most 8 entries', { maxTransactionEntries: 8 }, /by transaction/],
    ['independent', { transactions: 'independent' }, /by transaction/],
  ] as const)('deploys everything to a server with %s', async (_name, mode, how) => {
    const s = await start(mode);
    const result = await kbs('deploy', '--server', s.baseUrl);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/14 created/);
    expect(result.out).toMatch(how);
    const stored = await held(s);
    expect(stored.size).toBe(CONTENT.length);
    expect([...stored.values()].every((copies) => copies.length === 1)).toBe(true);
  });

  test('a changed resource is updated in place; the others keep their versions', async () => {
    const s = await start({});
    expect((await kbs('deploy', '--server', s.baseUrl)).code).toBe(0);
    const before = await held(s);
    const q = CONTENT.find((r) => r.resourceType === 'Questionnaire')!;
    const [, found] = await s.request('GET', `/Questionnaire?url=${encodeURIComponent(q.url!)}&version=${encodeURIComponent(q.version!)}`);
    const stored = (found as fhir4.Bundle).entry![0]!.resource as fhir4.Questionnaire;
    await s.request('PUT', `/Questionnaire/${stored.id}`, { ...stored, title: 'Edited on the server' });
    const result = await kbs('deploy', '--server', s.baseUrl);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/0 created, 1 updated, 13 unchanged/);
    const after = await held(s);
    const key = `Questionnaire ${q.url}|${q.version}`;
    expect(after.get(key)![0]!.split('@')[0]).toBe(stored.id);
    for (const [k, v] of before) if (k !== key) expect(after.get(k), k).toEqual(v);
  });

  test('a server that needs a token: sent with --token; without it, exit 1 and nothing written', async () => {
    const s = await start({ requireToken: 'deploy-token' });
    const refused = await kbs('deploy', '--server', s.baseUrl);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Not deployed: The record system did not accept the token/);
    expect((await held(s)).size).toBe(0);
    const ok = await kbs('deploy', '--server', s.baseUrl, '--token', 'deploy-token');
    expect(ok.code, ok.err).toBe(0);
    expect((await held(s)).size).toBe(CONTENT.length);
  });
});
