/**
 * What a person types, as FHIR answers: text boxes (numbers, quantities, times, URLs, references,
 * free text) and the GOV.UK / NHS.UK date input (day, month, year, and a time for dateTime).
 * Text that is not (yet) a valid value gives no answer; the renderer keeps it as typed, and
 * `typedTextIssues` turns it into an error on save ("Enter a real date"), never into a silent gap.
 */
import { QUESTIONNAIRE_UNIT } from './constants.js';
import { messages } from './messages.js';
import { nodeAt } from './enable-when.js';
import { getExtension } from './paths.js';
import type { Answer, FormState, Issue, ItemPath } from './types.js';

type Item = fhir4.QuestionnaireItem;

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The answer that typed text stands for, or undefined when it is empty or not a valid value of the item's type. */
export function parseTypedAnswer(item: Item, text: string): Answer | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  switch (item.type) {
    case 'integer':
      return /^[-+]?\d+$/.test(trimmed) ? { valueInteger: Number(trimmed) } : undefined;
    case 'decimal':
      return DECIMAL.test(trimmed) ? { valueDecimal: Number(trimmed) } : undefined;
    case 'quantity': {
      if (!DECIMAL.test(trimmed)) return undefined;
      const unit = getExtension(item, QUESTIONNAIRE_UNIT)?.valueCoding;
      return { valueQuantity: { value: Number(trimmed), ...(unit ? { unit: unit.display ?? unit.code, system: unit.system, code: unit.code } : {}) } };
    }
    case 'time': {
      const time = TIME.exec(trimmed);
      return time ? { valueTime: `${pad(Number(time[1]))}:${time[2]}:00` } : undefined;
    }
    case 'url':
      return { valueUri: trimmed };
    case 'reference':
      return { valueReference: { reference: trimmed } };
    default:
      return { valueString: text };
  }
}

/** The text a stored answer shows in its text box (the inverse of `parseTypedAnswer`). */
export function typedTextOf(answer: Answer | undefined): string {
  if (!answer) return '';
  if (answer.valueQuantity) return String(answer.valueQuantity.value ?? '');
  if (answer.valueReference) return answer.valueReference.reference ?? '';
  if (answer.valueTime !== undefined) return answer.valueTime.slice(0, 5);
  const value = answer.valueString ?? answer.valueUri ?? answer.valueInteger ?? answer.valueDecimal;
  return value === undefined ? '' : String(value);
}

export type DatePart = 'day' | 'month' | 'year' | 'time';
export const DATE_PARTS: readonly DatePart[] = ['day', 'month', 'year', 'time'];

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The offset of a wall-clock time in the time zone this runs in (Europe/London for UK users: +01:00 in BST). */
export function localOffset(y: number, m: number, d: number, h: number, min: number): string {
  const minutes = -new Date(y, m - 1, d, h, min).getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * The answer of a date input's parts: a `date` from a real day, month and four-digit year; a
 * `dateTime` needs a time too (24-hour), and carries the local offset of that moment.
 */
export function parseDateParts(item: Item, parts: Partial<Record<DatePart, string>>, offset = localOffset): Answer | undefined {
  const get = (p: DatePart) => (parts[p] ?? '').trim();
  const [d, m, y] = [Number(get('day')), Number(get('month')), Number(get('year'))];
  if (!/^\d{4}$/.test(get('year')) || !isRealDate(y, m, d)) return undefined;
  const date = `${y}-${pad(m)}-${pad(d)}`;
  if (item.type === 'date') return { valueDate: date };
  const time = TIME.exec(get('time'));
  if (!time) return undefined;
  const [h, min] = [Number(time[1]), Number(time[2])];
  return { valueDateTime: `${date}T${pad(h)}:${time[2]}:00${offset(y, m, d, h, min)}` };
}

/** The date input's parts of a stored answer (day and month without leading zeros, as typed). */
export function datePartsOf(answer: Answer | undefined): Partial<Record<DatePart, string>> {
  const stored = answer?.valueDate ?? answer?.valueDateTime;
  if (!stored) return {};
  const [y, m, d] = stored.slice(0, 10).split('-');
  return {
    day: String(Number(d)), month: String(Number(m)), year: y!,
    ...(answer?.valueDateTime ? { time: answer.valueDateTime.slice(11, 16) } : {}),
  };
}

/** What kind of value an item's text box wants, in the words of the error message. */
function wanted(item: Item): string {
  if (item.type === 'integer') return 'a whole number';
  if (item.type === 'decimal' || item.type === 'quantity') return 'a number';
  if (item.type === 'time') return 'a time, like 14:30';
  if (item.type.startsWith('date')) return 'a real date';
  return 'a valid answer';
}

/**
 * Errors for text typed into enabled, unanswered items that is not a valid value: `typed` maps
 * `<path>#<part>` to the text. One error per item, and none where `issues` already has one.
 */
export function typedTextIssues(state: FormState, typed: ReadonlyMap<string, string>, issues: readonly Issue[]): Issue[] {
  const found: Issue[] = [];
  const has = new Set(issues.map((i) => i.path));
  for (const [key, text] of typed) {
    const path = key.slice(0, key.lastIndexOf('#')) as ItemPath;
    if (!text.trim() || !state.enabled.has(path) || has.has(path)) continue;
    const item = nodeAt(state, path)?.item;
    if (!item || (state.answers.get(path)?.length ?? 0) > 0) continue;
    has.add(path);
    found.push({ severity: 'error', location: path, linkId: item.linkId, path, code: 'invalid-value', message: messages.invalidValue(item, wanted(item)) });
  }
  return found;
}
