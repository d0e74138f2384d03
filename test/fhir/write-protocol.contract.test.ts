/**
 * The write protocol against replies real servers and proxies give (msw in front of the real
 * embedded server): a 200 that confirms nothing, HTML after a commit, a refused sign-in, a server
 * that refuses transactions. Never "Saved" unless every part is confirmed on the server; never a
 * duplicate; a refused sign-in keeps the record until a new token arrives.
 */
import { bypass, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createFhirGateway, MemoryStore, Outbox, type SaveStatus } from '../../src/fhir/index.js';
import type { RunningFhirServer } from '../../src/server/fhir-server.js';
import { freshSubmission, writtenFor } from '../support/scenarios.js';
import { useDemoServerBehindMsw } from '../support/server.js';

type Reply = 'ok' | 'empty-bundle' | 'empty-bundle-after-commit' | 'not-a-bundle' | 'html-after-commit' | '401' | 'no-transactions' | 'too-many-entries';

let server: RunningFhirServer;
let replies: Reply[] = [];
let persistent: Reply | undefined;
let transactionsPosted = 0;
let authorizations: string[] = [];
const mock = setupServer();

useDemoServerBehindMsw(mock, (started) => (server = started));
beforeEach(() => {
  replies = [];
  persistent = undefined;
  transactionsPosted = 0;
  authorizations = [];
  mock.use(
    http.post(`${server.baseUrl}/`, async ({ request }) => {
      transactionsPosted++;
      authorizations.push(request.headers.get('authorization') ?? 'none');
      const reply = replies.shift() ?? persistent ?? 'ok';
      const outcome = (text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', details: { text } }] });
      switch (reply) {
        case '401': return HttpResponse.json(outcome('Unauthorized'), { status: 401 });
        case 'empty-bundle': return HttpResponse.json({ resourceType: 'Bundle', type: 'transaction-response', entry: [] });
        case 'empty-bundle-after-commit': await fetch(bypass(request)); return HttpResponse.json({ resourceType: 'Bundle', type: 'transaction-response' });
        case 'not-a-bundle': return HttpResponse.json({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] });
        case 'html-after-commit': await fetch(bypass(request)); return new HttpResponse('<html><body>Gateway says OK</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });
        case 'no-transactions': return HttpResponse.json(outcome('Transactions are not supported by this server'), { status: 501 });
        case 'too-many-entries': return HttpResponse.json(outcome('Too many entries in the transaction: the maximum is 8'), { status: 400 });
        default: return fetch(bypass(request));
      }
    }),
    http.all(`${server.baseUrl}/*`, async ({ request }) => {
      authorizations.push(request.headers.get('authorization') ?? 'none');
      if (persistent === '401' || replies[0] === '401') {
        if (replies[0] === '401') replies.shift();
        return HttpResponse.json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', details: { text: 'Unauthorized' } }] }, { status: 401 });
      }
      return fetch(bypass(request));
    }),
  );
});
afterEach(() => mock.resetHandlers());



function gatewayWith(options: { token?: string | (() => string | undefined); store?: MemoryStore } = {}) {
  return createFhirGateway({
    baseUrl: server.baseUrl,
    timeoutMs: 3000,
    token: options.token,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, sleep: async () => undefined, random: () => 0.5 },
    outbox: new Outbox(options.store ?? new MemoryStore()),
    autoResend: false,
  });
}

const ALL = { QuestionnaireResponse: 1, Observation: 10, Provenance: 1 };

describe('a 2xx that confirms nothing is never "Saved" unless the record is on the server', () => {
  test.each<[string, Reply[], Reply | undefined, 'saved' | 'queued', Record<string, number>]>([
    ['empty Bundle (nothing stored), then a real reply', ['empty-bundle'], undefined, 'saved', ALL],
    ['empty Bundle after the server committed', ['empty-bundle-after-commit'], undefined, 'saved', ALL],
    ['a resource that is not a Bundle, then a real reply', ['not-a-bundle'], undefined, 'saved', ALL],
    ['HTML after the server committed', ['html-after-commit'], undefined, 'saved', ALL],
    ['HTML after commit, every time: confirmed by reading back', [], 'html-after-commit', 'saved', ALL],
    ['an empty Bundle every time, nothing stored: kept, not "Saved"', [], 'empty-bundle', 'queued', {}],
  ])('%s', async (_name, sequence, always, state, expected) => {
    const gateway = gatewayWith();
    const { response, q } = freshSubmission('smoking-yes');
    replies = [...sequence];
    persistent = always;
    const told: SaveStatus['state'][] = [];
    const result = await gateway.submit({ questionnaire: q, response, onStatus: (s) => told.push(s.state) });
    expect(result.state).toBe(state);
    expect(told).not.toContain('rejected');
    if (state === 'queued') {
      expect(result.message).toMatch(/^Not saved yet/);
      expect(told).not.toContain('saved');
      expect(await gateway.pending()).toHaveLength(1);
    } else {
      expect(await gateway.pending()).toEqual([]);
    }
    expect(await writtenFor(server, response)).toEqual(expected);
  });
});

describe('a refused sign-in keeps the record; a new token sends it', () => {
  test('401 → kept and told to sign in; the token changed afterwards is the one sent; saved once', async () => {
    let token = 'expired';
    const store = new MemoryStore();
    const gateway = gatewayWith({ token: () => token, store });
    const { response, q } = freshSubmission('not-asked-partner-present');
    persistent = '401';
    const result = await gateway.submit({ questionnaire: q, response });
    expect(result.state).toBe('queued');
    expect(result.needsSignIn).toBe(true);
    expect(result.message).toMatch(/did not accept your sign-in. Sign in again: your answers are kept encrypted on this device/);
    expect(await gateway.pending()).toHaveLength(1);
    expect(await writtenFor(server, response)).toEqual({});
    persistent = undefined;
    token = 'fresh';
    authorizations = [];
    const [sent] = await gateway.flushOutbox();
    expect(sent!.state).toBe('saved');
    expect(new Set(authorizations)).toEqual(new Set(['Bearer fresh']));
    expect(await writtenFor(server, response)).toEqual({ QuestionnaireResponse: 1, Observation: 3, Task: 1, Provenance: 1 });
    expect(await gateway.pending()).toEqual([]);
  });
});

describe('a server that refuses transactions gets the same record one part at a time', () => {
  test.each<[string, Reply]>([
    ['no transactions (501)', 'no-transactions'],
    ['too many entries (400)', 'too-many-entries'],
  ])('%s: saved completely, once; later submissions go one by one straight away', async (_name, refusal) => {
    const gateway = gatewayWith();
    persistent = refusal;
    for (const name of ['smoking-yes', 'not-asked-partner-present']) {
      const { response, q } = freshSubmission(name);
      const result = await gateway.submit({ questionnaire: q, response });
      expect(result.state).toBe('saved');
      expect(result.locations!.every((l) => /^[A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(l))).toBe(true);
      const counts = await writtenFor(server, response);
      expect(counts).toEqual(name === 'smoking-yes' ? ALL : { QuestionnaireResponse: 1, Observation: 3, Task: 1, Provenance: 1 });
      // Each part refers to the server's id of the response, not to a urn:uuid.
      const all = (await server.repo.allResources()) as fhir4.Resource[];
      const uuid = response.identifier!.value!.slice('urn:uuid:'.length);
      const stored = all.filter((r) => JSON.stringify(r).includes(uuid));
      const qr = stored.find((r) => r.resourceType === 'QuestionnaireResponse')!;
      for (const o of stored.filter((r) => r.resourceType === 'Observation') as fhir4.Observation[]) expect(o.derivedFrom).toEqual([{ reference: `QuestionnaireResponse/${qr.id}` }]);
      const urns = JSON.stringify(stored).match(/urn:uuid:[0-9a-f-]+/g) ?? [];
      expect(urns.filter((u) => u !== response.identifier!.value)).toEqual([]);
    }
    expect(transactionsPosted).toBe(1); // the refusal is remembered
  });
});
