/**
 * enableWhen (R4) and enableWhenExpression (SDC) for one item instance, and the propagation of a
 * change through the dependency index: an answer change re-evaluates only the items that read it,
 * then whatever those items' own enabling changes, until nothing moves (cascading).
 */
import { matchesOperator, valueOf } from './answers.js';
import { SDC_ENABLE_WHEN_EXPRESSION } from './constants.js';
import { getExtension, linkIdOf, parentPathOf, pathsOf, pathsUnder, resolveQuestionPaths } from './paths.js';
import type { FormState, ItemNode, ItemPath } from './types.js';
import type { ExpressionScope } from './expressions.js';
import { evaluateBoolean } from './expressions.js';

/** Does the item's own condition hold (ignoring whether its parent is enabled)? */
export function isConditionMet(state: FormState, path: ItemPath, node: ItemNode, scope: ExpressionScope | undefined): boolean {
  const expression = getExtension(node.item, SDC_ENABLE_WHEN_EXPRESSION)?.valueExpression?.expression;
  if (expression && state.evaluator && scope) {
    return evaluateBoolean(state, scope, expression) ?? false;
  }
  const conditions = node.item.enableWhen;
  if (!conditions?.length) return true;
  const results = conditions.map((condition) => {
    const target = state.index.byLinkId.get(condition.question);
    if (!target) return false;
    const answers = resolveQuestionPaths(state, path, target)
      .filter((p) => state.enabled.has(p))
      .flatMap((p) => state.answers.get(p) ?? []);
    if (condition.operator === 'exists') {
      return (answers.length > 0) === (condition.answerBoolean ?? true);
    }
    const expected = valueOf(condition);
    if (!expected) return false;
    if (condition.operator === '!=') {
      // R4: "True if no answer has a value that is equal to the enableWhen answer."
      return answers.every((a) => matchesOperator('!=', a, expected));
    }
    return answers.some((a) => matchesOperator(condition.operator, a, expected));
  });
  return node.item.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean);
}

/**
 * Re-evaluates the items named in `linkIds` (and what depends on them, transitively).
 * Mutates `enabled` (a private copy owned by the caller) and reports what changed.
 */
export function propagate(
  state: FormState,
  enabled: Set<ItemPath>,
  linkIds: Iterable<string>,
  scope: () => ExpressionScope | undefined,
): { shown: ItemPath[]; hidden: ItemPath[] } {
  const shown = new Set<ItemPath>();
  const hidden = new Set<ItemPath>();
  const queue = [...linkIds];
  const queued = new Set(queue);
  // Each flip re-queues its dependants; a cycle (rejected by checkQuestionnaire) must still end.
  let budget = Math.max(1000, state.index.byLinkId.size * 50);
  const working: FormState = { ...state, enabled };

  while (queue.length && budget-- > 0) {
    const linkId = queue.shift()!;
    queued.delete(linkId);
    const node = state.index.byLinkId.get(linkId);
    if (!node) continue;
    for (const path of pathsOf(state, node)) {
      const parent = parentPathOf(path);
      const parentEnabled = parent === undefined || enabled.has(parent);
      const now = parentEnabled && isConditionMet(working, path, node, scope());
      if (now === enabled.has(path)) continue;
      if (now) {
        enabled.add(path);
        if (hidden.has(path)) hidden.delete(path);
        else shown.add(path);
      } else {
        enabled.delete(path);
        if (shown.has(path)) shown.delete(path);
        else hidden.add(path);
      }
      const next = [...(state.index.dependants.get(linkId) ?? []), ...node.children.map((c) => c.item.linkId)];
      for (const id of next) {
        if (!queued.has(id)) {
          queued.add(id);
          queue.push(id);
        }
      }
    }
  }
  return { shown: [...shown], hidden: [...hidden] };
}

/** All paths in the form, enabled or not, in questionnaire order. */
export function allPaths(state: Pick<FormState, 'instances' | 'index'>): ItemPath[] {
  const out: ItemPath[] = [];
  const walk = (nodes: readonly ItemNode[], parent: ItemPath | undefined) => {
    for (const node of nodes) {
      for (const path of pathsUnder(state, node, parent)) {
        out.push(path);
        walk(node.children, path);
      }
    }
  };
  walk(state.index.roots, undefined);
  return out;
}

export function nodeAt(state: Pick<FormState, 'index'>, path: ItemPath): ItemNode | undefined {
  return state.index.byLinkId.get(linkIdOf(path));
}
