/**
 * Loads canonical content (Questionnaires, ValueSets, CodeSystems, ConceptMaps) into any FHIR R4 server,
 * honestly and idempotently:
 * - each resource is matched by its canonical `url` + `version`, never by a client-chosen id
 *   (conditional update: `PUT Questionnaire?url=…&version=…`, the server assigns ids);
 * - what the server already holds unchanged is left alone, so a second run writes nothing (no new versions);
 * - the rest goes in one transaction when the server declares one; a refused transaction is split in
 *   halves down to single conditional PUTs (servers with a maximum entry count, or a server that refuses
 *   the whole for one bad entry); without transactions, one PUT per resource;
 * - every entry's status is checked, and the result lists each refused resource with the server's reason.
 * Plain fetch (no client library): every status and body is seen as the server sent it.
 */
import type { FailureKind } from './errors.js';

export type Canonical = fhir4.Questionnaire | fhir4.ValueSet | fhir4.CodeSystem | fhir4.ConceptMap;

export type DeployOutcome = 'created' | 'updated' | 'unchanged' | 'refused';

export interface DeployedResource {
  resourceType: string;
  url: string;
  version: string;
  outcome: DeployOutcome;
  /** The server's id for it (when known). */
  id?: string;
  /** Why it was refused: the status and the server's words. */
  reason?: string;
}

export interface DeployResult {
  resources: DeployedResource[];
  /** How it was written: `transaction` (one or more bundles), `individual` (conditional PUTs), or `none` (nothing to write). */
  method: 'transaction' | 'individual' | 'none';
  requests: number;
}

export interface DeployOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

/** A failure of the deploy as a whole (server unreachable, sign-in refused), not of one resource. */
export class DeployError extends Error {
  override readonly name = 'DeployError';
  constructor(readonly kind: FailureKind, message: string, readonly detail?: string) {
    super(message);
  }
}

/** The conditional URL that finds a canonical resource on any server. */
export function canonicalQuery(resource: Canonical): string {
  return `${resource.resourceType}?url=${encodeURIComponent(resource.url!)}&version=${encodeURIComponent(resource.version!)}`;
}

/** The content as we ship it, without what the server owns (id, meta). */
function portable(resource: Canonical): Canonical {
  const { id: _id, meta: _meta, ...rest } = resource as Canonical & { id?: string; meta?: unknown };
  return rest as Canonical;
}

/** JSON with sorted keys, for comparing what the server holds with what we ship. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function reasonOf(status: number | string, body: unknown): string {
  const outcome = body && typeof body === 'object' && (body as fhir4.Resource).resourceType === 'OperationOutcome' ? (body as fhir4.OperationOutcome) : undefined;
  const text = outcome?.issue?.map((i) => `${i.details?.text ?? i.diagnostics ?? i.code}${i.expression?.length ? ` (${i.expression.join(', ')})` : ''}`).join('; ');
  return `HTTP ${status}${text ? `: ${text}` : ''}`;
}

export async function deployContent(content: Canonical[], options: DeployOptions): Promise<DeployResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  let requests = 0;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    requests++;
    let response: Response;
    try {
      response = await doFetch(`${base}/${path}`, {
        method,
        headers: {
          accept: 'application/fhir+json',
          ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw new DeployError('network', 'Could not reach the record system.', `${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text.slice(0, 300);
    }
    if (response.status === 401 || response.status === 403) {
      throw new DeployError('http', 'The record system did not accept the token.', reasonOf(response.status, parsed));
    }
    return { status: response.status, body: parsed };
  };

  for (const resource of content) {
    if (!resource.url || !resource.version) throw new DeployError('invalid-input', `${resource.resourceType}/${resource.id ?? '?'} has no url or version: canonical content needs both.`);
  }
  const results = new Map<Canonical, DeployedResource>();
  const record = (resource: Canonical, outcome: DeployOutcome, extra: Partial<DeployedResource> = {}) =>
    results.set(resource, { resourceType: resource.resourceType, url: resource.url!, version: resource.version!, outcome, ...extra });

  // What the server holds now, by url|version.
  const toWrite: Canonical[] = [];
  for (const resource of content) {
    const found = await call('GET', canonicalQuery(resource));
    if (found.status !== 200 || (found.body as fhir4.Bundle | undefined)?.resourceType !== 'Bundle') {
      record(resource, 'refused', { reason: `could not be looked up: ${reasonOf(found.status, found.body)}` });
      continue;
    }
    const matches = ((found.body as fhir4.Bundle).entry ?? []).map((e) => e.resource as Canonical).filter((r) => r?.resourceType === resource.resourceType);
    if (matches.length > 1) {
      record(resource, 'refused', { reason: `${matches.length} resources on the server have this url and version (${matches.map((m) => m.id).join(', ')}); remove the extra ones first` });
    } else if (matches.length === 1 && canonicalJson(portable(matches[0]!)) === canonicalJson(portable(resource))) {
      record(resource, 'unchanged', { id: matches[0]!.id });
    } else {
      toWrite.push(resource);
    }
  }

  const capability = toWrite.length ? await call('GET', 'metadata') : undefined;
  const statement = capability?.status === 200 ? (capability.body as fhir4.CapabilityStatement) : undefined;
  // Without a readable CapabilityStatement, try a transaction anyway: a refusal falls back below.
  const transactions = !statement || !!statement.rest?.some((r) => r.interaction?.some((i) => i.code === 'transaction'));
  let usedTransaction = false;

  const putOne = async (resource: Canonical) => {
    const reply = await call('PUT', canonicalQuery(resource), portable(resource));
    if (reply.status === 200 || reply.status === 201) record(resource, reply.status === 201 ? 'created' : 'updated', { id: (reply.body as fhir4.Resource | undefined)?.id });
    else record(resource, 'refused', { reason: reasonOf(reply.status, reply.body) });
  };

  const sendBundle = async (batch: Canonical[]): Promise<void> => {
    if (batch.length === 1 || !transactions) {
      for (const resource of batch) await putOne(resource);
      return;
    }
    const reply = await call('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: batch.map((resource) => ({ resource: portable(resource), request: { method: 'PUT', url: canonicalQuery(resource) } })),
    } satisfies fhir4.Bundle);
    const bundle = reply.body as fhir4.Bundle | undefined;
    if (reply.status === 200 && bundle?.resourceType === 'Bundle' && bundle.type === 'transaction-response' && bundle.entry?.length === batch.length) {
      usedTransaction = true;
      batch.forEach((resource, i) => {
        const response = bundle.entry![i]!.response;
        const status = response?.status ?? '';
        if (/^20[01]\b/.test(status)) record(resource, status.startsWith('201') ? 'created' : 'updated', { id: (bundle.entry![i]!.resource as fhir4.Resource | undefined)?.id ?? response?.location?.split('/')[1] });
        else record(resource, 'refused', { reason: reasonOf(status || 'no status', response?.outcome) });
      });
      return;
    }
    // Refused whole (too many entries, not supported, one bad entry on an atomic server), or a reply we
    // cannot read entry by entry: every entry here is a conditional PUT, so sending again in halves is safe.
    const half = Math.ceil(batch.length / 2);
    await sendBundle(batch.slice(0, half));
    await sendBundle(batch.slice(half));
  };

  if (toWrite.length) await sendBundle(toWrite);
  return {
    resources: content.map((resource) => results.get(resource)!),
    method: !toWrite.length ? 'none' : usedTransaction ? 'transaction' : 'individual',
    requests,
  };
}
