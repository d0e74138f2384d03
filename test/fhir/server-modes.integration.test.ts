/**
 * Every template scenario against every way real FHIR servers behave (the embedded server's test
 * modes, over real HTTP): saved completely and exactly once, with and without faults injected into
 * the traffic; a resubmission creates nothing; a stale amendment writes nothing at all — also on a
 * server that processes transaction entries independently.
 */
import { bypass, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildTransactionBundle, createCodeMapper, type QuestionnaireResponse,
} from '../../src/engine/index.js';
import { createFhirGateway, MemoryStore, Outbox, type KbsGateway } from '../../src/fhir/index.js';
import type { FhirServerOptions, RunningFhirServer } from '../../src/server/fhir-server.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { questionnaire } from '../support/content.js';
import { freshSubmission, writtenFor } from '../support/scenarios.js';
import { startDemoServer } from '../support/server.js';

const MODES: [string, FhirServerOptions][] = [
  ['atomic', { transactions: 'atomic' }],
  ['independent', { transactions: 'independent' }],
  ['none', { transactions: 'none' }],
  ['max-entries-8', { maxTransactionEntries: 8 }],
  ['server-ids-only', { serverIdsOnly: true }],
  ['require-token', { requireToken: 'secret-token' }],
];


/** What one submission should leave on the server: one of each resource its bundle holds. */
function expectedFor(q: fhir4.Questionnaire, response: QuestionnaireResponse): Record<string, number> {
  let n = 0;
  const { bundle } = buildTransactionBundle({ questionnaire: q, response, mapCode: createCodeMapper([]), product: { name: 'kbs', version: '0' }, newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
  return (bundle.entry ?? []).reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.resource!.resourceType]: (acc[e.resource!.resourceType] ?? 0) + 1 }), {});
}


/** Faults on a fixed rhythm over every request: 500, a connection dropped after the server did the work, a connection dropped before. */
let faulty = false;
let request = 0;
const RHYTHM = ['500', 'drop-after', 'ok', 'drop-before', 'ok', '503', 'ok', 'drop-after', 'ok'] as const;
const mock = setupServer(
  http.all(/^http:\/\/127\.0\.0\.1:\d+\/fhir\//, async ({ request: req }) => {
    if (!faulty) return fetch(bypass(req));
    const fault = RHYTHM[request++ % RHYTHM.length];
    if (fault === '500') return HttpResponse.json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] }, { status: 500 });
    if (fault === '503') return new HttpResponse('busy', { status: 503 });
    if (fault === 'drop-before') return HttpResponse.error();
    if (fault === 'drop-after') {
      await fetch(bypass(req));
      return HttpResponse.error();
    }
    return fetch(bypass(req));
  }),
);
beforeAll(() => mock.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mock.close());

describe.each(MODES)('a server in mode %s', (_mode, options) => {
  let server: RunningFhirServer;
  let gateway: KbsGateway;
  beforeAll(async () => {
    server = await startDemoServer(undefined, options);
    gateway = createFhirGateway({
      baseUrl: server.baseUrl, token: options.requireToken, outbox: new Outbox(new MemoryStore()), autoResend: false, timeoutMs: 5000,
      retry: { attempts: 8, baseDelayMs: 1, maxDelayMs: 2, sleep: async () => undefined, random: () => 0.5 },
    });
  });
  afterAll(() => server.close());

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: saved completely and exactly once, with and without faults', async (name) => {
    for (const withFaults of [false, true]) {
      const { response, q } = freshSubmission(name);
      faulty = withFaults;
      request = 0;
      const result = await gateway.submit({ questionnaire: q, response });
      faulty = false;
      if (withFaults) expect(request, 'faults were injected').toBeGreaterThan(1);
      expect(result.state, `${withFaults ? 'with' : 'without'} faults: ${result.message} ${result.detail ?? ''}`).toBe('saved');
      expect(await writtenFor(server, response)).toEqual(expectedFor(q, response));
      // Sent again (a second click, a resend from another tab): nothing new.
      expect((await gateway.submit({ questionnaire: q, response })).state).toBe('saved');
      expect(await writtenFor(server, response)).toEqual(expectedFor(q, response));
      expect(await gateway.pending()).toEqual([]);
    }
  });

  test('follow-ups: completing closes the open one; not completing again keeps exactly one open', async () => {
    const url = questionnaire('domestic-abuse-enquiry').url!;
    const mother = { reference: 'Patient/demo-mother' };
    const open = async () => (await gateway.enquiryRecord(mother, url)).followUps;
    for (const existing of await open()) await server.request('DELETE', `/Task/${existing.id}`);
    const first = freshSubmission('not-asked-partner-present');
    expect((await gateway.submit({ questionnaire: first.q, response: first.response })).state).toBe('saved');
    expect(await open()).toHaveLength(1);
    // Not completed again, with faults: the same Task, updated.
    const again = freshSubmission('not-asked-partner-present');
    faulty = true;
    request = 0;
    const repeated = await gateway.submit({ questionnaire: again.q, response: again.response, followUps: await open() });
    faulty = false;
    expect(repeated.state, repeated.detail).toBe('saved');
    const stillOpen = await open();
    expect(stillOpen).toHaveLength(1);
    expect(stillOpen[0]!.task.focus?.reference).toMatch(/^QuestionnaireResponse\//);
    // Someone else touches the follow-up meanwhile (a newer version than the form read)…
    const [, current] = await server.request('GET', `/Task/${stillOpen[0]!.id}`);
    await server.request('PUT', `/Task/${stillOpen[0]!.id}`, { ...(current as fhir4.Task), note: [...((current as fhir4.Task).note ?? []), { text: 'Phoned, no answer.' }] });
    // …and the completed enquiry still closes it, on the version it finds: the record is never refused for it.
    const done = freshSubmission('completed-no-disclosure');
    expect((await gateway.submit({ questionnaire: done.q, response: done.response, followUps: stillOpen })).state).toBe('saved');
    expect(await open()).toEqual([]);
    const [, closed] = await server.request('GET', `/Task/${stillOpen[0]!.id}`);
    expect((closed as fhir4.Task).status).toBe('completed');
    const [, qr] = await server.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${done.response.identifier!.value}`)}`);
    expect((closed as fhir4.Task).output?.[0]?.valueReference?.reference).toBe(`QuestionnaireResponse/${((qr as fhir4.Bundle).entry![0]!.resource as fhir4.Resource).id}`);
  });

  test('a stale amendment writes nothing at all', async () => {
    const { response, q } = freshSubmission('smoking-yes');
    expect((await gateway.submit({ questionnaire: q, response })).state).toBe('saved');
    const [, found] = await server.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${response.identifier!.value}`)}`);
    const stored = (found as fhir4.Bundle).entry![0]!.resource as QuestionnaireResponse;
    const smokingNo = (r: QuestionnaireResponse): QuestionnaireResponse => JSON.parse(JSON.stringify(r).replace('"valueBoolean":true', '"valueBoolean":false'));
    // Someone else amends first…
    const first = await gateway.submit({ questionnaire: q, response: { ...smokingNo(stored), status: 'amended', authored: '2026-11-23T12:00:00Z' } });
    expect(first.state).toBe('saved');
    const before = JSON.stringify(((await server.repo.allResources()) as fhir4.Resource[]).filter((r) => JSON.stringify(r).includes(response.identifier!.value!.slice(9))).map((r) => [r.resourceType, r.id, r.meta?.versionId]).sort());
    // …then an amendment made on the old version arrives.
    const stale = await gateway.submit({ questionnaire: q, response: { ...stored, status: 'amended', authored: '2026-11-23T13:00:00Z' } });
    expect(stale.state).toBe('rejected');
    expect(stale.message).toMatch(/Someone else changed this record/);
    const after = JSON.stringify(((await server.repo.allResources()) as fhir4.Resource[]).filter((r) => JSON.stringify(r).includes(response.identifier!.value!.slice(9))).map((r) => [r.resourceType, r.id, r.meta?.versionId]).sort());
    expect(after).toBe(before);
  });
});
