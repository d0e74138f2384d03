/** Whose record is this: baby, adult, child or unknown, from the date of birth alone. */
import { describe, expect, test } from 'vitest';
import { ageInYears, findInvalidNhsNumber, subjectKind } from '../../src/engine/index.js';

const ON = new Date('2026-11-23T10:00:00Z');

describe('ageInYears', () => {
  test.each([
    ['2026-09-27', 0], ['2024-11-24', 1], ['2024-11-23', 2], ['1996-04-12', 30], ['2014-11-23', 12], ['2014-11-24', 11],
    ['2026', 0], ['2026-11', 0], ['2025-12', 0], ['2024', 1], ['2026-12-01', undefined], ['2027', undefined],
    [undefined, undefined], ['', undefined], ['23/11/2026', undefined], ['2026-13', undefined], ['2026-02-30', undefined],
  ] as const)('%s → %s', (birthDate, age) => {
    expect(ageInYears(birthDate, ON)).toBe(age);
  });
});

describe('subjectKind', () => {
  test.each([
    [{ birthDate: '2026-09-27' }, 'baby'],
    [{ birthDate: '2024-11-24' }, 'baby'],
    [{ birthDate: '2024-11-23' }, 'child'],
    [{ birthDate: '2014-11-24' }, 'child'],
    [{ birthDate: '2014-11-23' }, 'adult'],
    [{ birthDate: '1996-04-12' }, 'adult'],
    [{}, 'unknown'],
    [undefined, 'unknown'],
    [{ birthDate: '2030-01-01' }, 'unknown'],
  ] as const)('%j → %s', (patient, kind) => {
    expect(subjectKind(patient, ON)).toBe(kind);
  });
});

describe('findInvalidNhsNumber', () => {
  const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
  test.each([
    [{ identifier: { system: NHS, value: '9990000018' } }, undefined],
    [{ identifier: { system: NHS, value: '999 000 0018' } }, undefined],
    [{ identifier: { system: NHS, value: '9990000019' } }, '9990000019'],
    [{ subject: { identifier: { system: NHS, value: '12345' } } }, '12345'],
    [{ item: [{ answer: [{ valueReference: { identifier: { system: NHS, value: '999000001X' } } }] }] }, '999000001X'],
    [{ identifier: [{ system: 'https://other', value: '9990000019' }] }, undefined],
    [{ identifier: { system: NHS, value: 9990000018 } }, undefined],
    [null, undefined],
  ] as const)('%j → %s', (value, invalid) => {
    expect(findInvalidNhsNumber(value)).toBe(invalid);
  });
});
