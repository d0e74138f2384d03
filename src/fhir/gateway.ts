/**
 * The gateway: the one module that talks to a FHIR server (through fhir-kit-client). Components
 * get a `KbsGateway` and never see the client, so tests and hosts can hand them another one.
 *
 * Submitting: the engine builds one transaction (response + extracted resources + Provenance, each
 * with a client identifier and ifNoneExist); the gateway writes it to the outbox, sends it with
 * retries, and removes it only when the server confirms. A retry after a commit the client never
 * heard about finds the resources by identifier and creates nothing new.
 */
import { Client } from 'fhir-kit-client';
import {
  buildTransactionBundle, createCodeMapper, findInvalidNhsNumber, isRestricted, isValidNhsNumber, loadQuestionnaire, normaliseNhsNumber,
  labelForQuestionnaire, NHS_NUMBER_SYSTEM, responseUuid, URN_IDENTIFIER_SYSTEM, type ProductInfo, type Questionnaire,
  type QuestionnaireResponse,
} from '../engine/index.js';
import { FhirGatewayError, toGatewayError } from './errors.js';
import { MemoryStore, Outbox, type OutboxEntry } from './outbox.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';

export const PRODUCT: ProductInfo = { name: 'kbs-record-templates', version: '0.1.0' };

/** What the clinician is told; `state` drives the look, `message` is the words. */
export interface SaveStatus {
  state: 'saving' | 'retrying' | 'saved' | 'queued' | 'rejected';
  message: string;
  /** Technical detail for the integrator. */
  detail?: string;
}

export interface SubmitResult extends SaveStatus {
  state: 'saved' | 'queued' | 'rejected';
  /** Server locations of what was written, in bundle order (when saved). */
  locations?: string[];
  error?: FhirGatewayError;
}

export interface SubmitInput {
  questionnaire: Questionnaire;
  response: QuestionnaireResponse;
  /** A short, non-clinical label for the outbox list (e.g. the template title). */
  label?: string;
  onStatus?: (status: SaveStatus) => void;
}

export interface LoadedQuestionnaire {
  questionnaire: Questionnaire;
  source: 'server' | 'bundled';
  /** Said to the user when the bundled copy is used. */
  notice?: string;
}

export interface KbsGateway {
  resolvePatient(query: { id?: string; nhsNumber?: string }): Promise<fhir4.Patient>;
  /** The baby's mother, through the baby's RelatedPerson (relationship MTH) and her NHS number. */
  resolveMother(baby: fhir4.Patient): Promise<fhir4.Patient>;
  loadQuestionnaire(canonical: string, bundled?: Questionnaire): Promise<LoadedQuestionnaire>;
  saveDraft(questionnaire: Questionnaire, response: QuestionnaireResponse): Promise<QuestionnaireResponse>;
  submit(input: SubmitInput): Promise<SubmitResult>;
  /** Sends whatever is waiting in the outbox (after a reload, or when the connection is back). */
  flushOutbox(): Promise<SubmitResult[]>;
  pending(): Promise<OutboxEntry[]>;
}

export interface GatewayOptions {
  baseUrl?: string;
  /** The bearer token, or a function read before every request (a token that changes is then followed). */
  token?: string | (() => string | undefined);
  /** A host-supplied, already-configured fhir-kit-client. */
  client?: Client;
  conceptMaps?: fhir4.ConceptMap[];
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  outbox?: Outbox;
  newUuid?: () => string;
}

const SUCCESS = /^2\d\d/;

export function createFhirGateway(options: GatewayOptions): KbsGateway {
  const client = options.client ?? new Client({ baseUrl: requireBaseUrl(options.baseUrl) });
  const tokenNow = typeof options.token === 'function' ? options.token : () => options.token as string | undefined;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 20_000;
  const outbox = options.outbox ?? new Outbox(new MemoryStore());
  const newUuid = options.newUuid ?? (() => globalThis.crypto.randomUUID());
  const mapCode = createCodeMapper(options.conceptMaps ?? []);
  /** Per request: a timeout, and the bearer token as it is now (unless the host gave its own client). */
  const requestOptions = (headers: Record<string, string> = {}) => {
    const token = options.client ? undefined : tokenNow();
    return { signal: AbortSignal.timeout(timeoutMs), headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
  };

  const call = <T>(operation: () => Promise<unknown>, onRetry?: Parameters<typeof withRetry>[2]) =>
    withRetry(() => operation() as Promise<T>, policy, onRetry);

  async function searchOne<T extends fhir4.Resource>(resourceType: string, searchParams: Record<string, string>, what: string): Promise<T> {
    const bundle = await call<fhir4.Bundle>(() => client.search({ resourceType: resourceType as 'Patient', searchParams, options: requestOptions() }));
    const matches = (bundle.entry ?? []).map((e) => e.resource as T).filter((r) => r?.resourceType === resourceType);
    if (matches.length === 0) throw new FhirGatewayError('not-found', `No ${what} was found in the record system.`);
    if (matches.length > 1) throw new FhirGatewayError('ambiguous', `More than one ${what} matches; check the details before recording anything.`);
    return matches[0]!;
  }

  async function send(entry: OutboxEntry, onStatus?: SubmitInput['onStatus']): Promise<SubmitResult> {
    try {
      const result = await call<fhir4.Bundle>(
        () => client.transaction({ body: entry.bundle as never, options: requestOptions() }),
        (error, attempt) => onStatus?.({ state: 'retrying', message: `Not saved yet — retrying (attempt ${attempt + 1} of ${policy.attempts}).`, detail: error.detail }),
      );
      const failed = (result.entry ?? []).filter((e) => !SUCCESS.test(e.response?.status ?? ''));
      if (failed.length) {
        throw new FhirGatewayError('http', 'The record system did not save every part of this record.', { detail: JSON.stringify(failed.map((f) => f.response)) });
      }
      await outbox.remove(entry.id);
      return { state: 'saved', message: 'Saved to the record.', locations: (result.entry ?? []).map((e) => e.response?.location ?? '') };
    } catch (raw) {
      const error = toGatewayError(raw);
      if (error.status === 412 && (await alreadySaved(entry))) {
        await outbox.remove(entry.id);
        return { state: 'saved', message: 'Saved to the record.' };
      }
      if (error.retryable) {
        await outbox.put({ ...entry, attempts: entry.attempts + 1, lastError: error.detail });
        return { state: 'queued', message: `Not saved yet: ${error.message} Your answers are kept ${entry.restricted ? 'encrypted ' : ''}on this device and will be sent again.`, detail: error.detail, error };
      }
      await outbox.remove(entry.id);
      return { state: 'rejected', message: `Could not be saved. ${error.message}`, detail: error.detail, error };
    }
  }

  /** After a 412 on a retried update: did our earlier attempt already commit? */
  async function alreadySaved(entry: OutboxEntry): Promise<boolean> {
    const sent = entry.bundle.entry?.[0]?.resource as QuestionnaireResponse | undefined;
    if (!sent?.id) return false;
    try {
      const stored = (await client.read({ resourceType: 'QuestionnaireResponse', id: sent.id, options: requestOptions() })) as unknown as QuestionnaireResponse;
      return stored.identifier?.value === sent.identifier?.value && stored.status === sent.status && stored.authored === sent.authored;
    } catch {
      return false;
    }
  }

  return {
    async resolvePatient({ id, nhsNumber }) {
      if (id) return call<fhir4.Patient>(() => client.read({ resourceType: 'Patient', id, options: requestOptions() }));
      if (!nhsNumber || !isValidNhsNumber(nhsNumber)) {
        throw new FhirGatewayError('invalid-input', 'Enter a valid NHS number (10 digits, for example 943 476 5919).');
      }
      return searchOne<fhir4.Patient>('Patient', { identifier: `${NHS_NUMBER_SYSTEM}|${normaliseNhsNumber(nhsNumber)}` }, 'patient with this NHS number');
    },

    async resolveMother(baby) {
      const related = await searchOne<fhir4.RelatedPerson>('RelatedPerson', { patient: `Patient/${baby.id}`, relationship: 'MTH' }, "record of the baby's mother");
      const nhs = related.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
      if (!nhs) throw new FhirGatewayError('not-found', "The mother's NHS number is not recorded on the baby's record.");
      if (!isValidNhsNumber(nhs)) throw new FhirGatewayError('invalid-input', `The mother's NHS number on the baby's record (${nhs}) is not a valid NHS number. Check the family's details.`);
      return searchOne<fhir4.Patient>('Patient', { identifier: `${NHS_NUMBER_SYSTEM}|${normaliseNhsNumber(nhs)}` }, 'mother');
    },

    async loadQuestionnaire(canonical, bundled) {
      const [url, version] = canonical.split('|');
      try {
        const bundle = await call<fhir4.Bundle>(() => client.search({ resourceType: 'Questionnaire', searchParams: { url: url!, ...(version ? { version } : {}) }, options: requestOptions() }));
        // Only the same canonical url (and version, when asked) is the same form, whatever else the server returns.
        const found = bundle.entry?.map((e) => e.resource).find((r): r is Questionnaire => r?.resourceType === 'Questionnaire' && r.url === url && (!version || r.version === version));
        if (found) {
          const checked = loadQuestionnaire(found);
          if (checked.questionnaire) return { questionnaire: checked.questionnaire, source: 'server' };
          if (bundled) return { questionnaire: bundled, source: 'bundled', notice: "The record system's copy of this form has errors, so the copy built into this app is used." };
          throw new FhirGatewayError('invalid-input', `The record system's copy of this form has errors: ${checked.issues[0]?.message}`);
        }
        if (bundled) return { questionnaire: bundled, source: 'bundled', notice: 'The record system does not have this form yet, so the copy built into this app is used.' };
        throw new FhirGatewayError('not-found', 'This form was not found in the record system.');
      } catch (error) {
        if (bundled && !(error instanceof FhirGatewayError && error.kind === 'invalid-input')) {
          return { questionnaire: bundled, source: 'bundled', notice: 'The record system could not be reached for this form, so the copy built into this app is used.' };
        }
        throw toGatewayError(error);
      }
    },

    async saveDraft(questionnaire, response) {
      const draft = labelForQuestionnaire(questionnaire, { ...response, status: 'in-progress' as const });
      if (draft.id && draft.meta?.versionId) {
        const { versionId, lastUpdated: _l, ...meta } = draft.meta;
        return call<QuestionnaireResponse>(() => client.update({
          resourceType: 'QuestionnaireResponse', id: draft.id!, body: { ...draft, meta } as never,
          options: requestOptions({ 'If-Match': `W/"${versionId}"` }),
        }));
      }
      responseUuid(draft); // a draft needs its identifier too
      const identifier = `${URN_IDENTIFIER_SYSTEM}|${draft.identifier!.value}`;
      return call<QuestionnaireResponse>(() => client.create({
        resourceType: 'QuestionnaireResponse', body: draft as never,
        options: requestOptions({ 'If-None-Exist': `identifier=${identifier}` }),
      }));
    },

    async submit({ questionnaire, response, label, onStatus }) {
      const invalid = findInvalidNhsNumber(response);
      if (invalid !== undefined) {
        const result: SubmitResult = { state: 'rejected', message: `Could not be saved: ${invalid} is not a valid NHS number, so nothing was sent. Check the patient's details.` };
        onStatus?.(result);
        return result;
      }
      onStatus?.({ state: 'saving', message: 'Saving to the record…' });
      const existing = response.id && response.meta?.versionId ? { id: response.id, versionId: response.meta.versionId } : undefined;
      const { meta: _meta, ...withoutMeta } = response;
      const { bundle } = buildTransactionBundle({ questionnaire, response: existing ? { ...withoutMeta, id: response.id } : withoutMeta, mapCode, product: PRODUCT, newUuid, existing });
      const entry: OutboxEntry = {
        id: responseUuid(response),
        bundle,
        label: label ?? questionnaire.title ?? 'Record',
        restricted: isRestricted(questionnaire),
        createdAt: new Date().toISOString(),
        attempts: 0,
      };
      await outbox.put(entry);
      const result = await send(entry, onStatus);
      onStatus?.(result);
      return result;
    },

    async flushOutbox() {
      const results: SubmitResult[] = [];
      for (const entry of await outbox.list()) results.push(await send(entry));
      return results;
    },

    pending: () => outbox.list(),
  };

  function requireBaseUrl(baseUrl: string | undefined): string {
    if (!baseUrl) throw new FhirGatewayError('invalid-input', 'No FHIR base URL was given to the gateway.');
    return baseUrl.replace(/\/$/, '');
  }
}
