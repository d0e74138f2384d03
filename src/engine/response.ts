/**
 * QuestionnaireResponse build: nested items mirror the Questionnaire; disabled items and empty
 * answers are omitted; repeating groups give one response item per instance. The clock and the
 * identifier come from the caller, so the same form instance always builds the same identity.
 */
import { isWellFormed, valueOf } from './answers.js';
import { isRepeatingGroup, pathsUnder } from './paths.js';
import type { FormState, ItemNode, ItemPath, QuestionnaireResponse, QuestionnaireResponseItem, Reference } from './types.js';

/** Identifier system for client-generated identifiers (a urn:uuid value). */
export const URN_IDENTIFIER_SYSTEM = 'urn:ietf:rfc:3986';

export interface ResponseMeta {
  status: 'in-progress' | 'completed' | 'amended' | 'entered-in-error' | 'stopped';
  /** A UUID, generated once per form instance by the caller's id generator. */
  identifier: string;
  subject?: Reference;
  encounter?: Reference;
  author?: Reference;
  source?: Reference;
  /** The clock, passed in. */
  now: () => Date;
  /** Server id, when amending a stored response. */
  id?: string;
  meta?: fhir4.Meta;
}

/** The canonical reference a response carries: `url|version`. */
export function questionnaireCanonical(q: fhir4.Questionnaire): string | undefined {
  if (!q.url) return undefined;
  return q.version ? `${q.url}|${q.version}` : q.url;
}

/** The item tree of the response, without metadata (also what FHIRPath expressions see). */
export function toQuestionnaireResponse(state: FormState): QuestionnaireResponse {
  const items = buildItems(state, state.index.roots, undefined);
  const canonical = questionnaireCanonical(state.questionnaire);
  return {
    resourceType: 'QuestionnaireResponse',
    ...(canonical ? { questionnaire: canonical } : {}),
    status: 'in-progress',
    ...(items.length ? { item: items } : {}),
  };
}

export function buildQuestionnaireResponse(state: FormState, meta: ResponseMeta): QuestionnaireResponse {
  const body = toQuestionnaireResponse(state);
  const response: QuestionnaireResponse = {
    resourceType: 'QuestionnaireResponse',
    ...(meta.id ? { id: meta.id } : {}),
    ...(meta.meta ? { meta: meta.meta } : {}),
    identifier: { system: URN_IDENTIFIER_SYSTEM, value: `urn:uuid:${meta.identifier}` },
    ...(body.questionnaire ? { questionnaire: body.questionnaire } : {}),
    status: meta.status,
    ...(meta.subject ? { subject: meta.subject } : {}),
    ...(meta.encounter ? { encounter: meta.encounter } : {}),
    authored: meta.now().toISOString(),
    ...(meta.author ? { author: meta.author } : {}),
    ...(meta.source ? { source: meta.source } : {}),
    ...(body.item ? { item: body.item } : {}),
  };
  return response;
}

function buildItems(state: FormState, nodes: readonly ItemNode[], parentPath: ItemPath | undefined): QuestionnaireResponseItem[] {
  const out: QuestionnaireResponseItem[] = [];
  for (const node of nodes) {
    for (const path of pathsUnder(state, node, parentPath)) {
      if (!state.enabled.has(path)) continue;
      const built = buildItem(state, node, path);
      if (built) out.push(built);
    }
  }
  return out;
}

function buildItem(state: FormState, node: ItemNode, path: ItemPath): QuestionnaireResponseItem | undefined {
  const { item } = node;
  const base: QuestionnaireResponseItem = { linkId: item.linkId, ...(item.text ? { text: item.text } : {}) };
  const children = buildItems(state, node.children, path);
  if (item.type === 'group' || isRepeatingGroup(item)) {
    return children.length ? { ...base, item: children } : undefined;
  }
  if (item.type === 'display') return undefined;
  const answers = (state.answers.get(path) ?? []).filter((a) => {
    const v = valueOf(a);
    return v !== undefined && isWellFormed(v.key, v.value);
  });
  if (!answers.length) return children.length ? { ...base, item: children } : undefined;
  // Items nested under a question belong to its answer (R4 QuestionnaireResponse.item.answer.item).
  const answer = answers.map((a, i) => (i === 0 && children.length ? { ...a, item: children } : { ...a }));
  return { ...base, answer };
}
