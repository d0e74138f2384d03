/**
 * Extraction: from a completed QuestionnaireResponse to the coded resources a record system files,
 * and the one transaction Bundle that writes them all or nothing.
 *
 * - SDC observation-based extraction (`observationExtract`): one Observation per answer, coded with
 *   the item's local coding plus the SNOMED CT coding whenever the ConceptMap has a verified one.
 *   An item inherits `observationExtract` and `observation-extract-category` from its nearest
 *   ancestor (or the Questionnaire) that sets them, unless it sets its own; the category defaults to survey.
 * - A group carrying `follow-up-task` yields a Task when it is answered (the routine enquiry that
 *   could not be completed): the follow-up that cannot be lost.
 * - A Provenance names the author and the product (added by the bundle builder, which knows every entry).
 * - Every resource gets an identifier derived from the response's identifier, and its transaction
 *   entry uses `ifNoneExist` on it: a retried submit never creates a second record.
 * - Restricted questionnaires label every resource v3-Confidentiality R plus v3-ActCode SDV.
 */
import {
  KBS_EXTRACT_ONLY_WHEN_TRUE, KBS_EXTRACTED_ID, KBS_FOLLOW_UP_TASK, KBS_RESTRICTED_RECORD, OBSERVATION_CATEGORY, RESTRICTED_QUESTIONNAIRES,
  PROVENANCE_PARTICIPANT_TYPE, SDC_OBSERVATION_EXTRACT, SDC_OBSERVATION_EXTRACT_CATEGORY, SNOMED_CT, V3_ACT_CODE, V3_CONFIDENTIALITY,
} from './constants.js';
import { valueOf } from './answers.js';
import { isRestricted } from './restricted.js';
import { escapeLinkId, getExtension, indexQuestionnaire } from './paths.js';
import type { Answer, Coding, ItemNode, Questionnaire, QuestionnaireResponse, QuestionnaireResponseItem } from './types.js';

export const RESTRICTED_SECURITY: fhir4.Coding[] = [
  { system: V3_CONFIDENTIALITY, code: 'R', display: 'restricted' },
  { system: V3_ACT_CODE, code: 'SDV', display: 'sexual assault, abuse, or domestic violence information sensitivity' },
];

/** Local code → SNOMED CT codings, from the ConceptMap (only `equivalent`/`equal` targets). */
export type CodeMapper = (coding: Coding) => Coding[];

export function createCodeMapper(conceptMaps: readonly fhir4.ConceptMap[]): CodeMapper {
  const table = new Map<string, Coding[]>();
  for (const map of conceptMaps) {
    for (const group of map.group ?? []) {
      if (group.target !== SNOMED_CT) continue;
      for (const element of group.element ?? []) {
        const targets = (element.target ?? [])
          .filter((t) => t.code && (t.equivalence === 'equivalent' || t.equivalence === 'equal'))
          .map((t) => ({ system: SNOMED_CT, code: t.code!, ...(t.display ? { display: t.display } : {}) }));
        if (targets.length) table.set(`${group.source}|${element.code}`, targets);
      }
    }
  }
  return (coding) => table.get(`${coding.system}|${coding.code}`) ?? [];
}

export interface ProductInfo {
  name: string;
  version: string;
}

export interface ExtractInput {
  questionnaire: Questionnaire;
  /** Completed (or amended) response with subject, authored, author and a urn:uuid identifier. */
  response: QuestionnaireResponse;
  mapCode?: CodeMapper;
  /**
   * How extracted resources refer to the response: its bundle fullUrl, or `QuestionnaireResponse/<id>`.
   * Never the identifier's own urn:uuid: servers rewrite every occurrence of a fullUrl in a bundle.
   */
  responseReference: string;
}

export interface Extracted {
  observations: fhir4.Observation[];
  tasks: fhir4.Task[];
  restricted: boolean;
}


/** The resource with the restricted labels (R + SDV) added to its meta, when the questionnaire is restricted. */
export function labelForQuestionnaire<T extends fhir4.Resource>(questionnaire: Questionnaire, resource: T): T {
  return isRestricted(questionnaire) ? { ...resource, meta: { ...(resource.meta ?? {}), security: RESTRICTED_SECURITY } } : resource;
}

/** The response's UUID (from its `urn:uuid:` identifier); extraction needs one. */
export function responseUuid(response: QuestionnaireResponse): string {
  const value = response.identifier?.value ?? '';
  const match = /^urn:uuid:([0-9a-f-]{36})$/i.exec(value);
  if (!match) throw new Error('the QuestionnaireResponse needs a urn:uuid identifier before extraction');
  return match[1]!.toLowerCase();
}


function extractedIdentifier(response: QuestionnaireResponse, path: string): fhir4.Identifier {
  return { system: KBS_EXTRACTED_ID, value: `${responseUuid(response)}/${path}` };
}

/** Observation value[x] for an answer (Observation has no valueDecimal, valueDate or valueCoding). */
function observationValue(answer: Answer, mapCode: CodeMapper): Partial<fhir4.Observation> | undefined {
  const v = valueOf(answer);
  if (!v) return undefined;
  switch (v.key) {
    case 'valueBoolean': return { valueBoolean: v.value as boolean };
    case 'valueInteger': return { valueInteger: v.value as number };
    case 'valueDecimal': return { valueQuantity: { value: v.value as number } };
    case 'valueQuantity': return { valueQuantity: v.value as fhir4.Quantity };
    case 'valueString': return { valueString: v.value as string };
    case 'valueDate':
    case 'valueDateTime': return { valueDateTime: v.value as string };
    case 'valueTime': return { valueTime: v.value as string };
    case 'valueCoding': {
      const coding = v.value as Coding;
      return { valueCodeableConcept: { coding: [coding, ...mapCode(coding)], ...(coding.display ? { text: coding.display } : {}) } };
    }
    default: return undefined;
  }
}

const SURVEY: fhir4.CodeableConcept[] = [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'survey', display: 'Survey' }] }];

/** The extensions with `url` on the item itself, else on its nearest ancestor, else on the Questionnaire. */
function inherited(node: ItemNode | undefined, questionnaire: Questionnaire, url: string): fhir4.Extension[] {
  for (let n = node; n; n = n.parent) {
    const own = (n.item.extension ?? []).filter((e) => e.url === url);
    if (own.length) return own;
  }
  return (questionnaire.extension ?? []).filter((e) => e.url === url);
}

/** SDC observationExtract, inherited: does this item file its answers as Observations? */
export function extractsObservation(node: ItemNode, questionnaire: Questionnaire): boolean {
  return inherited(node, questionnaire, SDC_OBSERVATION_EXTRACT)[0]?.valueBoolean === true;
}

/** SDC observation-extract-category, inherited; survey when nothing sets it. */
export function observationCategory(node: ItemNode, questionnaire: Questionnaire): fhir4.CodeableConcept[] {
  const categories = inherited(node, questionnaire, SDC_OBSERVATION_EXTRACT_CATEGORY).flatMap((e) => (e.valueCodeableConcept ? [e.valueCodeableConcept] : []));
  return categories.length ? categories : SURVEY;
}

interface Located {
  item: QuestionnaireResponseItem;
  path: string;
}

/** Every response item with its path (repeats numbered by position), depth first. */
function flatten(items: QuestionnaireResponseItem[] | undefined, parent = ''): Located[] {
  const seen = new Map<string, number>();
  return (items ?? []).flatMap((item) => {
    const n = seen.get(item.linkId) ?? 0;
    seen.set(item.linkId, n + 1);
    const path = `${parent}${escapeLinkId(item.linkId)}${n ? `[${n}]` : ''}`;
    const nested = [...(item.item ?? []), ...(item.answer ?? []).flatMap((a) => a.item ?? [])];
    return [{ item, path }, ...flatten(nested, `${path}/`)];
  });
}

export function extractResources({ questionnaire, response, mapCode = () => [], responseReference }: ExtractInput): Extracted {
  const index = indexQuestionnaire(questionnaire);
  const restricted = isRestricted(questionnaire);
  const meta = restricted ? { meta: { security: RESTRICTED_SECURITY } } : {};
  const common = {
    ...(response.subject ? { subject: response.subject } : {}),
    ...(response.encounter ? { encounter: response.encounter } : {}),
  };
  const observations: fhir4.Observation[] = [];
  const tasks: fhir4.Task[] = [];
  const located = flatten(response.item);

  for (const { item: responseItem, path } of located) {
    const node = index.byLinkId.get(responseItem.linkId);
    const questionItem = node?.item;
    if (!node || !questionItem) continue;

    if (questionItem.type !== 'group' && questionItem.type !== 'display' && questionItem.code?.length && extractsObservation(node, questionnaire)) {
      const category = observationCategory(node, questionnaire);
      const onlyTrue = getExtension(questionItem, KBS_EXTRACT_ONLY_WHEN_TRUE)?.valueBoolean === true;
      (responseItem.answer ?? []).forEach((answer, i) => {
        if (onlyTrue && answer.valueBoolean !== true) return;
        const value = observationValue(answer, mapCode);
        if (!value) return;
        const codings = questionItem.code!.flatMap((c) => [c, ...mapCode(c)]);
        observations.push({
          resourceType: 'Observation',
          ...meta,
          identifier: [extractedIdentifier(response, `${path}#${i}`)],
          status: response.status === 'amended' ? 'amended' : 'final',
          category,
          code: { coding: codings, text: questionItem.code![0]!.display ?? questionItem.text },
          ...common,
          ...(response.authored ? { effectiveDateTime: response.authored, issued: response.authored } : {}),
          ...(response.author ? { performer: [response.author] } : {}),
          ...value,
          derivedFrom: [{ reference: responseReference }],
        } as fhir4.Observation);
      });
    }

    const followUp = getExtension(questionItem, KBS_FOLLOW_UP_TASK);
    if (followUp) tasks.push(followUpTask(followUp, responseItem, path, response, responseReference, meta, mapCode));
  }

  return { observations, tasks, restricted };
}

/** Reads the follow-up Task's fields from the named child items of the answered group. */
function followUpTask(
  spec: fhir4.Extension,
  group: QuestionnaireResponseItem,
  path: string,
  response: QuestionnaireResponse,
  responseReference: string,
  meta: object,
  mapCode: CodeMapper,
): fhir4.Task {
  const part = (name: string) => spec.extension?.find((e) => e.url === name);
  const answersOf = (linkId: string | undefined) =>
    linkId ? flatten(group.item).filter((l) => l.item.linkId === linkId).flatMap((l) => l.item.answer ?? []) : [];
  const due = answersOf(part('dueDate')?.valueString)[0]?.valueDate;
  const role = answersOf(part('ownerRole')?.valueString)[0]?.valueCoding;
  const name = answersOf(part('ownerName')?.valueString)[0]?.valueString;
  const reasons = answersOf(part('reason')?.valueString).map((a) => a.valueCoding?.display ?? a.valueString).filter(Boolean);
  const reasonOther = answersOf(part('reasonOther')?.valueString)[0]?.valueString;
  const code = part('code')?.valueCoding;
  const description = [
    part('description')?.valueString ?? 'Follow up',
    reasons.length ? `Not completed because: ${[...reasons, ...(reasonOther ? [reasonOther] : [])].join('; ')}.` : '',
    role || name ? `Follow-up by: ${[role?.display, name].filter(Boolean).join(', ')}.` : '',
  ].filter(Boolean).join(' ');
  return {
    resourceType: 'Task',
    ...meta,
    identifier: [extractedIdentifier(response, `${path}#task`)],
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    ...(code ? { code: { coding: [code, ...mapCode(code)], text: code.display } } : {}),
    description,
    focus: { reference: responseReference },
    ...(response.subject ? { for: response.subject } : {}),
    ...(response.encounter ? { encounter: response.encounter } : {}),
    ...(response.authored ? { authoredOn: response.authored, lastModified: response.authored } : {}),
    // The author asks for it; who does it is the role (and name) chosen, not the author. `owner` is
    // left for the organisation's task routing to fill with a person or team.
    ...(response.author ? { requester: response.author } : {}),
    ...(role ? { performerType: [{ coding: [role, ...mapCode(role)], text: role.display }] } : {}),
    ...(due ? { restriction: { period: { end: due } } } : {}),
  } as fhir4.Task;
}

const identifierQuery = (identifier: fhir4.Identifier) => `identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}`;

export interface TransactionOptions extends Omit<ExtractInput, 'responseReference'> {
  product: ProductInfo;
  /** Names the bundle entries (urn:uuid fullUrls); identity across retries comes from identifiers, not these. */
  newUuid: () => string;
  /** The stored response this one updates (a saved draft, or an amendment): id and version, sent as If-Match. */
  existing?: { id: string; versionId: string };
  /**
   * Open follow-up Tasks this submission answers (the routine enquiry's, for this mother and stage).
   * A submission with no follow-up of its own completes them (`output` → this response); one that
   * needs a follow-up again updates the first in place (new reason and due date, the earlier ones
   * kept in `note` and in the Task's history) instead of opening a second. Each is a versioned update.
   */
  followUps?: StoredTask[];
}

/** A Task as stored on the server, with the version an update must match. */
export interface StoredTask {
  id: string;
  versionId: string;
  task: fhir4.Task;
}

/** The Task updates a submission makes to the open follow-ups it answers. */
function followUpUpdates(followUps: StoredTask[], newTask: fhir4.Task | undefined, urn: string, response: QuestionnaireResponse): fhir4.Task[] {
  const when = response.authored ?? new Date(0).toISOString();
  const noteOf = (t: fhir4.Task) => [...(t.note ?? [])];
  return followUps.map((stored, i) => {
    const { meta: _meta, ...old } = stored.task;
    if (newTask && i === 0) {
      // Still not completed: the same follow-up, with the new reason and due date.
      return {
        ...newTask,
        id: stored.id,
        identifier: old.identifier ?? newTask.identifier,
        authoredOn: old.authoredOn ?? newTask.authoredOn,
        lastModified: when,
        note: [...noteOf(stored.task), { time: when, text: `Not completed again. Before: ${old.description ?? ''}${old.restriction?.period?.end ? ` Due ${old.restriction.period.end}.` : ''}` }],
        ...(newTask.meta ? { meta: newTask.meta } : {}),
      } as fhir4.Task;
    }
    const completed = !newTask;
    return {
      ...old,
      status: completed ? 'completed' : 'cancelled',
      lastModified: when,
      ...(completed ? { output: [{ type: { text: 'Routine enquiry completed' }, valueReference: { reference: urn } }] } : {}),
      note: [...noteOf(stored.task), { time: when, text: completed ? 'Routine enquiry completed.' : 'Replaced by the follow-up opened at the same contact.' }],
    } as fhir4.Task;
  });
}

/**
 * One transaction: the response, the extracted resources and the Provenance, linked by urn:uuid.
 * Creates are conditional on the client identifier (Provenance, which has no identifier in R4, on
 * a tag carrying the same value); an amendment is a versioned update.
 */
export function buildTransactionBundle(options: TransactionOptions): { bundle: fhir4.Bundle; extracted: Extracted } {
  const { response, existing, newUuid, product } = options;
  const urn = `urn:uuid:${newUuid()}`;
  const extracted = extractResources({ ...options, responseReference: urn });
  const security = extracted.restricted ? { security: RESTRICTED_SECURITY } : {};
  const labelled = labelForQuestionnaire(options.questionnaire, response);
  const entries: fhir4.BundleEntry[] = [
    existing
      ? { fullUrl: urn, resource: { ...labelled, id: existing.id }, request: { method: 'PUT', url: `QuestionnaireResponse/${existing.id}`, ifMatch: `W/"${existing.versionId}"` } }
      : { fullUrl: urn, resource: labelled, request: { method: 'POST', url: 'QuestionnaireResponse', ifNoneExist: identifierQuery(response.identifier!) } },
  ];
  const followUps = options.followUps ?? [];
  const updates = followUpUpdates(followUps, extracted.tasks[0], urn, response).map((t) => (extracted.restricted ? { ...t, meta: { ...(t.meta ?? {}), security: RESTRICTED_SECURITY } } : t));
  // A follow-up that replaces an open one is written as that Task's update, not as a new Task.
  const newTasks = followUps.length ? extracted.tasks.slice(1) : extracted.tasks;
  for (const resource of [...extracted.observations, ...newTasks]) {
    const query = identifierQuery(resource.identifier![0]!);
    entries.push({
      fullUrl: `urn:uuid:${newUuid()}`,
      resource,
      // A first submission creates (conditionally); an update of a stored response updates each
      // extracted resource in place (conditional update), so a changed answer never leaves a stale entry.
      request: existing ? { method: 'PUT', url: `${resource.resourceType}?${query}` } : { method: 'POST', url: resource.resourceType, ifNoneExist: query },
    });
  }
  updates.forEach((task, i) => {
    entries.push({ fullUrl: `urn:uuid:${newUuid()}`, resource: task, request: { method: 'PUT', url: `Task/${followUps[i]!.id}`, ifMatch: `W/"${followUps[i]!.versionId}"` } });
  });
  const version = existing ? `/${response.status}/${response.authored}` : '';
  const tag = { system: KBS_EXTRACTED_ID, code: `${responseUuid(response)}/provenance${version}` };
  const provenance: fhir4.Provenance = {
    resourceType: 'Provenance',
    meta: { ...security, tag: [tag] },
    target: entries.map((e) => ({ reference: e.fullUrl! })),
    recorded: response.authored ?? new Date(0).toISOString(),
    agent: [
      ...(response.author ? [{ type: { coding: [{ system: PROVENANCE_PARTICIPANT_TYPE, code: 'author', display: 'Author' }] }, who: response.author }] : []),
      { type: { coding: [{ system: PROVENANCE_PARTICIPANT_TYPE, code: 'assembler', display: 'Assembler' }] }, who: { display: `${product.name} ${product.version}` } },
    ],
    entity: [{ role: 'source', what: { reference: urn } }],
  };
  entries.push({
    fullUrl: `urn:uuid:${newUuid()}`,
    resource: provenance,
    request: { method: 'POST', url: 'Provenance', ifNoneExist: `_tag=${encodeURIComponent(`${tag.system}|${tag.code}`)}` },
  });
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry: entries }, extracted };
}
