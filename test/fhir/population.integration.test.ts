/**
 * The gateway's two reads for questionnaires from elsewhere: population queries (SDC x-fhir-query)
 * over real HTTP against the embedded server, and ValueSet expansion on a terminology server
 * (msw stands in for it: the embedded server keeps no terminology tables), cached, with failures
 * that reject so the form shows its notice.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { describe, expect, test } from 'vitest';
import { createFhirGateway, MemoryStore, Outbox } from '../../src/fhir/index.js';
import type { RunningFhirServer } from '../../src/server/fhir-server.js';
import { useDemoServerBehindMsw } from '../support/server.js';

const TX = 'https://terminology.example.test/fhir';
let server: RunningFhirServer;
const expandRequests: string[] = [];
const mock = setupServer(
  http.get(`${TX}/ValueSet/$expand`, ({ request }) => {
    const url = new URL(request.url);
    expandRequests.push(url.search);
    if (url.searchParams.get('url') === 'http://example.org/vs/colours') {
      return HttpResponse.json({
        resourceType: 'ValueSet', status: 'active',
        expansion: { timestamp: '2026-11-24T00:00:00Z', contains: [
          { system: 'http://example.org/cs', code: 'red', display: 'Red' },
          { abstract: true, display: 'Blues', contains: [{ system: 'http://example.org/cs', code: 'navy', display: 'Navy' }] },
          { system: 'http://example.org/cs', code: 'old', display: 'Old', inactive: true },
        ] },
      });
    }
    return HttpResponse.json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }, { status: 404 });
  }),
);

useDemoServerBehindMsw(mock, (started) => (server = started));

const gateway = (options: { terminologyServer?: string } = {}) =>
  createFhirGateway({ baseUrl: server.baseUrl, outbox: new Outbox(new MemoryStore()), autoResend: false, retry: { attempts: 1 }, ...options });

describe('population queries', () => {
  test("a search on the server: the seeded baby's gestation at birth", async () => {
    const bundle = await gateway().query!('Observation?subject=Patient/demo-baby&code=http%3A%2F%2Fsnomed.info%2Fsct%7C412726003&_sort=-date&_count=1');
    expect(bundle.resourceType).toBe('Bundle');
    const observation = bundle.entry?.[0]?.resource as fhir4.Observation;
    expect(observation.valueQuantity).toMatchObject({ value: 39, code: 'wk' });
  });

  test.each(['https://elsewhere.example/Observation?x=1', '/Observation?x=1', 'Observation/123', 'Patient/$everything', '../admin?x=1'])('refuses anything but a plain search of this server: %s', async (query) => {
    await expect(gateway().query!(query)).rejects.toThrow(/not a search of one resource type/);
  });
});

describe('ValueSet expansion on a terminology server', () => {
  test('codes from the expansion (nested, without abstract or inactive ones), asked once and then cached', async () => {
    const gw = gateway({ terminologyServer: TX });
    expandRequests.length = 0;
    const first = await gw.expandValueSet!('http://example.org/vs/colours');
    expect(first).toEqual([{ system: 'http://example.org/cs', code: 'red', display: 'Red' }, { system: 'http://example.org/cs', code: 'navy', display: 'Navy' }]);
    expect(await gw.expandValueSet!('http://example.org/vs/colours')).toBe(first);
    expect(expandRequests).toEqual([`?url=${encodeURIComponent('http://example.org/vs/colours')}`]);
  });

  test('an unknown ValueSet rejects (the form shows its notice), and is asked again next time', async () => {
    const gw = gateway({ terminologyServer: TX });
    expandRequests.length = 0;
    await expect(gw.expandValueSet!('http://example.org/vs/missing')).rejects.toThrow();
    await expect(gw.expandValueSet!('http://example.org/vs/missing')).rejects.toThrow();
    expect(expandRequests).toHaveLength(2);
  });
});
