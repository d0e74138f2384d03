/**
 * The audit's records from a FHIR server: paged searches (`_count`, following the server's `next`
 * links only while they stay on the same server), one resource at a time, so memory does not grow
 * with the size of the record set. Plain fetch, so it runs in browsers and in Node.
 */
import { FhirGatewayError } from './errors.js';

export interface AuditSourceOptions {
  baseUrl: string;
  token?: string;
  /** Records per page. */
  pageSize?: number;
  fetch?: typeof fetch;
}

/**
 * The searches an audit needs: who belongs to which organisation or team (PractitionerRole, and the
 * Organizations' names), then the templates' responses with their encounters, and the follow-up Tasks.
 */
export const AUDIT_SEARCHES: [resourceType: string, params: Record<string, string>][] = [
  ['Organization', { _elements: 'id,name' }],
  ['PractitionerRole', { _elements: 'id,organization' }],
  ['QuestionnaireResponse', { status: 'completed,amended,entered-in-error', _include: 'QuestionnaireResponse:encounter' }],
  ['Task', { code: 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts|routine-enquiry-follow-up' }],
];

export async function* searchAll(options: AuditSourceOptions, resourceType: string, params: Record<string, string>): AsyncGenerator<fhir4.Resource> {
  const base = options.baseUrl.replace(/\/$/, '');
  const origin = new URL(base).origin;
  const doFetch = options.fetch ?? fetch;
  const pageSize = options.pageSize ?? 500;
  let read = 0;
  let next: string | undefined = `${base}/${resourceType}?${new URLSearchParams({ ...params, _count: String(pageSize) })}`;
  for (let page = 0; next && page < 100_000; page++) {
    const response = await doFetch(next, { headers: { accept: 'application/fhir+json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) } });
    if (!response.ok) throw new FhirGatewayError('http', `The record system refused the search for ${resourceType} (HTTP ${response.status}).`, { status: response.status });
    const bundle = (await response.json()) as fhir4.Bundle;
    let matches = 0;
    for (const entry of bundle.entry ?? []) {
      if (entry.search?.mode !== 'include') matches++;
      // Matches, and what they include (their encounters): the audit needs no other resources.
      if (entry.resource?.resourceType === resourceType || (entry.search?.mode === 'include' && entry.resource)) yield entry.resource;
    }
    read += matches;
    const link = bundle.link?.find((l) => l.relation === 'next')?.url;
    // An audit that stopped at a page without a link onwards would count too few, and say nothing.
    if (!link && ((bundle.total !== undefined && read < bundle.total) || (bundle.total === undefined && matches >= pageSize))) {
      throw new FhirGatewayError('http', `The record system sent ${read} of ${bundle.total ?? 'more'} ${resourceType} records without a link to the next page, so the audit would be incomplete. Read a Bulk Data export instead (kbs audit --ndjson).`);
    }
    // The token goes only to the server it was given for.
    next = link && new URL(link, base).origin === origin ? new URL(link, base).href : undefined;
  }
}

/** Every record an audit reads from the server, one at a time. */
export async function* auditRecords(options: AuditSourceOptions): AsyncGenerator<fhir4.Resource> {
  for (const [type, params] of AUDIT_SEARCHES) yield* searchAll(options, type, params);
}
