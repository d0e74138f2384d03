/**
 * The embedded server's test modes over real HTTP: one table of modes, the same behaviours asked of
 * each (metadata, sign-in, a transaction with a bad entry, a transaction too large, update-as-create
 * with a client id, create, conditional update). What each mode must answer is in the table.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFhirServer, type FhirServerOptions, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { seedDemo } from '../../src/server/seed.js';
import { everything } from '../support/server.js';

const TOKEN = 'token-one';

interface Mode {
  name: string;
  options: FhirServerOptions;
  /** Status of a transaction with one invalid entry among valid ones. */
  badEntryTransaction: number;
  /** Status of a valid transaction of 9 entries. */
  nineEntryTransaction: number;
  /** Status of PUT to an id that does not exist. */
  clientIdPut: number;
  declaresTransaction: boolean;
}

const MODES: Mode[] = [
  { name: 'atomic (default)', options: {}, badEntryTransaction: 400, nineEntryTransaction: 200, clientIdPut: 201, declaresTransaction: true },
  { name: 'independent', options: { transactions: 'independent' }, badEntryTransaction: 200, nineEntryTransaction: 200, clientIdPut: 201, declaresTransaction: true },
  { name: 'none', options: { transactions: 'none' }, badEntryTransaction: 501, nineEntryTransaction: 501, clientIdPut: 201, declaresTransaction: false },
  { name: 'max 8 entries', options: { maxTransactionEntries: 8 }, badEntryTransaction: 400, nineEntryTransaction: 400, clientIdPut: 201, declaresTransaction: true },
  { name: 'server ids only', options: { serverIdsOnly: true }, badEntryTransaction: 400, nineEntryTransaction: 200, clientIdPut: 400, declaresTransaction: true },
  { name: 'token required', options: { requireToken: TOKEN, tokens: ['token-two'] }, badEntryTransaction: 400, nineEntryTransaction: 200, clientIdPut: 201, declaresTransaction: true },
];

const observation = (text: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation', status: 'final', code: { text }, subject: { reference: 'Patient/demo-baby' }, ...extra,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(MODES)('mode: $name', (mode) => {
  let server: RunningFhirServer;
  const auth = (): Record<string, string> => (mode.options.requireToken ? { authorization: `Bearer ${TOKEN}` } : {});
  const http = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...auth(), ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as fhir4.Resource };
  };
  const stored = async () => (await everything(server)).length;

  beforeAll(async () => {
    server = await startFhirServer({ seed: seedDemo, ...mode.options });
  });
  afterAll(() => server.close());

  test('metadata is open and declares the mode', async () => {
    const response = await fetch(`${server.baseUrl}/metadata`);
    expect(response.status).toBe(200);
    const statement = (await response.json()) as fhir4.CapabilityStatement;
    const rest = statement.rest![0]!;
    expect(rest.interaction?.some((i) => i.code === 'transaction') ?? false).toBe(mode.declaresTransaction);
    expect(!!rest.security?.service?.length).toBe(!!mode.options.requireToken);
    expect(rest.resource?.every((r) => r.updateCreate === !mode.options.serverIdsOnly)).toBe(true);
  });

  test('reads need the token only when one is required', async () => {
    const anonymous = await fetch(`${server.baseUrl}/Patient/demo-baby`);
    if (!mode.options.requireToken) {
      expect(anonymous.status).toBe(200);
      return;
    }
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const wrong = await fetch(`${server.baseUrl}/Patient/demo-baby`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/invalid_token/);
    for (const token of [TOKEN, 'token-two']) {
      expect((await fetch(`${server.baseUrl}/Patient/demo-baby`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    }
    // Tokens are read per request: one removed from the list is refused from then on.
    const tokens = mode.options.tokens!;
    tokens.splice(0, tokens.length, 'token-three');
    expect((await fetch(`${server.baseUrl}/Patient/demo-baby`, { headers: { authorization: 'Bearer token-two' } })).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/Patient/demo-baby`, { headers: { authorization: 'Bearer token-three' } })).status).toBe(200);
    // A write without the token changes nothing.
    const before = await stored();
    expect((await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(observation('no token')) })).status).toBe(401);
    expect(await stored()).toBe(before);
  });

  test('a transaction with one invalid entry', async () => {
    const before = await stored();
    const reply = await http('POST', '/', {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:5b0f3f8e-8f5e-4a7e-9d55-0c1f4b0c1a01', resource: observation('first'), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('derived', { derivedFrom: [{ reference: 'urn:uuid:5b0f3f8e-8f5e-4a7e-9d55-0c1f4b0c1a01' }] }), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('bad', { status: 'not-a-status' }), request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(reply.status).toBe(mode.badEntryTransaction);
    if (reply.status !== 200) {
      expect(reply.body.resourceType).toBe('OperationOutcome');
      expect(await stored()).toBe(before); // nothing committed
      return;
    }
    // independent: the good entries commit, the bad one has its own error, references between entries resolved.
    const entries = (reply.body as fhir4.Bundle).entry!;
    expect(entries.map((e) => e.response?.status.slice(0, 3))).toEqual(['201', '201', '400']);
    expect((entries[2]!.response!.outcome as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
    expect(await stored()).toBe(before + 2);
    const first = entries[0]!.resource as fhir4.Observation;
    const derived = entries[1]!.resource as fhir4.Observation;
    expect(derived.derivedFrom?.[0]?.reference).toBe(`Observation/${first.id}`);
  });

  test('a transaction whose update carries a stale If-Match', async () => {
    const [, patient] = await server.request('GET', '/Patient/demo-mother');
    const before = await stored();
    const reply = await http('POST', '/', {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { ...(patient as object), gender: 'female' }, request: { method: 'PUT', url: 'Patient/demo-mother', ifMatch: 'W/"stale"' } },
        { resource: observation('beside a stale update'), request: { method: 'POST', url: 'Observation' } },
      ],
    });
    if (mode.options.transactions === 'none') return expect(reply.status).toBe(501);
    if (mode.options.transactions !== 'independent') {
      expect(reply.status).toBe(412);
      expect(await stored()).toBe(before);
      return;
    }
    // As the servers that do not roll back: the update is refused, the rest commits.
    expect(reply.status).toBe(200);
    expect((reply.body as fhir4.Bundle).entry!.map((e) => e.response?.status.slice(0, 3))).toEqual(['412', '201']);
    expect(await stored()).toBe(before + 1);
  });

  test('a valid transaction of 9 entries', async () => {
    const before = await stored();
    const reply = await http('POST', '/', {
      resourceType: 'Bundle', type: 'transaction',
      entry: Array.from({ length: 9 }, (_, i) => ({ resource: observation(`nine ${i}`), request: { method: 'POST', url: 'Observation' } })),
    });
    expect(reply.status).toBe(mode.nineEntryTransaction);
    if (reply.status === 200) {
      expect(await stored()).toBe(before + 9);
      return;
    }
    expect(reply.body.resourceType).toBe('OperationOutcome');
    const text = JSON.stringify(reply.body);
    if (mode.options.maxTransactionEntries) expect(text).toMatch(/at most 8/);
    else expect(text).toMatch(/not support/);
    expect(await stored()).toBe(before);
  });

  test('update-as-create with a client-chosen id', async () => {
    const before = await stored();
    const reply = await http('PUT', '/Observation/chosen-by-client', { ...observation('client id'), id: 'chosen-by-client' });
    expect(reply.status).toBe(mode.clientIdPut);
    expect(reply.body.resourceType).toBe(reply.status === 201 ? 'Observation' : 'OperationOutcome');
    expect(await stored()).toBe(before + (reply.status === 201 ? 1 : 0));
    // The same refusal inside a transaction.
    const inBundle = await http('POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: { ...observation('client id in bundle'), id: 'chosen-in-bundle' }, request: { method: 'PUT', url: 'Observation/chosen-in-bundle' } },
    ] });
    if (mode.options.transactions === 'none') return;
    if (mode.options.serverIdsOnly) expect(inBundle.status).toBe(400);
    else expect(inBundle.status).toBe(200);
  });

  test('creates, updates of existing ids and conditional updates that create all work', async () => {
    const created = await http('POST', '/Observation', { ...observation('posted'), id: 'ignored-if-server-ids' });
    expect(created.status).toBe(201);
    if (mode.options.serverIdsOnly) expect(created.body.id).toMatch(UUID);
    const update = await http('PUT', '/Patient/demo-baby', { ...(await server.request('GET', '/Patient/demo-baby'))[1] as object, gender: 'female' });
    expect(update.status).toBe(200);
    const identifier = crypto.randomUUID();
    const conditional = await http('PUT', `/Observation?identifier=urn:ietf:rfc:3986|urn:uuid:${identifier}`, observation('conditional', {
      identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${identifier}` }],
    }));
    expect(conditional.status).toBe(201);
    expect(conditional.body.id).toMatch(UUID);
    const again = await http('PUT', `/Observation?identifier=urn:ietf:rfc:3986|urn:uuid:${identifier}`, observation('conditional again', {
      identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${identifier}` }],
    }));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(conditional.body.id);
  });
});
