/**
 * NHS number check (Modulus 11), done before any request so a mistyped number never finds the
 * wrong patient. https://www.datadictionary.nhs.uk/attributes/nhs_number.html
 */
import { NHS_NUMBER_SYSTEM } from './constants.js';

export function normaliseNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function isValidNhsNumber(input: string): boolean {
  const digits = normaliseNhsNumber(input);
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** "943 476 5919" — the way NHS numbers are shown to people. */
export function formatNhsNumber(input: string): string {
  const d = normaliseNhsNumber(input);
  return d.length === 10 ? `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}` : input;
}

/**
 * The first NHS number in a value (a Reference, a resource, a response) that fails its check, or
 * undefined. Every identifier with the NHS number system is looked at, however deep: a number
 * that reaches a request or a record has always passed Modulus 11.
 */
export function findInvalidNhsNumber(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findInvalidNhsNumber(v);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (record.system === NHS_NUMBER_SYSTEM && 'value' in record) {
    const number = typeof record.value === 'string' ? record.value : String(record.value);
    if (!isValidNhsNumber(number)) return number;
  }
  for (const v of Object.values(record)) {
    const found = findInvalidNhsNumber(v);
    if (found !== undefined) return found;
  }
  return undefined;
}
