/**
 * Loading a Questionnaire: the FHIR R4 JSON schema (a standalone validator generated at build time,
 * so no code is compiled at run time), then the checks the schema cannot make. Bad content never
 * throws: it comes back as located, human-readable issues.
 */
import { validateQuestionnaire } from './generated/questionnaire-validator.js';
import { SUPPORTED_ITEM_TYPES } from './constants.js';
import { loadExpressionSupport } from './expressions.js';
import type { ExpressionEvaluator, Issue, Questionnaire, QuestionnaireItem } from './types.js';
import type { SchemaError } from './schema-types.js';

export interface LoadResult {
  /** Present when there are no errors (warnings allowed). */
  questionnaire?: Questionnaire;
  issues: Issue[];
}

/** The enableWhen `answer[x]` keys that fit each item type. */
const ENABLE_WHEN_ANSWER_KEYS: Record<string, readonly string[]> = {
  boolean: ['answerBoolean'],
  decimal: ['answerDecimal', 'answerInteger'],
  integer: ['answerInteger', 'answerDecimal'],
  date: ['answerDate', 'answerDateTime'],
  dateTime: ['answerDateTime', 'answerDate'],
  time: ['answerTime'],
  string: ['answerString'],
  text: ['answerString'],
  url: ['answerString'],
  choice: ['answerCoding', 'answerString', 'answerInteger', 'answerDate', 'answerTime', 'answerReference'],
  'open-choice': ['answerCoding', 'answerString', 'answerInteger', 'answerDate', 'answerTime', 'answerReference'],
  quantity: ['answerQuantity'],
  reference: ['answerReference'],
  attachment: [],
};

const OPTION_KEYS = ['valueCoding', 'valueString', 'valueInteger', 'valueDate', 'valueTime', 'valueReference'];

function schemaLocation(error: SchemaError): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('');
  return `Questionnaire${path}`;
}

function schemaMessage(error: SchemaError): string {
  if (error.keyword === 'additionalProperties') return `unknown property "${String(error.params.additionalProperty)}"`;
  if (error.keyword === 'required') return `missing required property "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum') return `${error.message ?? 'is not an allowed value'}: ${JSON.stringify(error.params.allowedValues)}`;
  return error.message ?? 'does not match the FHIR R4 schema';
}

/** Schema plus semantic checks. Pass an evaluator to also check that expressions parse. */
export function loadQuestionnaire(json: unknown, evaluator?: ExpressionEvaluator): LoadResult {
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (e) {
      return { issues: [{ severity: 'error', location: 'Questionnaire', code: 'schema', message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  if (!json || typeof json !== 'object' || (json as { resourceType?: unknown }).resourceType !== 'Questionnaire') {
    return { issues: [{ severity: 'error', location: 'Questionnaire', code: 'schema', message: 'is not a FHIR Questionnaire (resourceType must be "Questionnaire")' }] };
  }
  if (!validateQuestionnaire(json)) {
    const seen = new Set<string>();
    const issues: Issue[] = [];
    for (const error of validateQuestionnaire.errors ?? []) {
      const issue: Issue = { severity: 'error', location: schemaLocation(error), code: 'schema', message: schemaMessage(error) };
      const key = `${issue.location} ${issue.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        issues.push(issue);
      }
    }
    return { issues };
  }
  const questionnaire = json as Questionnaire;
  const issues = checkQuestionnaire(questionnaire, evaluator);
  return issues.some((i) => i.severity === 'error') ? { issues } : { questionnaire, issues };
}

/** Loads a questionnaire, bringing in FHIRPath first when it uses expressions. */
export async function prepareQuestionnaire(json: unknown): Promise<LoadResult & { evaluator?: ExpressionEvaluator }> {
  const needsExpressions = JSON.stringify(json ?? null).includes('"text/fhirpath"');
  const evaluator = needsExpressions ? await loadExpressionSupport() : undefined;
  return { ...loadQuestionnaire(json, evaluator), evaluator };
}

/** The checks the JSON schema cannot make. */
export function checkQuestionnaire(questionnaire: Questionnaire, evaluator?: ExpressionEvaluator): Issue[] {
  const issues: Issue[] = [];
  const locations = new Map<string, string>();
  const byLinkId = new Map<string, QuestionnaireItem>();
  const error = (location: string, code: Issue['code'], message: string, linkId?: string) =>
    issues.push({ severity: 'error', location, code, message, ...(linkId ? { linkId } : {}) });

  const visit = (items: QuestionnaireItem[] | undefined, base: string) =>
    (items ?? []).forEach((item, i) => {
      const location = `${base}.item[${i}]`;
      if (locations.has(item.linkId)) {
        error(location, 'duplicate-link-id', `linkId "${item.linkId}" is used more than once (also at ${locations.get(item.linkId)})`, item.linkId);
      } else {
        locations.set(item.linkId, location);
        byLinkId.set(item.linkId, item);
      }
      if (!SUPPORTED_ITEM_TYPES.has(item.type)) {
        issues.push({ severity: 'warning', location, linkId: item.linkId, code: 'unsupported-type', message: `item type "${item.type}" is not supported yet; it will show as a notice` });
      }
      if (item.type === 'group' && !item.item?.length) error(location, 'empty-group', `group "${item.linkId}" has no items`, item.linkId);
      if (item.type === 'display') {
        if (item.item?.length) error(location, 'display-has-answers', `display item "${item.linkId}" cannot contain items`, item.linkId);
        if (item.required || item.repeats || item.answerOption || item.initial || item.answerValueSet) {
          error(location, 'display-has-answers', `display item "${item.linkId}" cannot be required, repeat, or have answers`, item.linkId);
        }
      }
      if (item.answerOption?.length) {
        if (item.type !== 'choice' && item.type !== 'open-choice') {
          error(location, 'option-type-mismatch', `answerOption is only allowed on choice and open-choice items, not "${item.type}"`, item.linkId);
        }
        const kinds = new Set(item.answerOption.map((o) => OPTION_KEYS.find((k) => k in o) ?? 'none'));
        if (kinds.size > 1 || kinds.has('none')) {
          error(`${location}.answerOption`, 'option-type-mismatch', `answerOption values of "${item.linkId}" must all be of one type`, item.linkId);
        }
      }
      visit(item.item, location);
    });
  visit(questionnaire.item, 'Questionnaire');

  // enableWhen: the question exists, and the answer type fits it.
  const walk = (items: QuestionnaireItem[] | undefined, base: string) =>
    (items ?? []).forEach((item, i) => {
      const location = `${base}.item[${i}]`;
      (item.enableWhen ?? []).forEach((condition, j) => {
        const at = `${location}.enableWhen[${j}]`;
        const target = byLinkId.get(condition.question);
        if (!target) {
          error(at, 'unknown-question', `enableWhen refers to question "${condition.question}", which is not in this questionnaire`, item.linkId);
          return;
        }
        const key = Object.keys(condition).find((k) => k.startsWith('answer'));
        if (condition.operator === 'exists') {
          if (key !== 'answerBoolean') error(at, 'answer-type-mismatch', `enableWhen with operator "exists" needs answerBoolean`, item.linkId);
          return;
        }
        const allowed = ENABLE_WHEN_ANSWER_KEYS[target.type] ?? [];
        if (!key || !allowed.includes(key)) {
          error(at, 'answer-type-mismatch', `enableWhen on "${condition.question}" (type ${target.type}) cannot use ${key ?? 'no answer'}`, item.linkId);
        }
      });
      walk(item.item, location);
    });
  walk(questionnaire.item, 'Questionnaire');

  // Cycles in enableWhen would never settle.
  const state = new Map<string, 'visiting' | 'done'>();
  const reads = (linkId: string) => byLinkId.get(linkId)?.enableWhen?.map((c) => c.question) ?? [];
  const dfs = (linkId: string, trail: string[]): void => {
    if (state.get(linkId) === 'done') return;
    if (state.get(linkId) === 'visiting') {
      error(locations.get(linkId) ?? 'Questionnaire', 'cycle', `enableWhen conditions form a cycle: ${[...trail, linkId].join(' → ')}`, linkId);
      return;
    }
    state.set(linkId, 'visiting');
    for (const next of reads(linkId)) if (byLinkId.has(next)) dfs(next, [...trail, linkId]);
    state.set(linkId, 'done');
  };
  for (const linkId of byLinkId.keys()) dfs(linkId, []);

  // Expressions parse.
  const expressions: { location: string; expression: string }[] = [];
  const collect = (node: unknown, location: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => collect(n, `${location}[${i}]`));
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      const ve = o.valueExpression as fhir4.Expression | undefined;
      if (ve?.language === 'text/fhirpath' && typeof ve.expression === 'string') expressions.push({ location, expression: ve.expression });
      for (const [k, v] of Object.entries(o)) if (typeof v === 'object') collect(v, `${location}.${k}`);
    }
  };
  collect(questionnaire, 'Questionnaire');
  if (expressions.length && evaluator) {
    for (const { location, expression } of expressions) {
      try {
        evaluator.parse(expression);
      } catch (e) {
        error(location, 'bad-expression', `FHIRPath expression does not parse: ${expression} (${(e as Error).message.split('\n')[0]})`);
      }
    }
  }
  return issues;
}
