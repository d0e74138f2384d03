/**
 * Loading a Questionnaire: the FHIR R4 JSON schema (a standalone validator generated at build time,
 * so no code is compiled at run time), then the checks the schema cannot make. Bad content never
 * throws: it comes back as located, human-readable issues.
 */
import type { SchemaValidator } from './schema-types.js';
import { REGEX, SUPPORTED_ITEM_TYPES } from './constants.js';
import { getExtension, needsFhirPathToRender } from './paths.js';
import { compiledRegex, isUnsafePattern } from './validate.js';
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

/** Item types R4 lets carry answerOption / answerValueSet (constraint que-5). */
export const OPTION_ITEM_TYPES: ReadonlySet<string> = new Set([
  'choice', 'open-choice', 'decimal', 'integer', 'date', 'dateTime', 'time', 'string', 'quantity',
]);

function schemaLocation(error: SchemaError): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('');
  return `Questionnaire${path}`;
}

/** Examples of the FHIR primitive formats a schema pattern stands for, to show in a fix. */
const PRIMITIVE_EXAMPLES: Record<string, string> = {
  date: 'a date such as 2024-05-01',
  dateTime: 'a date such as 2024-05-01, or a date and time such as 2024-05-01T14:30:00+01:00',
  instant: 'an instant such as 2024-05-01T14:30:00Z',
  time: 'a time such as 14:30:00',
  boolean: 'true or false (without quotes)',
  integer: 'a whole number (without quotes)',
  decimal: 'a number (without quotes)',
  positiveInt: 'a whole number above 0',
  unsignedInt: 'a whole number, 0 or above',
  code: 'a code with no leading or trailing spaces',
  id: 'an id of letters, digits, "-" and "." (at most 64)',
  uri: 'a URI with no spaces',
  url: 'a URL with no spaces',
  canonical: 'a canonical URL with no spaces',
};

const JSON_TYPE_EXAMPLES: Record<string, string> = {
  boolean: 'true or false (without quotes)',
  number: 'a number (without quotes)',
  string: 'text in quotes',
};

function valueAt(json: unknown, instancePath: string): unknown {
  let node = json;
  for (const segment of instancePath.split('/').slice(1)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

const describeValue = (value: unknown) => (typeof value === 'string' ? `"${value}"` : Array.isArray(value) ? 'a list' : value && typeof value === 'object' ? 'an object' : String(value));

/**
 * A schema error as a sentence naming the property, where it is, and how to fix it. The JSON
 * schema's own wording ("must match pattern …") says neither which FHIR type is meant nor what to do.
 */
function schemaMessage(error: SchemaError & { schemaPath?: string }, json: unknown): string {
  const where = schemaLocation(error);
  const value = valueAt(json, error.instancePath);
  const property = error.instancePath.slice(error.instancePath.lastIndexOf('/') + 1);
  const fromChoice = /^value([A-Z][A-Za-z]*)$/.exec(property)?.[1];
  const fhirType = /#\/definitions\/([A-Za-z]+)\//.exec(error.schemaPath ?? '')?.[1] ?? (fromChoice ? fromChoice[0]!.toLowerCase() + fromChoice.slice(1) : undefined);
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} has a property "${String(error.params.additionalProperty)}" that FHIR R4 does not define here. Fix: remove it, check its spelling, or carry the data in an extension.`;
    case 'required':
      return `${where} is missing "${String(error.params.missingProperty)}", which FHIR R4 requires. Fix: add it.`;
    case 'enum':
      return `${where} is ${describeValue(value)}, which FHIR R4 does not allow here. Fix: use one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'type': {
      const expected = String(error.params.type);
      const example = (fhirType ? PRIMITIVE_EXAMPLES[fhirType] : undefined) ?? JSON_TYPE_EXAMPLES[expected];
      const fix = expected === 'array' ? 'put the value in a list: [ … ]' : expected === 'object' ? 'write it as an object: { … }' : `write it as ${example ?? `a ${expected}`}`;
      return `${where} is ${describeValue(value)} but must be ${expected === 'array' ? 'a list' : `a ${fhirType ?? expected}`}. Fix: ${fix}.`;
    }
    case 'pattern': {
      if (typeof value === 'string' && value.trim() === '') {
        return `${where} is an empty string, which FHIR R4 does not allow. Fix: give it a value, or remove the property.`;
      }
      const example = fhirType ? PRIMITIVE_EXAMPLES[fhirType] : undefined;
      return `${where} is ${describeValue(value)}, which is not a valid FHIR ${fhirType ?? 'value'}. Fix: write ${example ?? 'a value of the right format'}.`;
    }
    case 'minItems':
      return `${where} is an empty list, which FHIR R4 does not allow. Fix: remove it, or add at least one entry.`;
    default:
      return `${where} ${error.message ?? 'does not match the FHIR R4 schema'}. Fix: correct it to match the FHIR R4 Questionnaire definition.`;
  }
}

/** Loads a questionnaire with a schema validator in hand (see `loadSchemaValidator`); never throws. */
export function loadQuestionnaireWith(validateQuestionnaire: SchemaValidator | undefined, json: unknown, evaluator?: ExpressionEvaluator): LoadResult {
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
  if (validateQuestionnaire && !validateQuestionnaire(json)) {
    const seen = new Set<string>();
    const issues: Issue[] = [];
    for (const error of validateQuestionnaire.errors ?? []) {
      const issue: Issue = { severity: 'error', location: schemaLocation(error), code: 'schema', message: schemaMessage(error, json) };
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

/** The checks the JSON schema cannot make. */
/** Extraction this engine does not do: said at load, so nobody expects records it will not file. */
const UNSUPPORTED_EXTRACTION: readonly [string, string][] = [
  ['sdc-questionnaire-definitionExtract', 'definition-based extraction (definitionExtract)'],
  ['sdc-questionnaire-templateExtract', 'template-based extraction (templateExtract)'],
  ['sdc-questionnaire-targetStructureMap', 'StructureMap-based extraction (targetStructureMap)'],
];

function unsupportedExtraction(questionnaire: Questionnaire): Issue[] {
  const json = JSON.stringify(questionnaire);
  return UNSUPPORTED_EXTRACTION.filter(([name]) => json.includes(`StructureDefinition/${name}`)).map(([, what]) => ({
    severity: 'warning', location: 'Questionnaire', code: 'unsupported-extraction',
    message: `uses ${what}, which is not supported: nothing will be extracted that way (only the response, and observationExtract items, are filed)`,
  }));
}

export function checkQuestionnaire(questionnaire: Questionnaire, evaluator?: ExpressionEvaluator): Issue[] {
  const issues: Issue[] = [];
  const locations = new Map<string, string>();
  const byLinkId = new Map<string, QuestionnaireItem>();
  const error = (location: string, code: Issue['code'], message: string, linkId?: string) =>
    issues.push({ severity: 'error', location, code, message, ...(linkId ? { linkId } : {}) });

  const visit = (items: QuestionnaireItem[] | undefined, base: string) =>
    (items ?? []).forEach((item, i) => {
      const location = `${base}.item[${i}]`;
      // The R4 JSON schema does not mark these required; every rule below depends on them.
      for (const property of ['linkId', 'type'] as const) {
        if (typeof item[property] !== 'string') {
          error(location, 'schema', `${location} is missing "${property}", which FHIR R4 requires on every item. Fix: add it${property === 'linkId' ? ' (unique in the questionnaire)' : ''}.`);
        }
      }
      if (typeof item.linkId !== 'string') return;
      if (locations.has(item.linkId)) {
        error(location, 'duplicate-link-id', `linkId "${item.linkId}" is used more than once (also at ${locations.get(item.linkId)})`, item.linkId);
      } else {
        locations.set(item.linkId, location);
        byLinkId.set(item.linkId, item);
      }
      const regex = getExtension(item, REGEX)?.valueString;
      if (regex !== undefined && !compiledRegex(item)) {
        const why = isUnsafePattern(regex) ? 'has a repeated group that itself repeats, which can take minutes to check' : 'is not a valid regular expression';
        issues.push({ severity: 'warning', location: `${location}.extension (regex)`, linkId: item.linkId, code: 'invalid-regex', message: `the pattern "${regex}" ${why}, so answers to "${item.linkId}" are not checked against it. Fix: correct the pattern` });
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
      // R4 que-5 allows answerOption and answerValueSet on these types, and its values may be of mixed types.
      // Outside those types the options are still usable (a reference item with answerOption is a choice list), so only warn.
      if ((item.answerOption?.length || item.answerValueSet) && !OPTION_ITEM_TYPES.has(item.type) && item.type !== 'display') {
        const shown = item.type === 'boolean' || item.type === 'group' ? 'they are ignored' : 'they are shown as a choice list';
        issues.push({
          severity: 'warning', location, linkId: item.linkId, code: 'option-type-mismatch',
          message: `"${item.linkId}" is of type "${item.type}", which FHIR R4 rule que-5 does not allow to have answerOption or answerValueSet; ${shown}. Fix: make it a "choice" item, or remove the options.`,
        });
      }
      (item.answerOption ?? []).forEach((option, j) => {
        if (!OPTION_KEYS.some((k) => k in option)) {
          error(`${location}.answerOption[${j}]`, 'option-type-mismatch', `answerOption ${j + 1} of "${item.linkId}" has no value. Fix: give it one of ${OPTION_KEYS.join(', ')}.`, item.linkId);
        }
      });
      visit(item.item, location);
    });
  visit(questionnaire.item, 'Questionnaire');
  issues.push(...unsupportedExtraction(questionnaire));

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
