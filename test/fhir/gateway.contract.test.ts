/**
 * Fault injection with msw in front of the real embedded server: each request is either answered
 * with a fault, or forwarded (msw `bypass`) to the server and then possibly cut off after the server
 * committed. After recovery there must be exactly one response and one set of extracted resources,
 * and the status the clinician was told must match what happened.
 */
import { bypass, delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createFhirGateway, MemoryStore, Outbox, type SaveStatus } from '../../src/fhir/index.js';
import type { RunningFhirServer } from '../../src/server/fhir-server.js';
import { freshSubmission, writtenFor } from '../support/scenarios.js';
import { useDemoServerBehindMsw } from '../support/server.js';

type Fault = 'ok' | '500' | '503' | '429' | 'timeout' | 'drop-before' | 'drop-after' | '422' | '412';

let server: RunningFhirServer;
let faults: Fault[] = [];
let sent = 0;
const mock = setupServer();

useDemoServerBehindMsw(mock, (started) => (server = started));
beforeEach(() => {
  faults = [];
  sent = 0;
  mock.use(
    http.post(`${server.baseUrl}`, async ({ request }) => {
      sent++;
      const fault = faults.shift() ?? 'ok';
      const outcome = (text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text } }] });
      switch (fault) {
        case '500': return HttpResponse.json(outcome('Internal error'), { status: 500 });
        case '503': return new HttpResponse('Service Unavailable', { status: 503 });
        case '429': return HttpResponse.json(outcome('Too many requests'), { status: 429, headers: { 'Retry-After': '2' } });
        case '422': return HttpResponse.json(outcome('Observation.subject: patient is not registered here'), { status: 422 });
        case '412': return HttpResponse.json(outcome('Version conflict'), { status: 412 });
        case 'drop-before': return HttpResponse.error();
        case 'timeout': await delay(3500); return HttpResponse.error();
        case 'drop-after': {
          await fetch(bypass(request));
          return HttpResponse.error();
        }
        default: return fetch(bypass(request));
      }
    }),
  );
});
afterEach(() => mock.resetHandlers());


/** How many resources on the server came from this response (the response itself included). */

function gatewayWith(store = new MemoryStore()) {
  const delays: number[] = [];
  const gateway = createFhirGateway({
    baseUrl: server.baseUrl,
    timeoutMs: 3000,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 4, sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
    outbox: new Outbox(store),
  });
  return { gateway, delays, store };
}

const expected = { QuestionnaireResponse: 1, Observation: 10, Provenance: 1 };

describe('recovers from transient faults with exactly one record', () => {
  test.each<[string, Fault[], string[]]>([
    ['500 then success', ['500'], ['saving', 'retrying', 'saved']],
    ['503 twice then success', ['503', '503'], ['saving', 'retrying', 'retrying', 'saved']],
    ['429 with Retry-After', ['429'], ['saving', 'retrying', 'saved']],
    ['timeout', ['timeout'], ['saving', 'retrying', 'saved']],
    ['connection dropped before the server committed', ['drop-before'], ['saving', 'retrying', 'saved']],
    ['connection dropped after the server committed', ['drop-after'], ['saving', 'retrying', 'saved']],
    ['dropped after commit, then 500, then dropped before', ['drop-after', '500', 'drop-before'], ['saving', 'retrying', 'retrying', 'retrying', 'saved']],
  ])('%s', async (_name, injected, statuses) => {
    const { gateway, delays } = gatewayWith();
    const { response, q } = freshSubmission('smoking-yes');
    faults = [...injected];
    const told: SaveStatus['state'][] = [];
    const result = await gateway.submit({ questionnaire: q, response, onStatus: (s) => told.push(s.state) });
    expect(result.state).toBe('saved');
    expect(told).toEqual(statuses);
    expect(await writtenFor(server, response)).toEqual(expected);
    expect(await gateway.pending()).toEqual([]);
    if (injected[0] === '429') expect(delays).toEqual([2000]);
  });
});

describe('refusals are told truthfully and never retried blindly', () => {
  test.each<[Fault, RegExp]>([
    ['422', /The record system refused this record: Observation.subject: patient is not registered here/],
    ['412', /Someone else changed this record/],
  ])('%s', async (fault, message) => {
    const { gateway } = gatewayWith();
    const { response, q } = freshSubmission('all-messages-given');
    faults = [fault];
    const result = await gateway.submit({ questionnaire: q, response });
    expect(result.state).toBe('rejected');
    expect(result.message).toMatch(message);
    expect(result.detail).toContain(`HTTP ${fault}`);
    expect(sent).toBe(1);
    expect(await writtenFor(server, response)).toEqual({});
  });
});

describe('the outbox', () => {
  test('keeps a submission the server never got, encrypted, across a reload; sends it once when the server is back', async () => {
    const store = new MemoryStore();
    const first = gatewayWith(store);
    const { response, q } = freshSubmission('not-asked-partner-present');
    faults = ['503', '503', 'drop-before', '500'];
    const result = await first.gateway.submit({ questionnaire: q, response });
    expect(result.state).toBe('queued');
    expect(result.message).toMatch(/^Not saved yet: .* kept encrypted on this device/);
    expect(await writtenFor(server, response)).toEqual({});
    // Nothing readable at rest: not the reason, not the mother's reference.
    const atRest = JSON.stringify([...store.data.values()].map((v) => (v as { data?: ArrayBuffer }).data ? Buffer.from((v as { data: ArrayBuffer }).data).toString('latin1') : v));
    expect(atRest).not.toContain('Partner present');
    expect(atRest).not.toContain('demo-mother');

    // A reload: a new gateway over the same storage finds and sends it.
    const reloaded = gatewayWith(store);
    expect((await reloaded.gateway.pending()).map((e) => e.label)).toEqual(['Routine enquiry (restricted)']);
    const [flushed] = await reloaded.gateway.flushOutbox();
    expect(flushed!.state).toBe('saved');
    expect(await writtenFor(server, response)).toEqual({ QuestionnaireResponse: 1, Observation: 3, Task: 1, Provenance: 1 });
    expect(await reloaded.gateway.pending()).toEqual([]);
    // And flushing again sends nothing.
    expect(await reloaded.gateway.flushOutbox()).toEqual([]);
  });

  test('a submission that committed but was never confirmed is not doubled by the outbox', async () => {
    const store = new MemoryStore();
    const { gateway } = gatewayWith(store);
    const { response, q } = freshSubmission('current-abuse-disclosed');
    faults = ['drop-after', 'drop-before', 'drop-before', 'drop-before'];
    expect((await gateway.submit({ questionnaire: q, response })).state).toBe('queued');
    expect((await gateway.flushOutbox())[0]!.state).toBe('saved');
    expect(await writtenFor(server, response)).toEqual({ QuestionnaireResponse: 1, Observation: 8, Provenance: 1 });
  });
});
