/**
 * Answer validation: required, minOccurs/maxOccurs, maxLength, minValue/maxValue, answer types and
 * answer constraints. Returns issues as data; the UI shows them only after a submit attempt.
 */
import { codingEquals, compareValues, isWellFormed, valueOf } from './answers.js';
import {
  ANSWER_VALUE_KEY, ENTRY_FORMAT, MAX_VALUE, MIN_VALUE, REGEX, REGEX_MAX_INPUT, QUESTIONNAIRE_ANSWER_CONSTRAINT, QUESTIONNAIRE_MAX_OCCURS,
  QUESTIONNAIRE_MIN_OCCURS,
} from './constants.js';
import { allPaths, nodeAt } from './enable-when.js';
import { messages } from './messages.js';
import { getExtension } from './paths.js';
import type { Answer, FormState, Issue, ItemPath, QuestionnaireItem } from './types.js';

import type { ValueSetResolver } from './valuesets.js';

export type { ValueSetResolver };

const WHAT: Record<string, string> = {
  valueDate: 'a real date',
  valueDateTime: 'a real date and time',
  valueTime: 'a real time',
  valueInteger: 'a whole number',
  valueDecimal: 'a number',
};

export function validateAnswers(state: FormState, resolveValueSet?: ValueSetResolver): Issue[] {
  const issues: Issue[] = [];
  for (const path of allPaths(state)) {
    if (!state.enabled.has(path)) continue;
    const node = nodeAt(state, path);
    if (!node) continue;
    const { item } = node;
    const add = (code: Issue['code'], message: string) =>
      issues.push({ severity: 'error', location: path, linkId: item.linkId, path, code, message });
    if (item.type === 'display') continue;
    if (item.type === 'group') {
      if (item.required && !hasAnswerBelow(state, path)) add('required', messages.required(item));
      continue;
    }
    const answers = state.answers.get(path) ?? [];
    if (item.readOnly && !answers.length) continue;
    if (item.required && answers.length === 0) {
      add('required', messages.required(item));
      continue;
    }
    const minOccurs = getExtension(item, QUESTIONNAIRE_MIN_OCCURS)?.valueInteger;
    const maxOccurs = getExtension(item, QUESTIONNAIRE_MAX_OCCURS)?.valueInteger;
    if (minOccurs !== undefined && answers.length > 0 && answers.length < minOccurs) add('min-occurs', messages.minOccurs(item, minOccurs));
    if (maxOccurs !== undefined && answers.length > maxOccurs) add('max-occurs', messages.maxOccurs(item, maxOccurs));
    for (const answer of answers) checkAnswer(item, answer, resolveValueSet, add);
  }
  return issues;
}

function hasAnswerBelow(state: FormState, path: ItemPath): boolean {
  for (const [p, answers] of state.answers) if (p.startsWith(`${path}/`) && answers.length && state.enabled.has(p)) return true;
  return false;
}

function checkAnswer(
  item: QuestionnaireItem,
  answer: Answer,
  resolveValueSet: ValueSetResolver | undefined,
  add: (code: Issue['code'], message: string) => void,
): void {
  const value = valueOf(answer);
  if (!value) return;
  if (item.type === 'choice' || item.type === 'open-choice') {
    checkOption(item, value, resolveValueSet, add);
    return;
  }
  const expectedKey = ANSWER_VALUE_KEY[item.type as keyof typeof ANSWER_VALUE_KEY];
  if (expectedKey && value.key !== expectedKey) {
    add('invalid-value', messages.invalidValue(item, WHAT[expectedKey] ?? 'a valid answer'));
    return;
  }
  if (!isWellFormed(value.key, value.value)) {
    add('invalid-value', messages.invalidValue(item, WHAT[value.key] ?? 'a valid answer'));
    return;
  }
  // R4 lets answerOption restrict the answers of integer, date, time and string items too.
  if (item.answerOption?.length || item.answerValueSet) {
    checkOption(item, value, resolveValueSet, add);
    return;
  }
  if (typeof value.value === 'string' && item.maxLength !== undefined && [...value.value].length > item.maxLength) {
    add('max-length', messages.maxLength(item, item.maxLength));
  }
  const pattern = compiledRegex(item);
  if (pattern && (typeof value.value === 'string' || typeof value.value === 'number')) {
    const text = String(value.value);
    // Too long to test safely against a pattern from elsewhere counts as not matching it.
    if (text.length > REGEX_MAX_INPUT || !pattern.test(text)) add('pattern', messages.pattern(item, getExtension(item, ENTRY_FORMAT)?.valueString));
  }
  for (const [url, code, message, fails] of [
    [MIN_VALUE, 'min-value', messages.minValue, (o: number) => o < 0],
    [MAX_VALUE, 'max-value', messages.maxValue, (o: number) => o > 0],
  ] as const) {
    const limit = getExtension(item, url);
    const bound = limit ? valueOf(limit) : undefined;
    if (!bound) continue;
    // A quantity answer is compared with a quantity bound in the same units, or by its number with a decimal/integer bound.
    const quantityByNumber = value.key === 'valueQuantity' && bound.key !== 'valueQuantity';
    const comparable = quantityByNumber ? (answer.valueQuantity?.value ?? NaN) : value.value;
    const order = compareValues(quantityByNumber ? 'valueDecimal' : bound.key, comparable, bound.value);
    if (order !== undefined && fails(order)) add(code, message(item, boundText(bound)));
  }
}

const compiled = new WeakMap<QuestionnaireItem, RegExp | null>();

/**
 * A quantified group that itself contains a quantifier, such as `(a+)+`: the shape that makes a
 * backtracking engine take exponential time on a near-miss. Such a pattern is not used.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*?(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

export function isUnsafePattern(source: string): boolean {
  return source.length > REGEX_MAX_INPUT || NESTED_QUANTIFIER.test(source);
}

/**
 * The item's `regex`, anchored to the whole answer; undefined when it has none, does not compile,
 * or could take exponential time (both a load warning).
 */
export function compiledRegex(item: QuestionnaireItem): RegExp | undefined {
  if (!compiled.has(item)) {
    const source = getExtension(item, REGEX)?.valueString;
    let regex: RegExp | null = null;
    if (source && !isUnsafePattern(source)) {
      try {
        regex = new RegExp(`^(?:${source})$`, 'u');
      } catch {
        try {
          regex = new RegExp(`^(?:${source})$`);
        } catch {
          regex = null;
        }
      }
    }
    compiled.set(item, regex);
  }
  return compiled.get(item) ?? undefined;
}

function boundText(bound: { key: string; value: unknown }): string {
  if (bound.key !== 'valueQuantity') return String(bound.value);
  const q = bound.value as fhir4.Quantity;
  return [q.value, q.unit ?? q.code].filter((p) => p !== undefined).join(' ');
}

function checkOption(
  item: QuestionnaireItem,
  value: { key: string; value: unknown },
  resolveValueSet: ValueSetResolver | undefined,
  add: (code: Issue['code'], message: string) => void,
): void {
  const constraint =
    getExtension(item, QUESTIONNAIRE_ANSWER_CONSTRAINT)?.valueCode ?? (item.type === 'open-choice' ? 'optionsOrString' : 'optionsOnly');
  if (value.key === 'valueString' && constraint === 'optionsOrString') return;
  const options = item.answerOption?.map((o) => valueOf(o)).filter((o) => o !== undefined) ?? [];
  const codings = item.answerValueSet ? (resolveValueSet?.(item.answerValueSet) ?? []) : [];
  // An answerValueSet we could not resolve cannot be checked here; the server's validation will.
  if (item.answerValueSet && !resolveValueSet?.(item.answerValueSet)) return;
  const matches =
    options.some((o) => o.key === value.key && compareValues(o.key, value.value, o.value) === 0) ||
    (value.key === 'valueCoding' && codings.some((c) => codingEquals(c, value.value as fhir4.Coding)));
  if (!matches && constraint !== 'optionsOrType') add('not-an-option', messages.notAnOption(item));
}
