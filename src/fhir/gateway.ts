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
  buildTransactionBundle, createCodeMapper, findInvalidNhsNumber, isPlainSearch, isRestricted, isValidNhsNumber, loadQuestionnaireWith, loadSchemaValidator, normaliseNhsNumber,
  labelForQuestionnaire, KBS_CONCEPTS, NHS_NUMBER_SYSTEM, OPEN_TASK_STATUSES, ROUTINE_ENQUIRY_FOLLOW_UP, type Reference, type StoredTask, responseUuid, URN_IDENTIFIER_SYSTEM, type ProductInfo, type Questionnaire,
  type QuestionnaireResponse,
} from '../engine/index.js';
import { FhirGatewayError, toGatewayError } from './errors.js';
import { defaultStore, Outbox, withEntryLock, type OutboxEntry } from './outbox.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { confirmOnServer, writeSubmission, type WriteMode } from './write.js';

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
  /** The outbox entry (the response's UUID). */
  id?: string;
  /** Queued because the server refused the sign-in: sent again once a new token is given. */
  needsSignIn?: boolean;
  /** Server locations of what was written, in bundle order (when saved). */
  locations?: string[];
  error?: FhirGatewayError;
}

export interface SubmitInput {
  questionnaire: Questionnaire;
  response: QuestionnaireResponse;
  /** Open follow-up Tasks this submission answers: completed, or updated when still not done (see buildTransactionBundle). */
  followUps?: StoredTask[];
  /** A short, non-clinical label for the outbox list (e.g. the template title). */
  label?: string;
  onStatus?: (status: SaveStatus) => void;
}

export interface LoadedQuestionnaire {
  questionnaire: Questionnaire;
  source: 'server' | 'bundled';
  /** Said to the user when the bundled copy is used. */
  notice?: string;
  /** The bundled copy is used because the record system did not answer (unreachable, or refused the sign-in). */
  unanswered?: boolean;
}

export interface KbsGateway {
  resolvePatient(query: { id?: string; nhsNumber?: string }): Promise<fhir4.Patient>;
  /** The baby's mother, through the baby's RelatedPerson (relationship MTH) and her NHS number. */
  resolveMother(baby: fhir4.Patient): Promise<fhir4.Patient>;
  loadQuestionnaire(canonical: string, bundled?: Questionnaire): Promise<LoadedQuestionnaire>;
  saveDraft(questionnaire: Questionnaire, response: QuestionnaireResponse): Promise<QuestionnaireResponse>;
  submit(input: SubmitInput): Promise<SubmitResult>;
  /** Sends whatever is waiting in the outbox for this server (after a reload, when the connection or a new token is back). */
  flushOutbox(): Promise<SubmitResult[]>;
  pending(): Promise<OutboxEntry[]>;
  /**
   * The routine enquiry's record for one woman: her open follow-up Tasks and her enquiries
   * (QuestionnaireResponses of the given canonical URL), newest first.
   */
  enquiryRecord(mother: Reference, questionnaireUrl: string): Promise<EnquiryRecord>;
  /** Open routine-enquiry follow-ups across a caseload, optionally for one owner (Practitioner or PractitionerRole). */
  openFollowUps(query: { owner?: Reference }): Promise<CaseloadEntry[]>;
  /** Told of every result of a send, the outbox's own resends included; returns the unsubscribe. */
  onResult(listener: (result: SubmitResult) => void): () => void;
  /**
   * Runs a questionnaire's population query (an SDC `x-fhir-query`): a search of one resource type
   * on this server, relative to its base (`Observation?subject=Patient/1&code=…`). Optional: a
   * host's own gateway without it gets no population.
   */
  query?(search: string): Promise<fhir4.Bundle>;
  /**
   * The codes of a ValueSet, by `ValueSet/$expand?url=` on the terminology server (or this server),
   * cached for the life of the gateway. Rejects when the ValueSet cannot be expanded. Optional.
   */
  expandValueSet?(canonical: string): Promise<fhir4.Coding[]>;
}

export interface EnquiryRecord {
  followUps: StoredTask[];
  enquiries: QuestionnaireResponse[];
}

export interface CaseloadEntry {
  task: StoredTask;
  /** The woman the follow-up is for, when her record could be read. */
  patient?: fhir4.Patient;
  /** The enquiry that opened it (its stage), when it could be read. */
  enquiry?: QuestionnaireResponse;
}

/** The code the routine enquiry's follow-up Tasks carry. */
export const FOLLOW_UP_CODE = `${KBS_CONCEPTS}|${ROUTINE_ENQUIRY_FOLLOW_UP}`;
const OPEN_STATUSES = [...OPEN_TASK_STATUSES].join(',');

export interface GatewayOptions {
  baseUrl?: string;
  /** The bearer token, or a function read before every request (a token that changes is then followed). */
  token?: string | (() => string | undefined);
  /** A host-supplied, already-configured fhir-kit-client. */
  client?: Client;
  conceptMaps?: fhir4.ConceptMap[];
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Defaults to IndexedDB (encrypted) in browsers, memory elsewhere. */
  outbox?: Outbox;
  newUuid?: () => string;
  /**
   * Resend what is queued by itself: at start, when the browser comes back online, and on a backoff
   * timer while anything is queued. On by default where there is a window.
   */
  autoResend?: boolean;
  /** First and longest wait of the resend timer. */
  resendDelayMs?: { first: number; max: number };
  /** Where `ValueSet/$expand` is asked; defaults to the FHIR server itself. Only canonical URLs are sent to it. */
  terminologyServer?: string;
}

/** How many expansions a gateway keeps (each one ValueSet's codes). */
const EXPANSION_CACHE_SIZE = 100;

const SUCCESS = /^2\d\d/;

export function createFhirGateway(options: GatewayOptions): KbsGateway {
  const client = options.client ?? new Client({ baseUrl: requireBaseUrl(options.baseUrl) });
  const tokenNow = typeof options.token === 'function' ? options.token : () => options.token as string | undefined;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 20_000;
  const outbox = options.outbox ?? new Outbox(defaultStore());
  const baseUrl = (options.baseUrl ?? (client as unknown as { baseUrl?: string }).baseUrl ?? '').replace(/\/$/, '');
  const listeners = new Set<(result: SubmitResult) => void>();
  const newUuid = options.newUuid ?? (() => globalThis.crypto.randomUUID());
  const mapCode = createCodeMapper(options.conceptMaps ?? []);
  const terminology = options.terminologyServer ? new Client({ baseUrl: options.terminologyServer.replace(/\/$/, '') }) : client;
  const expansions = new Map<string, Promise<fhir4.Coding[]>>();
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

  // ---- writing -------------------------------------------------------------------------------

  /** How this server is written to: from its CapabilityStatement (once), and from what it refused. */
  let mode: Promise<WriteMode> | undefined;
  const writeMode = (): Promise<WriteMode> => {
    mode ??= client.capabilityStatement(requestOptions() as never).then(
      (cs) => {
        const rest = (cs as unknown as fhir4.CapabilityStatement).rest ?? [];
        const declared = rest.some((r) => r.interaction?.some((i) => i.code === 'transaction'));
        return declared || rest.length === 0 ? 'transaction' : 'sequence';
      },
      () => {
        mode = undefined; // not known yet: ask again next time, try a transaction now
        return 'transaction' as const;
      },
    );
    return mode;
  };

  const tell = (result: SubmitResult) => {
    for (const listener of listeners) listener(result);
    return result;
  };

  async function send(entry: OutboxEntry, onStatus?: SubmitInput['onStatus']): Promise<SubmitResult> {
    const id = entry.id;
    let current = entry;
    const deps = {
      client,
      options: requestOptions,
      call: <T>(operation: () => Promise<unknown>) => call<T>(operation, (error, attempt) => onStatus?.({
        state: 'retrying', message: `Not saved yet — retrying (attempt ${attempt + 1} of ${policy.attempts}).`, detail: error.detail,
      })),
      mode: writeMode,
      useSequence: () => void (mode = Promise.resolve('sequence')),
      saveProgress: async (progress: NonNullable<OutboxEntry['progress']>) => {
        current = { ...current, progress: { ...progress, refs: { ...progress.refs }, created: [...progress.created] } };
        await outbox.put(current);
      },
    };
    try {
      const locations = await writeSubmission(entry.bundle, entry.progress, deps);
      await outbox.remove(id);
      return tell({ id, state: 'saved', message: 'Saved to the record.', locations });
    } catch (raw) {
      const error = toGatewayError(raw);
      // Whatever the reply said, a record that is on the server as sent is saved.
      if ((error.kind === 'unconfirmed' || error.status === 412) && (await confirmOnServer(entry.bundle, deps).catch(() => false))) {
        await outbox.remove(id);
        return tell({ id, state: 'saved', message: 'Saved to the record.' });
      }
      const kept = entry.restricted ? 'kept encrypted on this device' : 'kept on this device';
      if (error.status === 401 || error.status === 403) {
        await outbox.put({ ...current, attempts: current.attempts + 1, lastError: error.detail, needsSignIn: true });
        return tell({ id, state: 'queued', needsSignIn: true, message: `Not saved yet: the record system did not accept your sign-in. Sign in again: your answers are ${kept} and will be sent as soon as you do.`, detail: error.detail, error });
      }
      if (error.retryable) {
        await outbox.put({ ...current, attempts: current.attempts + 1, lastError: error.detail, needsSignIn: false });
        return tell({ id, state: 'queued', message: `Not saved yet: ${error.message} Your answers are ${kept} and will be sent again.`, detail: error.detail, error });
      }
      await outbox.remove(id);
      return tell({ id, state: 'rejected', message: `Could not be saved. ${error.message}`, detail: error.detail, error });
    }
  }

  /** Sends one entry unless another element or tab is already sending it. */
  const sendOnce = (entry: OutboxEntry, onStatus?: SubmitInput['onStatus']) => withEntryLock(entry.id, async () => {
    // Another tab may have sent it while this one waited.
    const fresh = await outbox.get(entry.id).catch(() => undefined);
    return fresh ? send(fresh, onStatus) : undefined;
  });

  // ---- resending by itself ----------------------------------------------------------------------

  const resend = options.resendDelayMs ?? { first: 3_000, max: 60_000 };
  let flushing: Promise<SubmitResult[]> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wait = resend.first;

  async function flush(): Promise<SubmitResult[]> {
    const results: SubmitResult[] = [];
    for (const entry of await outbox.list()) {
      if ((entry.baseUrl ?? baseUrl) !== baseUrl) continue; // another server's
      const result = await sendOnce(entry);
      if (result) results.push(result);
    }
    return results;
  }

  /** One flush at a time; a call during a flush waits for it and then flushes again. */
  function flushOutbox(): Promise<SubmitResult[]> {
    const next = (flushing ?? Promise.resolve([] as SubmitResult[])).catch(() => []).then(() => flush());
    flushing = next;
    void next.finally(() => {
      if (flushing === next) flushing = undefined;
    }).then(() => void (autoResend && schedule()), () => void (autoResend && schedule()));
    return next;
  }

  /** While anything of this server's is queued, try again later, waiting longer each time. */
  async function schedule(): Promise<void> {
    const queued = (await outbox.list().catch(() => [])).some((e) => (e.baseUrl ?? baseUrl) === baseUrl);
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!queued) {
      wait = resend.first;
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      void flushOutbox();
    }, wait);
    (timer as { unref?: () => void }).unref?.();
    wait = Math.min(wait * 2, resend.max);
  }

  const autoResend = options.autoResend ?? typeof window !== 'undefined';
  if (autoResend) {
    globalThis.addEventListener?.('online', () => {
      wait = resend.first;
      void flushOutbox();
    });
    setTimeout(() => void flushOutbox(), 0);
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
          // The server's copy comes from elsewhere: checked against the schema (the validator is loaded now).
          const checked = loadQuestionnaireWith(await loadSchemaValidator(), found);
          if (checked.questionnaire) return { questionnaire: checked.questionnaire, source: 'server' };
          if (bundled) return { questionnaire: bundled, source: 'bundled', notice: "The record system's copy of this form has errors, so the copy built into this app is used." };
          throw new FhirGatewayError('invalid-input', `The record system's copy of this form has errors: ${checked.issues[0]?.message}`);
        }
        if (bundled) return { questionnaire: bundled, source: 'bundled', notice: 'The record system does not have this form yet, so the copy built into this app is used.' };
        throw new FhirGatewayError('not-found', 'This form was not found in the record system.');
      } catch (error) {
        if (bundled && !(error instanceof FhirGatewayError && error.kind === 'invalid-input')) {
          return { questionnaire: bundled, source: 'bundled', unanswered: true, notice: 'The record system could not be reached for this form, so the copy built into this app is used.' };
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

    async submit({ questionnaire, response, label, onStatus, followUps }) {
      const invalid = findInvalidNhsNumber(response);
      if (invalid !== undefined) {
        const result: SubmitResult = { state: 'rejected', message: `Could not be saved: ${invalid} is not a valid NHS number, so nothing was sent. Check the patient's details.` };
        onStatus?.(result);
        return result;
      }
      onStatus?.({ state: 'saving', message: 'Saving to the record…' });
      const existing = response.id && response.meta?.versionId ? { id: response.id, versionId: response.meta.versionId } : undefined;
      const { meta: _meta, ...withoutMeta } = response;
      const { bundle } = buildTransactionBundle({ questionnaire, response: existing ? { ...withoutMeta, id: response.id } : withoutMeta, mapCode, product: PRODUCT, newUuid, existing, followUps });
      const entry: OutboxEntry = {
        id: responseUuid(response),
        baseUrl,
        bundle,
        label: label ?? questionnaire.title ?? 'Record',
        restricted: isRestricted(questionnaire),
        createdAt: new Date().toISOString(),
        attempts: 0,
      };
      await outbox.put(entry);
      const result = (await sendOnce(entry, onStatus)) ?? { id: entry.id, state: 'queued' as const, message: 'Not saved yet: this record is being sent from another window.' };
      onStatus?.(result);
      if (result.state === 'queued' && autoResend) void schedule();
      return result;
    },

    flushOutbox,

    async enquiryRecord(mother, questionnaireUrl) {
      const ref = mother.reference;
      if (!ref) throw new FhirGatewayError('invalid-input', "The mother's record is not known.");
      const [tasks, responses] = await Promise.all([
        call<fhir4.Bundle>(() => client.search({ resourceType: 'Task', searchParams: { patient: ref, code: FOLLOW_UP_CODE, status: OPEN_STATUSES, _count: '100' }, options: requestOptions() })),
        call<fhir4.Bundle>(() => client.search({ resourceType: 'QuestionnaireResponse', searchParams: { subject: ref, _count: '200' }, options: requestOptions() })),
      ]);
      const followUps = (tasks.entry ?? []).map((e) => e.resource as fhir4.Task).filter((t) => t?.resourceType === 'Task' && t.id && t.for?.reference === ref)
        .map((task) => ({ id: task.id!, versionId: task.meta?.versionId ?? '', task }));
      const enquiries = (responses.entry ?? []).map((e) => e.resource as QuestionnaireResponse)
        .filter((r) => r?.resourceType === 'QuestionnaireResponse' && (r.questionnaire ?? '').split('|')[0] === questionnaireUrl)
        .sort((a, b) => (b.authored ?? '').localeCompare(a.authored ?? ''));
      return { followUps, enquiries };
    },

    async openFollowUps({ owner }) {
      const bundle = await call<fhir4.Bundle>(() => client.search({
        resourceType: 'Task', searchParams: { code: FOLLOW_UP_CODE, status: OPEN_STATUSES, _count: '500', ...(owner?.reference ? { owner: owner.reference } : {}) }, options: requestOptions(),
      }));
      const tasks = (bundle.entry ?? []).map((e) => e.resource as fhir4.Task).filter((t) => t?.resourceType === 'Task' && t.id);
      const ids = [...new Set(tasks.map((t) => t.for?.reference).filter((r): r is string => !!r && /^Patient\/[^/]+$/.test(r)))];
      const patients = new Map<string, fhir4.Patient>();
      await Promise.all(ids.map(async (ref) => {
        const patient = await call<fhir4.Patient>(() => client.read({ resourceType: 'Patient', id: ref.slice('Patient/'.length), options: requestOptions() })).catch(() => undefined);
        if (patient) patients.set(ref, patient);
      }));
      const focusIds = [...new Set(tasks.map((t) => /^QuestionnaireResponse\/([^/]+)$/.exec(t.focus?.reference ?? '')?.[1]).filter((id): id is string => !!id))];
      const enquiries = new Map<string, QuestionnaireResponse>();
      if (focusIds.length) {
        const found = await call<fhir4.Bundle>(() => client.search({ resourceType: 'QuestionnaireResponse', searchParams: { _id: focusIds.join(','), _count: String(focusIds.length) }, options: requestOptions() })).catch(() => undefined);
        for (const e of found?.entry ?? []) if (e.resource?.id) enquiries.set(`QuestionnaireResponse/${e.resource.id}`, e.resource as QuestionnaireResponse);
      }
      return tasks.map((task) => ({
        task: { id: task.id!, versionId: task.meta?.versionId ?? '', task },
        patient: patients.get(task.for?.reference ?? ''),
        enquiry: enquiries.get(task.focus?.reference ?? ''),
      }));
    },

    pending: async () => (await outbox.list()).filter((e) => (e.baseUrl ?? baseUrl) === baseUrl),

    onResult(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async query(search) {
      if (!isPlainSearch(search)) throw new FhirGatewayError('invalid-input', `"${search}" is not a search of one resource type on this server.`);
      const result = await call<fhir4.Resource>(() => client.request(search, { options: requestOptions() } as never));
      if (result?.resourceType !== 'Bundle') throw new FhirGatewayError('http', `The record system answered "${search}" with something other than a search result.`);
      return result as fhir4.Bundle;
    },

    expandValueSet(canonical) {
      const cached = expansions.get(canonical);
      if (cached) return cached;
      const [url, version] = canonical.split('|');
      const searchParams = `url=${encodeURIComponent(url!)}${version ? `&valueSetVersion=${encodeURIComponent(version)}` : ''}`;
      // The terminology server is sent the ValueSet's canonical URL only, never anything about the patient.
      const token = terminology === client ? requestOptions() : { signal: AbortSignal.timeout(timeoutMs) };
      const expansion = call<fhir4.ValueSet>(() => terminology.request(`ValueSet/$expand?${searchParams}`, { options: token } as never)).then((valueSet) => {
        const codings = flattenExpansion(valueSet?.expansion?.contains);
        if (valueSet?.resourceType !== 'ValueSet' || !codings.length) throw new FhirGatewayError('not-found', `The terminology server has no codes for ${canonical}.`);
        return codings;
      });
      expansions.set(canonical, expansion);
      expansion.catch(() => expansions.delete(canonical)); // a failure is asked again next time
      if (expansions.size > EXPANSION_CACHE_SIZE) expansions.delete(expansions.keys().next().value!);
      return expansion;
    },
  };

  function flattenExpansion(contains: fhir4.ValueSetExpansionContains[] | undefined): fhir4.Coding[] {
    return (contains ?? []).flatMap((c) => [
      ...(c.code && !c.abstract && !c.inactive ? [{ ...(c.system ? { system: c.system } : {}), ...(c.version ? { version: c.version } : {}), code: c.code, ...(c.display ? { display: c.display } : {}) }] : []),
      ...flattenExpansion(c.contains),
    ]);
  }

  function requireBaseUrl(baseUrl: string | undefined): string {
    if (!baseUrl) throw new FhirGatewayError('invalid-input', 'No FHIR base URL was given to the gateway.');
    return baseUrl.replace(/\/$/, '');
  }
}
export { FhirGatewayError } from './errors.js';
/** The audit's paged searches (plain fetch), for `<kbs-audit>`. */
export { auditRecords } from './audit-source.js';
