/**
 * Answer values: reading `value[x]`, equality of Codings (system + code), and the ordering the
 * enableWhen operators need for each FHIR primitive.
 */
import type { Answer, Coding } from './types.js';

const CHOICE_KEYS = /^(value|answer)(Boolean|Decimal|Integer|Date|DateTime|Time|String|Uri|Coding|Quantity|Reference|Attachment|Code)$/;

/**
 * The `value[x]` of an answer, answerOption, initial or extension — or the `answer[x]` of an
 * enableWhen — as a `value…` key and its value.
 */
export function valueOf(element: object): { key: string; value: unknown } | undefined {
  for (const [key, value] of Object.entries(element)) {
    const match = CHOICE_KEYS.exec(key);
    if (match && value !== undefined) return { key: `value${match[2]}`, value };
  }
  return undefined;
}

export function codingEquals(a: Coding, b: Coding): boolean {
  if (a.code !== b.code) return false;
  // An enableWhen or option written without a system matches on code alone.
  return !a.system || !b.system || a.system === b.system;
}

/** Dates, dateTimes and times compared as instants where both are complete, otherwise as text. */
function compareTemporal(a: string, b: string): number {
  const full = /T\d{2}:\d{2}/;
  if (full.test(a) && full.test(b)) {
    const diff = Date.parse(a) - Date.parse(b);
    if (!Number.isNaN(diff)) return Math.sign(diff);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares two values of the same FHIR type. Returns undefined when they cannot be ordered
 * (different types, different quantity units, Codings and References are only equal or not).
 */
export function compareValues(key: string, a: unknown, b: unknown): number | undefined {
  switch (key) {
    case 'valueBoolean':
      return a === b ? 0 : undefined;
    case 'valueDecimal':
    case 'valueInteger':
      return typeof a === 'number' && typeof b === 'number' ? Math.sign(a - b) : undefined;
    case 'valueDate':
    case 'valueDateTime':
    case 'valueTime':
      return typeof a === 'string' && typeof b === 'string' ? compareTemporal(a, b) : undefined;
    case 'valueString':
    case 'valueUri':
      return typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : undefined;
    case 'valueCoding':
      return codingEquals(a as Coding, b as Coding) ? 0 : undefined;
    case 'valueQuantity': {
      const qa = a as fhir4.Quantity;
      const qb = b as fhir4.Quantity;
      const sameUnit = (qa.code ?? qa.unit) === (qb.code ?? qb.unit) && (!qa.system || !qb.system || qa.system === qb.system);
      if (!sameUnit || qa.value === undefined || qb.value === undefined) return undefined;
      return Math.sign(qa.value - qb.value);
    }
    case 'valueReference':
      return (a as fhir4.Reference).reference === (b as fhir4.Reference).reference ? 0 : undefined;
    default:
      return JSON.stringify(a) === JSON.stringify(b) ? 0 : undefined;
  }
}

/** Coerces a value to the answer key used for comparisons (a date answer vs a dateTime condition). */
function comparableKey(key: string): string {
  return key === 'valueDateTime' || key === 'valueDate' ? 'valueDateTime' : key;
}

export function answersEqual(a: Answer, b: Answer): boolean {
  const va = valueOf(a);
  const vb = valueOf(b);
  if (!va || !vb || comparableKey(va.key) !== comparableKey(vb.key)) return false;
  return compareValues(va.key, va.value, vb.value) === 0;
}

export type EnableWhenOperator = fhir4.QuestionnaireItemEnableWhen['operator'];

/** R4 `QuestionnaireItemOperator` semantics for one answer against the condition's value. */
export function matchesOperator(operator: EnableWhenOperator, answer: Answer, expected: { key: string; value: unknown }): boolean {
  const actual = valueOf(answer);
  if (!actual) return false;
  if (comparableKey(actual.key) !== comparableKey(expected.key)) {
    // open-choice answers may be a string where the condition names a Coding, and vice versa.
    if (!(actual.key === 'valueString' && expected.key === 'valueCoding')) return false;
    const coding = expected.value as Coding;
    const same = actual.value === coding.display || actual.value === coding.code;
    return operator === '=' ? same : operator === '!=' ? !same : false;
  }
  const order = compareValues(actual.key, actual.value, expected.value);
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order !== undefined && order > 0;
    case '<':
      return order !== undefined && order < 0;
    case '>=':
      return order !== undefined && order >= 0;
    case '<=':
      return order !== undefined && order <= 0;
    default:
      return false;
  }
}

/** True when an answer carries no value at all (an empty string counts as none). */
export function isEmptyAnswer(answer: Answer): boolean {
  if (!answer || typeof answer !== 'object') return true;
  const v = valueOf(answer);
  if (!v) return true;
  if (typeof v.value === 'string') return v.value.trim() === '';
  if (v.key === 'valueQuantity') return (v.value as fhir4.Quantity).value === undefined;
  return false;
}

const FORMATS: Record<string, RegExp> = {
  valueDate: /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/,
  valueDateTime: /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/,
  valueTime: /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?$/,
  valueUri: /^\S*$/,
};

/**
 * Is the value a well-formed FHIR primitive of its type? Malformed values are reported by
 * validation and never written into a QuestionnaireResponse.
 */
export function isWellFormed(key: string, value: unknown): boolean {
  switch (key) {
    case 'valueBoolean': return typeof value === 'boolean';
    case 'valueInteger': return Number.isInteger(value) && Math.abs(value as number) <= 2147483647;
    case 'valueDecimal': return typeof value === 'number' && Number.isFinite(value);
    case 'valueString': return typeof value === 'string' && value.trim() !== '';
    case 'valueCoding': return !!value && typeof value === 'object' && (!!(value as Coding).code || !!(value as Coding).display);
    case 'valueQuantity': return !!value && typeof value === 'object' && Number.isFinite((value as fhir4.Quantity).value);
    case 'valueReference': return !!value && typeof value === 'object' && typeof (value as fhir4.Reference).reference === 'string';
    default: {
      const format = FORMATS[key];
      return format ? typeof value === 'string' && format.test(value) : value !== undefined;
    }
  }
}
