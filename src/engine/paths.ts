/**
 * Item paths and the questionnaire index. A path names one place an answer can live:
 * linkIds joined by "/", with `[n]` (a stable instance id) on each instance of a repeating group.
 *
 * A linkId may hold any character (LHC-Forms writes `/8302-2`), so each linkId is escaped before it
 * becomes a segment: `%`, `/`, `[` and `]` are percent-encoded (`%25`, `%2F`, `%5B`, `%5D`). A
 * segment then never contains a raw separator, two different items never share a path, and the
 * linkId is read back by decoding, never by guessing. LinkIds without those characters (all of our
 * own templates) keep their plain paths, such as `checklist/smoking`.
 */
import type { FormState, ItemNode, ItemPath, Questionnaire, QuestionnaireIndex, QuestionnaireItem } from './types.js';
import { KBS_SUGGEST_ONLY, KBS_SUGGESTION_SOURCE, SDC_CALCULATED_EXPRESSION, SDC_ENABLE_WHEN_EXPRESSION, SDC_INITIAL_EXPRESSION } from './constants.js';

export function isRepeatingGroup(item: QuestionnaireItem): boolean {
  return item.type === 'group' && item.repeats === true;
}

export function hasExtension(item: { extension?: fhir4.Extension[] }, url: string): boolean {
  return item.extension?.some((e) => e.url === url) ?? false;
}

export function getExtension(element: { extension?: fhir4.Extension[] } | undefined, url: string): fhir4.Extension | undefined {
  return element?.extension?.find((e) => e.url === url);
}

/** Builds the linkId tree and the enableWhen dependency index, once per questionnaire. */
export function indexQuestionnaire(questionnaire: Questionnaire): QuestionnaireIndex {
  const byLinkId = new Map<string, ItemNode>();
  const dependants = new Map<string, string[]>();
  const expressionItems: string[] = [];

  const build = (items: QuestionnaireItem[] | undefined, parent: ItemNode | undefined): ItemNode[] =>
    (items ?? []).map((item) => {
      const children: ItemNode[] = [];
      const node: ItemNode = {
        item,
        linkIds: [...(parent?.linkIds ?? []), item.linkId],
        parent,
        children,
        repeats: (parent?.repeats ?? false) || isRepeatingGroup(item),
      };
      if (!byLinkId.has(item.linkId)) byLinkId.set(item.linkId, node);
      children.push(...build(item.item, node));
      for (const condition of item.enableWhen ?? []) {
        const list = dependants.get(condition.question) ?? [];
        if (!list.includes(item.linkId)) list.push(item.linkId);
        dependants.set(condition.question, list);
      }
      if (hasExtension(item, SDC_ENABLE_WHEN_EXPRESSION) || hasExtension(item, SDC_CALCULATED_EXPRESSION)) {
        expressionItems.push(item.linkId);
      }
      return node;
    });

  const roots = build(questionnaire.item, undefined);
  // Expressions that only suggest from the record are evaluated later, in the background (populate.ts):
  // they do not hold up the first render.
  const usesExpressions = needsFhirPathToRender(questionnaire);
  return { byLinkId, roots, dependants, expressionItems, usesExpressions };
}

/** Whether a questionnaire needs FHIRPath before it can be shown (suggestions from the record come later). */
export function needsFhirPathToRender(questionnaire: unknown): boolean {
  return JSON.stringify(questionnaire ?? null, withoutSuggestions).includes('"text/fhirpath"');
}

function withoutSuggestions(_key: string, value: unknown): unknown {
  const item = value as { extension?: fhir4.Extension[] } | null;
  if (!item || typeof item !== 'object' || !Array.isArray(item.extension) || !item.extension.some((e) => e?.url === KBS_SUGGEST_ONLY)) return value;
  return { ...item, extension: item.extension.filter((e) => e?.url !== SDC_INITIAL_EXPRESSION && e?.url !== KBS_SUGGESTION_SOURCE) };
}

const ESCAPES: Record<string, string> = { '%': '%25', '/': '%2F', '[': '%5B', ']': '%5D' };
const UNESCAPES: Record<string, string> = { '%25': '%', '%2F': '/', '%5B': '[', '%5D': ']' };

/** A linkId as a path segment: the characters that structure a path are percent-encoded. */
export function escapeLinkId(linkId: string): string {
  return linkId.replace(/[%/[\]]/g, (c) => ESCAPES[c]!);
}

/** The linkId a path segment (without its `[n]`) was made from. */
export function unescapeLinkId(segment: string): string {
  return segment.replace(/%(25|2F|5B|5D)/g, (c) => UNESCAPES[c]!);
}

function joinPath(parentPath: ItemPath | undefined, segment: string): ItemPath {
  return parentPath ? `${parentPath}/${segment}` : segment;
}

/** The path of a (non-repeating-group) item under `parentPath`. */
export function itemPath(parentPath: ItemPath | undefined, linkId: string): ItemPath {
  return joinPath(parentPath, escapeLinkId(linkId));
}

/** The path of one instance of a repeating group under `parentPath`. */
export function instancePath(parentPath: ItemPath | undefined, linkId: string, id: number): ItemPath {
  return joinPath(parentPath, `${escapeLinkId(linkId)}[${id}]`);
}

/** The last segment of a path: the linkId it names and, for a group instance, the instance id. */
export function lastSegmentOf(path: ItemPath): { linkId: string; instance?: number } {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const bracket = last.indexOf('[');
  if (bracket === -1) return { linkId: unescapeLinkId(last) };
  return { linkId: unescapeLinkId(last.slice(0, bracket)), instance: Number(last.slice(bracket + 1, -1)) };
}

/** The linkId a path ends in. */
export function linkIdOf(path: ItemPath): string {
  return lastSegmentOf(path).linkId;
}

/** The path of the parent item, or undefined at the root. */
export function parentPathOf(path: ItemPath): ItemPath | undefined {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? undefined : path.slice(0, slash);
}

/** The key under which a repeating group's instance ids are kept. */
export function instancesKey(parentPath: ItemPath | undefined, linkId: string): string {
  return itemPath(parentPath, linkId);
}

/** The paths of an item under one instance of its parent (several for a repeating group). */
export function pathsUnder(state: Pick<FormState, 'instances'>, node: ItemNode, parentPath: ItemPath | undefined): ItemPath[] {
  if (!isRepeatingGroup(node.item)) return [itemPath(parentPath, node.item.linkId)];
  const ids = state.instances.get(instancesKey(parentPath, node.item.linkId)) ?? [];
  return ids.map((id) => instancePath(parentPath, node.item.linkId, id));
}

/** Every path at which the item can currently live (one per enclosing group instance). */
export function pathsOf(state: Pick<FormState, 'instances'>, node: ItemNode): ItemPath[] {
  const parentPaths: (ItemPath | undefined)[] = node.parent ? pathsOf(state, node.parent) : [undefined];
  return parentPaths.flatMap((parentPath) => pathsUnder(state, node, parentPath));
}

/**
 * Resolves the question an enableWhen names, seen from `fromPath`: inside the same repeating group
 * instance where the two share one, otherwise every instance of it.
 */
export function resolveQuestionPaths(state: Pick<FormState, 'instances'>, fromPath: ItemPath, target: ItemNode): ItemPath[] {
  const all = pathsOf(state, target);
  if (!target.repeats) return all;
  const fromSegments = fromPath.split('/');
  const matching = all.filter((candidate) => {
    const segments = candidate.split('/');
    for (let i = 0; i < segments.length - 1 && i < fromSegments.length; i++) {
      const a = segments[i]!;
      const b = fromSegments[i]!;
      if (a === b) continue;
      // Same group, different instance: not this instance's answer.
      if (a.includes('[') && linkIdOf(a) === linkIdOf(b)) return false;
      break;
    }
    return true;
  });
  return matching;
}
