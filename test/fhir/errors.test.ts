import { describe, expect, test } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, FhirGatewayError, messageForStatus, parseRetryAfter, toGatewayError, withRetry } from '../../src/fhir/index.js';
import { formatNhsNumber, isValidNhsNumber } from '../../src/engine/index.js';

describe('NHS number (Modulus 11)', () => {
  test.each([
    ['943 476 5919', true], ['9434765919', true], ['943-476-5919', true], ['9990000018', true],
    ['9434765918', false], ['943476591', false], ['94347659199', false], ['abcdefghij', false], ['', false],
    ['9990000019', false], // wrong check digit
    ['1000000010', false], // check digit would be 10: never valid
  ])('%s → %s', (input, valid) => expect(isValidNhsNumber(input)).toBe(valid));
  test('formats as 3 3 4', () => expect(formatNhsNumber('9434765919')).toBe('943 476 5919'));
});

describe('error mapping', () => {
  const outcome = (text: string): fhir4.OperationOutcome => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text } }] });
  test.each<[number, RegExp]>([
    [401, /sign-in/], [403, /sign-in/], [404, /could not find/], [409, /Someone else changed/], [412, /Someone else changed/],
    [429, /busy/], [500, /busy or unavailable/], [503, /busy or unavailable/], [422, /refused this record: Bad subject/], [400, /refused this record: Bad subject/],
  ])('HTTP %i', (status, message) => expect(messageForStatus(status, outcome('Bad subject'))).toMatch(message));

  test('fhir-kit-client errors become gateway errors carrying the OperationOutcome and Retry-After', () => {
    const raw = Object.assign(new Error('HTTP 429'), { response: { status: 429, data: outcome('slow down') }, config: { headers: new Headers({ 'retry-after': '7' }) } });
    const error = toGatewayError(raw);
    expect(error).toBeInstanceOf(FhirGatewayError);
    expect(error.retryable).toBe(true);
    expect(error.options.retryAfterMs).toBe(7000);
    expect(error.detail).toContain('HTTP 429');
    expect(error.detail).toContain('slow down');
  });

  test.each([[400, false], [404, false], [408, true], [409, false], [422, false], [429, true], [500, true], [502, true]])('HTTP %i retryable: %s', (status, retryable) => {
    expect(new FhirGatewayError('http', 'x', { status }).retryable).toBe(retryable);
  });

  test('network failures and timeouts are retryable', () => {
    expect(toGatewayError(new TypeError('fetch failed')).kind).toBe('network');
    expect(toGatewayError(Object.assign(new Error('t'), { name: 'TimeoutError' })).kind).toBe('timeout');
  });

  test('Retry-After as an HTTP date', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retry', () => {
  const policy = { ...DEFAULT_RETRY, attempts: 4, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1, sleep: async () => undefined };
  test('exponential backoff with a ceiling (full jitter at random()=1)', () => {
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 400, 800, 1000]);
  });
  test('a 4xx is not retried; a 5xx is, up to the attempt limit', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new FhirGatewayError('http', 'no', { status: 422 }); }, policy)).rejects.toMatchObject({ status: 422 });
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw new FhirGatewayError('http', 'down', { status: 503 }); }, policy)).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(4);
  });
});
