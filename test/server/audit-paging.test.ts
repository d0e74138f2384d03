/**
 * The audit reads every page: more records than one page holds, against the embedded server (which
 * gives `next` links as FHIR servers do), equal the same records counted from NDJSON; and a server
 * that stops without a link onwards makes the audit fail with a message, never count too few.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAudit } from '../../src/engine/index.js';
import { auditRecords, searchAll } from '../../src/fhir/audit-source.js';
import { demoAuditRecords } from '../../src/server/demo-audit.js';
import { startFhirServer, type RunningFhirServer } from '../../src/server/fhir-server.js';

const TODAY = new Date('2026-11-20T12:00:00Z');
const PERIOD = { from: '2025-11-21', to: '2026-11-20', asOf: '2026-11-20' };
let server: RunningFhirServer;
const records = demoAuditRecords(TODAY);

beforeAll(async () => {
  server = await startFhirServer({ port: 0 });
  const [outcome] = await server.request('POST', '/', { resourceType: 'Bundle', type: 'batch', entry: records.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })) });
  expect(outcome.issue?.some((i) => i.severity === 'error')).toBeFalsy();
});
afterAll(() => server.close());

describe('paging', () => {
  test('pages of 40: every record is read, and the figures equal those from the records themselves', async () => {
    const expected = createAudit(PERIOD);
    for (const r of records) expected.add(r);
    const audit = createAudit(PERIOD);
    let read = 0;
    for await (const r of auditRecords({ baseUrl: server.baseUrl, pageSize: 40 })) {
      audit.add(r);
      read++;
    }
    // Every record, and the localities' Organizations and PractitionerRoles.
    expect(read).toBe(records.length);
    expect(audit.result()).toEqual(expected.result());
  });

  test('a server that stops after a full page without a next link: the audit fails and says why', async () => {
    const mock = setupServer(http.get('https://no-links.example.test/fhir/QuestionnaireResponse', () =>
      HttpResponse.json({ resourceType: 'Bundle', type: 'searchset', total: 90, entry: Array.from({ length: 40 }, () => ({ resource: records[0] })) })));
    mock.listen({ onUnhandledRequest: 'bypass' });
    try {
      const read = async () => {
        for await (const _ of searchAll({ baseUrl: 'https://no-links.example.test/fhir', pageSize: 40 }, 'QuestionnaireResponse', {})) void _;
      };
      await expect(read()).rejects.toThrow(/40 of 90 .* without a link to the next page/);
    } finally {
      mock.close();
    }
  });
});
