/**
 * The write protocol: how one submission (the response, what was extracted from it, the Provenance)
 * reaches a FHIR server completely and exactly once, whatever the server does with transactions.
 *
 * - An amendment first updates the response alone, with `If-Match`. If that is refused (a newer
 *   version exists), nothing else is written: a server that processes a transaction's entries one by
 *   one can never update the Observations of a response it refused.
 * - The rest goes as one transaction when the server takes transactions and this one fits;
 *   otherwise (no transactions, too many entries, a refusal of the transaction as such) as an
 *   ordered sequence of conditional interactions: the response, then what derives from it, the
 *   Provenance last as the completeness mark. Every step is idempotent (conditional create on the
 *   client identifier, or conditional update), and every finished step is recorded in the outbox
 *   entry, so an interruption resumes where it stopped and never duplicates.
 * - "Saved" only when every part is confirmed: each entry of a transaction-response 2xx, each step
 *   of a sequence 2xx, or — when a reply cannot be read — a read-back of every part by identifier.
 * - A part refused for good in the middle of a sequence: what this submission created is deleted
 *   again, so nothing is left half-written.
 */
import { Client } from 'fhir-kit-client';
import { OPEN_TASK_STATUSES } from '../engine/index.js';
import { FhirGatewayError, toGatewayError } from './errors.js';

export type WriteMode = 'transaction' | 'sequence';

/** Where a submission has got to; kept (encrypted) in its outbox entry. */
export interface WriteProgress {
  /** Entries of the bundle finished, in order. */
  done: number;
  /** `urn:uuid:` full URLs → the server's `Type/id`, for references in later steps. */
  refs: Record<string, string>;
  /** What this submission created (for undoing a half-written sequence). */
  created: string[];
}

export interface WriteDeps {
  client: Client;
  /** Per-request options: timeout and current headers. */
  options(headers?: Record<string, string>): { signal: AbortSignal; headers: Record<string, string> };
  /** Sends with the retry policy. */
  call<T>(operation: () => Promise<unknown>): Promise<T>;
  /** How this server is written to (from its CapabilityStatement, and what it has refused). */
  mode(): Promise<WriteMode>;
  /** The server refused a transaction as such: write one by one from now on. */
  useSequence(reason: string): void;
  saveProgress(progress: WriteProgress): Promise<void>;
}

const OK = /^2\d\d/;

/** Writes `bundle` (a transaction built by the engine) from `progress` on; returns the server locations. */
export async function writeSubmission(original: fhir4.Bundle, start: WriteProgress | undefined, deps: WriteDeps): Promise<string[]> {
  const { bundle, skip } = await withCurrentFollowUps(original, start?.done ?? 0, deps);
  const entries = bundle.entry ?? [];
  const progress: WriteProgress = { done: start?.done ?? 0, refs: { ...(start?.refs ?? {}) }, created: [...(start?.created ?? [])] };
  try {
    // An amendment: the response's own versioned update, alone, first.
    if (progress.done === 0 && isVersionedUpdate(entries[0])) await sequenceStep(entries[0]!, progress, deps);
    if (progress.done < entries.length && (await deps.mode()) === 'transaction') {
      const written = await asTransaction(bundle, entries, progress, skip, deps);
      if (written) return locations(entries, written.refs);
    }
    while (progress.done < entries.length) {
      if (skip.has(progress.done)) {
        progress.done++;
        await deps.saveProgress(progress);
      } else {
        await sequenceStep(entries[progress.done]!, progress, deps);
      }
    }
    return locations(entries, progress.refs);
  } catch (raw) {
    const error = toGatewayError(raw);
    if (!error.retryable && error.kind !== 'unconfirmed' && error.status !== 401 && error.status !== 403 && progress.created.length) {
      await undo(progress, deps);
    }
    throw error;
  }
}

/**
 * The follow-up Tasks a submission updates were read when the form was opened; by the time it is
 * sent (after a reload, or hours later from the outbox) someone may have updated or closed them.
 * Each is read again: still open, the update goes on its current version; closed, it is left out
 * (and so is its place in the Provenance). The record itself is never refused for a follow-up's sake.
 */
async function withCurrentFollowUps(bundle: fhir4.Bundle, from: number, deps: WriteDeps): Promise<{ bundle: fhir4.Bundle; skip: Set<number> }> {
  const skip = new Set<number>();
  const dropped = new Set<string>();
  const entries = [...(bundle.entry ?? [])];
  for (const [i, entry] of entries.entries()) {
    const isFollowUpUpdate = i > 0 && i >= from && entry.request?.method === 'PUT' && !!entry.request.ifMatch && entry.resource?.resourceType === 'Task';
    if (!isFollowUpUpdate) continue;
    const id = entry.request!.url.split('/')[1]!;
    const current = await deps.call<fhir4.Task>(() => deps.client.read({ resourceType: 'Task', id, options: deps.options() })).catch(() => undefined);
    if (!current || !OPEN_TASK_STATUSES.has(current.status)) {
      skip.add(i);
      dropped.add(entry.fullUrl ?? '');
      continue;
    }
    const versionId = current.meta?.versionId;
    if (versionId) entries[i] = { ...entry, request: { ...entry.request!, ifMatch: `W/"${versionId}"` } };
  }
  // The Provenance names only what is written.
  const final = dropped.size
    ? entries.map((e) => (e.resource?.resourceType === 'Provenance'
      ? { ...e, resource: { ...(e.resource as fhir4.Provenance), target: (e.resource as fhir4.Provenance).target.filter((t) => !dropped.has(t.reference ?? '')) } }
      : e))
    : entries;
  return { bundle: { ...bundle, entry: final }, skip };
}

function isVersionedUpdate(entry: fhir4.BundleEntry | undefined): boolean {
  return entry?.request?.method === 'PUT' && !!entry.request.ifMatch;
}

function locations(entries: fhir4.BundleEntry[], refs: Record<string, string>): string[] {
  return entries.map((e) => refs[e.fullUrl ?? ''] ?? '');
}

/** A copy of `value` with every string that is a known `urn:uuid:` replaced by the server's reference. */
export function substitute<T>(value: T, refs: Record<string, string>): T {
  if (typeof value === 'string') return (refs[value] ?? value) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, refs)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, refs)])) as T;
  }
  return value;
}

/** The server's `Type/id` for what a write returned: the body's id, else the Location header. */
function referenceFrom(result: unknown, resourceType: string): string | undefined {
  const body = result as fhir4.Resource | undefined;
  if (body?.resourceType === resourceType && body.id) return `${resourceType}/${body.id}`;
  const location = (() => {
    try {
      return Client.httpFor(result as never).response?.headers.get('location') ?? undefined;
    } catch {
      return undefined;
    }
  })();
  return location ? referenceFromLocation(location, resourceType) : undefined;
}

function referenceFromLocation(location: string, resourceType: string): string | undefined {
  const match = new RegExp(`(?:^|/)${resourceType}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?/?$`).exec(location);
  return match ? `${resourceType}/${match[1]}` : undefined;
}

function statusOf(result: unknown): number | undefined {
  try {
    return Client.httpFor(result as never).response?.status;
  } catch {
    return undefined;
  }
}

/** One entry as its own conditional interaction. */
async function sequenceStep(entry: fhir4.BundleEntry, progress: WriteProgress, deps: WriteDeps): Promise<void> {
  const resource = substitute(entry.resource!, progress.refs);
  const type = resource.resourceType;
  const request = entry.request!;
  let result: unknown;
  if (request.method === 'POST') {
    result = await deps.call(() => deps.client.create({
      resourceType: type as 'Observation', body: resource as never,
      options: deps.options(request.ifNoneExist ? { 'If-None-Exist': request.ifNoneExist } : {}),
    }));
  } else if (request.method === 'PUT' && request.url.includes('?')) {
    const [, query] = request.url.split('?') as [string, string];
    result = await deps.call(() => deps.client.update({
      resourceType: type as 'Observation', searchParams: Object.fromEntries(new URLSearchParams(query)), body: resource as never, options: deps.options(),
    } as never));
  } else if (request.method === 'PUT') {
    const id = request.url.split('/')[1]!;
    try {
      result = await deps.call(() => deps.client.update({
        resourceType: type as 'Observation', id, body: resource as never, options: deps.options(request.ifMatch ? { 'If-Match': request.ifMatch } : {}),
      }));
    } catch (raw) {
      // A 412 after a retry: did the earlier attempt, whose reply was lost, already store exactly this?
      const error = toGatewayError(raw);
      if (error.status !== 412) throw error;
      const stored = await deps.call<fhir4.Resource>(() => deps.client.read({ resourceType: type as 'Observation', id, options: deps.options() })).catch(() => undefined);
      if (!stored || !sameContent(stored, resource)) throw error;
      result = stored;
    }
  } else {
    throw new FhirGatewayError('invalid-input', 'This record could not be sent: an unexpected request in the submission.', { detail: `${request.method} ${request.url}` });
  }
  const reference = referenceFrom(result, type);
  if (!reference) {
    throw new FhirGatewayError('unconfirmed', 'The record system did not say where it stored part of this record.', { detail: `${request.method} ${request.url}: no id in the reply` });
  }
  if (entry.fullUrl) progress.refs[entry.fullUrl] = reference;
  if (statusOf(result) === 201) progress.created.push(reference);
  progress.done++;
  await deps.saveProgress(progress);
}

/** JSON with object keys sorted at every depth, so equal content gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The same resource content, whatever the server added (`meta`, `id`, narrative). */
function sameContent(stored: fhir4.Resource, sent: fhir4.Resource): boolean {
  const strip = (r: fhir4.Resource) => {
    const { meta: _m, id: _i, text: _t, ...rest } = r as fhir4.Resource & { text?: unknown };
    return canonicalJson(rest);
  };
  return strip(stored) === strip(sent);
}

/** Is this error the server refusing the transaction as such (not its content)? */
export function refusesTransaction(error: FhirGatewayError): boolean {
  const status = error.status ?? 0;
  if (status === 405 || status === 501) return true;
  if (status !== 400 && status !== 413 && status !== 422) return false;
  const text = [error.detail, ...(error.outcome?.issue ?? []).map((i) => `${i.details?.text ?? ''} ${i.diagnostics ?? ''} ${i.code}`)].join(' ');
  return /transactions? (are |is )?not supported|not support(ed)? transactions?|too many (entries|resources)|maximum .*entries|entries .*(exceed|limit)|bundle (is )?too (large|big)|too large/i.test(text) || (status === 413);
}

/** The rest of the submission as one transaction; undefined when the server refused transactions (then: a sequence). */
async function asTransaction(bundle: fhir4.Bundle, entries: fhir4.BundleEntry[], progress: WriteProgress, skip: Set<number>, deps: WriteDeps): Promise<{ refs: Record<string, string> } | undefined> {
  const rest = entries.map((e, i) => ({ e, i })).filter(({ i }) => i >= progress.done && !skip.has(i)).map(({ e }) => ({ ...e, resource: substitute(e.resource, progress.refs) }));
  let answer: fhir4.Bundle;
  try {
    // A reply that does not confirm every entry is retried like a lost one (every entry is conditional).
    answer = await deps.call<fhir4.Bundle>(async () => {
      const reply = (await deps.client.transaction({ body: { ...bundle, entry: rest } as never, options: deps.options() })) as unknown as fhir4.Bundle | undefined;
      if (reply?.resourceType !== 'Bundle' || reply.type !== 'transaction-response' || (reply.entry ?? []).length !== rest.length) {
        throw new FhirGatewayError('unconfirmed', 'The record system answered, but not with a confirmation of every part of this record.', {
          detail: `reply: ${reply?.resourceType ?? typeof reply}${reply?.type ? ` ${reply.type}` : ''}, ${(reply?.entry ?? []).length} of ${rest.length} entries`,
        });
      }
      return reply;
    });
  } catch (raw) {
    const error = toGatewayError(raw);
    if (refusesTransaction(error)) {
      deps.useSequence(error.detail);
      return undefined;
    }
    throw error;
  }
  const refs = { ...progress.refs };
  const created: string[] = [];
  answer.entry!.forEach((e, i) => {
    const sent = rest[i]!;
    const type = sent.resource!.resourceType;
    const reference = e.response?.location ? referenceFromLocation(e.response.location, type) : undefined;
    if (reference && sent.fullUrl) refs[sent.fullUrl] = reference;
    if (reference && e.response?.status?.startsWith('201')) created.push(reference);
  });
  const failed = answer.entry!.map((e, i) => ({ e, i })).filter(({ e }) => !OK.test(e.response?.status ?? ''));
  if (failed.length) {
    // The server processed the entries one by one and refused some: the others stand. A retry
    // resends everything (conditional, so nothing doubles); a refusal for good undoes what was created.
    progress.created.push(...created);
    const first = failed[0]!;
    const status = Number(/^\d{3}/.exec(first.e.response?.status ?? '')?.[0] ?? 0);
    const outcome = first.e.response?.outcome?.resourceType === 'OperationOutcome' ? (first.e.response.outcome as fhir4.OperationOutcome) : undefined;
    const error = toGatewayError({ response: { status: status || 500, data: outcome } });
    throw new FhirGatewayError(error.kind, error.message, {
      ...error.options,
      detail: `${failed.length} of ${rest.length} parts not saved (first: ${rest[first.i]!.request!.method} ${rest[first.i]!.request!.url}: ${first.e.response?.status ?? 'no status'})`,
    });
  }
  return { refs };
}

/** Deletes what this submission created, newest first (best effort: what cannot be deleted is said). */
async function undo(progress: WriteProgress, deps: WriteDeps): Promise<void> {
  for (const reference of [...progress.created].reverse()) {
    const [resourceType, id] = reference.split('/') as [string, string];
    await deps.client.delete({ resourceType: resourceType as 'Observation', id, options: deps.options() }).catch(() => undefined);
  }
  progress.created = [];
}

/**
 * Is every part of this submission on the server, as sent? Each resource by its client identifier
 * (the Provenance by its tag); the response and any updated part must carry what was sent.
 */
export async function confirmOnServer(bundle: fhir4.Bundle, deps: Pick<WriteDeps, 'client' | 'options' | 'call'>): Promise<boolean> {
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource as fhir4.Resource & { identifier?: fhir4.Identifier | fhir4.Identifier[]; status?: string };
    const identifier = Array.isArray(resource.identifier) ? resource.identifier[0] : resource.identifier;
    const tag = resource.meta?.tag?.[0];
    const searchParams: Record<string, string> | undefined = identifier?.value
      ? { identifier: `${identifier.system ?? ''}|${identifier.value}` }
      : tag?.code ? { _tag: `${tag.system ?? ''}|${tag.code}` } : undefined;
    if (!searchParams) return false;
    const found = await deps.call<fhir4.Bundle>(() => deps.client.search({ resourceType: resource.resourceType as 'Observation', searchParams, options: deps.options() }));
    const matches = (found.entry ?? []).map((e) => e.resource as typeof resource).filter((r) => r?.resourceType === resource.resourceType);
    if (matches.length !== 1) return false;
    const stored = matches[0]!;
    if (resource.status !== undefined && stored.status !== resource.status) return false;
    const sentValue = valueKeys(resource);
    if (JSON.stringify(valueKeys(stored)) !== JSON.stringify(sentValue)) return false;
    if (resource.resourceType === 'QuestionnaireResponse' && (stored as fhir4.QuestionnaireResponse).authored !== (resource as fhir4.QuestionnaireResponse).authored) return false;
  }
  return true;
}

function valueKeys(resource: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource).filter(([k]) => k.startsWith('value')).sort(([a], [b]) => a.localeCompare(b)));
}
