/**
 * Form state: the answers of one form instance, keyed by item path, and which items are enabled.
 * Every change returns a new state plus what became shown or hidden; nothing is mutated.
 */
import { ANSWER_VALUE_KEY, KBS_SUGGEST_ONLY, SDC_CALCULATED_EXPRESSION, SDC_INITIAL_EXPRESSION } from './constants.js';
import { isEmptyAnswer } from './answers.js';
import { allPaths, nodeAt, propagate } from './enable-when.js';
import { buildScope, safeEvaluate, type ExpressionScope } from './expressions.js';
import { getExtension, indexQuestionnaire, instancePath, instancesKey, isRepeatingGroup, itemPath, lastSegmentOf, linkIdOf, parentPathOf, pathsOf } from './paths.js';
import { toQuestionnaireResponse } from './response.js';
import type {
  Answer, ExpressionEvaluator, FormState, FormTransition, ItemNode, ItemPath, LaunchContext, Questionnaire,
  QuestionnaireIndex, QuestionnaireResponse, QuestionnaireResponseItem,
} from './types.js';

export interface CreateFormOptions {
  /** Launch context (`patient`, `encounter`, `user`, …) for SDC expressions. */
  context?: LaunchContext;
  /** Needed when the questionnaire uses expressions; see `loadExpressionSupport`. */
  evaluator?: ExpressionEvaluator;
  /** Resume a draft or amend a completed record: its answers replace the initial values. */
  response?: QuestionnaireResponse;
  /** Reuse an index built earlier for the same questionnaire. */
  index?: QuestionnaireIndex;
}

export function createFormState(questionnaire: Questionnaire, options: CreateFormOptions = {}): FormState {
  const index = options.index ?? indexQuestionnaire(questionnaire);
  const instances = new Map<string, number[]>();
  const answers = new Map<ItemPath, Answer[]>();
  let nextInstanceId = 0;

  const seed = (nodes: readonly ItemNode[], parentPath: ItemPath | undefined, responseItems: QuestionnaireResponseItem[] | undefined) => {
    for (const node of nodes) {
      const { item } = node;
      const matching = responseItems?.filter((r) => r.linkId === item.linkId) ?? [];
      if (isRepeatingGroup(item)) {
        const count = options.response ? matching.length : 1;
        const ids: number[] = [];
        for (let i = 0; i < count; i++) {
          const id = nextInstanceId++;
          ids.push(id);
          seed(node.children, instancePath(parentPath, item.linkId, id), matching[i]?.item);
        }
        instances.set(instancesKey(parentPath, item.linkId), ids);
        continue;
      }
      const path = itemPath(parentPath, item.linkId);
      if (item.type === 'group') {
        seed(node.children, path, options.response ? matching.flatMap((r) => r.item ?? []) : undefined);
        continue;
      }
      const initial = options.response ? responseAnswers(matching) : initialAnswers(node);
      if (initial.length) answers.set(path, initial);
      const nested = matching.flatMap((r) => [...(r.item ?? []), ...(r.answer ?? []).flatMap((a) => a.item ?? [])]);
      seed(node.children, path, options.response ? nested : undefined);
    }
  };
  seed(index.roots, undefined, options.response?.item);

  const base: FormState = {
    questionnaire, index, answers, instances, enabled: new Set(), nextInstanceId,
    context: options.context ?? {}, evaluator: options.evaluator,
  };
  // Start with everything enabled and let the conditions switch items off.
  const enabled = new Set(allPaths(base));
  let state: FormState = { ...base, enabled };
  if (!options.response && state.evaluator) state = applyInitialExpressions(state);
  return settle(state, [...index.byLinkId.keys()]).state;
}

function responseAnswers(items: QuestionnaireResponseItem[]): Answer[] {
  return items.flatMap((r) => r.answer ?? []).map(({ item: _nested, ...answer }) => answer);
}

function initialAnswers(node: ItemNode): Answer[] {
  const fromInitial = (node.item.initial ?? []).map((initial) => ({ ...initial }) as Answer);
  const fromOptions = (node.item.answerOption ?? [])
    .filter((o) => o.initialSelected)
    .map(({ initialSelected: _s, extension: _e, ...value }) => value as Answer);
  return [...fromInitial, ...fromOptions];
}

function applyInitialExpressions(state: FormState): FormState {
  const answers = new Map(state.answers);
  const scope = buildScope(state, toQuestionnaireResponse(state));
  for (const node of state.index.byLinkId.values()) {
    const expression = getExtension(node.item, SDC_INITIAL_EXPRESSION)?.valueExpression?.expression;
    // A suggestion is never an answer until the clinician chooses it (see populate.ts).
    if (!expression || getExtension(node.item, KBS_SUGGEST_ONLY)?.valueBoolean === true) continue;
    const values = toAnswers(node, safeEvaluate(state, expression, scope.resource, scope.environment));
    for (const path of pathsOf(state, node)) if (values.length && !answers.has(path)) answers.set(path, values);
  }
  return { ...state, answers };
}

/** Turns FHIRPath results into answers of the item's type; values of the wrong type are dropped. */
export function toAnswers(node: ItemNode, values: unknown[]): Answer[] {
  const type = node.item.type;
  const out: Answer[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (type === 'choice' || type === 'open-choice') {
      if (typeof value === 'object' && 'code' in (value as object)) out.push({ valueCoding: value as fhir4.Coding });
      else if (type === 'open-choice' && typeof value === 'string') out.push({ valueString: value });
      continue;
    }
    const key = ANSWER_VALUE_KEY[type as keyof typeof ANSWER_VALUE_KEY];
    if (!key) continue;
    // Each key takes only its own kind of value: a string "true" never becomes a valueBoolean.
    const ok =
      key === 'valueBoolean' ? typeof value === 'boolean'
        : key === 'valueInteger' ? Number.isInteger(value)
          : key === 'valueDecimal' ? typeof value === 'number'
            : key === 'valueQuantity' || key === 'valueReference' ? typeof value === 'object'
              : typeof value === 'string';
    if (ok) out.push({ [key]: value } as Answer);
  }
  return node.item.repeats ? out : out.slice(0, 1);
}

/**
 * How many rounds of calculation a change may take before the engine gives up: a chain of n
 * calculations, each reading the one before, settles in at most n + 1 rounds whatever their order.
 */
export function calculationRoundLimit(index: QuestionnaireIndex): number {
  return index.expressionItems.length + 2;
}

/**
 * Re-evaluates enabling for `changed` linkIds, then every calculatedExpression, each round seeing
 * the values the round before wrote, until no calculated value changes (a fixed point). A set of
 * calculations that never settles (x = x + 1) stops at a bound and reports an issue.
 */
function settle(state: FormState, changed: Iterable<string>): FormTransition {
  const enabled = new Set(state.enabled);
  let current: FormState = { ...state, enabled, issues: [] };
  let scopeCache: ExpressionScope | undefined;
  const scope = () => {
    if (!current.evaluator) return undefined;
    scopeCache ??= buildScope(current, toQuestionnaireResponse(current));
    return scopeCache;
  };
  const queue = new Set([...changed, ...(state.evaluator ? state.index.expressionItems : [])]);
  const shown = new Set<ItemPath>();
  const hidden = new Set<ItemPath>();
  const calculated = new Set<ItemPath>();
  const limit = calculationRoundLimit(state.index);

  for (let round = 0; ; round++) {
    const result = propagate(current, enabled, queue, scope);
    queue.clear();
    for (const p of result.shown) hidden.has(p) ? hidden.delete(p) : shown.add(p);
    for (const p of result.hidden) shown.has(p) ? shown.delete(p) : hidden.add(p);
    if (!current.evaluator) break;
    // calculatedExpression: every calculation reads the answers as they stand after the last round.
    scopeCache = undefined;
    const s = scope()!;
    const answers = new Map(current.answers);
    const moved: string[] = [];
    for (const linkId of current.index.expressionItems) {
      const node = current.index.byLinkId.get(linkId)!;
      const expression = getExtension(node.item, SDC_CALCULATED_EXPRESSION)?.valueExpression?.expression;
      if (!expression) continue;
      const values = toAnswers(node, safeEvaluate(current, expression, s.resource, s.environment));
      for (const path of pathsOf(current, node)) {
        if (JSON.stringify(answers.get(path) ?? []) === JSON.stringify(values)) continue;
        if (values.length) answers.set(path, values);
        else answers.delete(path);
        calculated.add(path);
        moved.push(linkId);
      }
    }
    current = { ...current, answers };
    scopeCache = undefined;
    if (!moved.length) break;
    if (round + 1 >= limit) {
      const linkIds = [...new Set(moved)];
      current = {
        ...current,
        issues: [{
          severity: 'warning', location: 'Questionnaire', linkId: linkIds[0], code: 'calculation-does-not-settle',
          message: `the calculated values of ${linkIds.map((l) => `"${l}"`).join(', ')} still changed after ${limit} rounds: their calculatedExpressions depend on each other in a loop, so the values shown may not be final. Check these expressions.`,
        }],
      };
      break;
    }
    // What reads a moved value: its enableWhen dependants and every expression item.
    for (const linkId of moved) {
      queue.add(linkId);
      for (const d of current.index.dependants.get(linkId) ?? []) queue.add(d);
    }
    for (const linkId of current.index.expressionItems) queue.add(linkId);
  }
  return { state: current, shown: [...shown], hidden: [...hidden], calculated: [...calculated] };
}

/** Sets the answers of one item instance (an empty list clears it). */
export function setAnswers(state: FormState, path: ItemPath, answers: readonly Answer[]): FormTransition {
  const node = nodeAt(state, path);
  if (!node || node.item.type === 'group' || node.item.type === 'display') {
    return { state, shown: [], hidden: [], calculated: [] };
  }
  const kept = answers.filter((a) => !isEmptyAnswer(a));
  const next = new Map(state.answers);
  if (kept.length) next.set(path, node.item.repeats ? kept : kept.slice(0, 1));
  else next.delete(path);
  return settle({ ...state, answers: next }, [...(state.index.dependants.get(node.item.linkId) ?? [])]);
}

/** Convenience for a single value: `setAnswer(state, 'q1', { valueBoolean: true })`. */
export function setAnswer(state: FormState, path: ItemPath, answer: Answer | undefined): FormTransition {
  return setAnswers(state, path, answer ? [answer] : []);
}

/** Adds an instance of a repeating group under `parentPath`; returns its path. */
export function addRepeat(state: FormState, parentPath: ItemPath | undefined, linkId: string): FormTransition & { path: ItemPath } {
  const node = state.index.byLinkId.get(linkId);
  const key = instancesKey(parentPath, linkId);
  const instances = new Map(state.instances);
  let nextInstanceId = state.nextInstanceId;
  const id = nextInstanceId++;
  instances.set(key, [...(instances.get(key) ?? []), id]);
  const path = instancePath(parentPath, linkId, id);
  // Nested repeating groups start with one instance each.
  const seedNested = (n: ItemNode, p: ItemPath) => {
    for (const child of n.children) {
      if (isRepeatingGroup(child.item)) {
        const childId = nextInstanceId++;
        instances.set(instancesKey(p, child.item.linkId), [childId]);
        seedNested(child, instancePath(p, child.item.linkId, childId));
      } else seedNested(child, itemPath(p, child.item.linkId));
    }
  };
  if (node) seedNested(node, path);
  const enabled = new Set(state.enabled);
  const withInstance: FormState = { ...state, instances, nextInstanceId, enabled };
  for (const p of allPaths(withInstance)) if (p === path || p.startsWith(`${path}/`)) enabled.add(p);
  const ids = node ? [linkId, ...descendants(node)] : [];
  const result = settle(withInstance, ids);
  return { ...result, shown: [path, ...result.shown.filter((p) => p !== path)], path };
}

/** Removes one instance of a repeating group and every answer inside it. */
export function removeRepeat(state: FormState, path: ItemPath): FormTransition {
  const { linkId, instance: id } = lastSegmentOf(path);
  if (id === undefined || !Number.isInteger(id)) return { state, shown: [], hidden: [], calculated: [] };
  const parentPath = parentPathOf(path);
  const instances = new Map(state.instances);
  const key = instancesKey(parentPath, linkId);
  instances.set(key, (instances.get(key) ?? []).filter((i) => i !== id));
  const inside = (p: string) => p === path || p.startsWith(`${path}/`);
  const answers = new Map([...state.answers].filter(([p]) => !inside(p)));
  const enabled = new Set([...state.enabled].filter((p) => !inside(p)));
  for (const k of [...instances.keys()]) if (k.startsWith(`${path}/`)) instances.delete(k);
  const node = state.index.byLinkId.get(linkId);
  const dependants = node ? [linkId, ...descendants(node)].flatMap((l) => state.index.dependants.get(l) ?? []) : [];
  const result = settle({ ...state, instances, answers, enabled }, dependants);
  return { ...result, hidden: [path, ...result.hidden] };
}

function descendants(node: ItemNode): string[] {
  return node.children.flatMap((c) => [c.item.linkId, ...descendants(c)]);
}

export function isEnabled(state: FormState, path: ItemPath): boolean {
  return state.enabled.has(path);
}

export function getAnswers(state: FormState, path: ItemPath): readonly Answer[] {
  return state.answers.get(path) ?? [];
}

/** Instance paths of a repeating group under `parentPath`. */
export function getRepeatPaths(state: FormState, parentPath: ItemPath | undefined, linkId: string): ItemPath[] {
  return (state.instances.get(instancesKey(parentPath, linkId)) ?? []).map((id) => instancePath(parentPath, linkId, id));
}

export { linkIdOf };
