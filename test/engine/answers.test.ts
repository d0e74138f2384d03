/**
 * Answer values, one function at a time (table-driven). Written after mutation testing showed that
 * the boundary cases of these helpers (an integer at 2^31-1, a quantity without a value, a date
 * answer against a dateTime condition…) could change without any other test noticing.
 */
import { describe, expect, test } from 'vitest';
import { compareValues, isWellFormed, matchesOperator } from '../../src/engine/answers.js';
import {
  answersEqual, codingEquals, formatNhsNumber, isEmptyAnswer, isValidNhsNumber, labelOf, messages, normaliseNhsNumber, valueOf,
  type Answer,
} from '../../src/engine/index.js';

describe('valueOf', () => {
  test.each<[string, object, ReturnType<typeof valueOf>]>([
    ['value[x]', { valueBoolean: false }, { key: 'valueBoolean', value: false }],
    ['answer[x] becomes value…', { question: 'q', operator: '=', answerCoding: { code: 'a' } }, { key: 'valueCoding', value: { code: 'a' } }],
    ['valueCode', { valueCode: 'x' }, { key: 'valueCode', value: 'x' }],
    ['skips undefined', { valueString: undefined, valueInteger: 0 }, { key: 'valueInteger', value: 0 }],
    ['none', { url: 'x', extension: [] }, undefined],
    ['no prefix match', { myvalueString: 'x', valueStringy: 'y' }, undefined],
  ])('%s', (_name, element, expected) => {
    expect(valueOf(element)).toEqual(expected);
  });
});

describe('codingEquals', () => {
  test.each<[fhir4.Coding, fhir4.Coding, boolean]>([
    [{ system: 's', code: 'a' }, { system: 's', code: 'a' }, true],
    [{ system: 's', code: 'a' }, { system: 't', code: 'a' }, false],
    [{ code: 'a' }, { system: 't', code: 'a' }, true],
    [{ system: 's', code: 'a' }, { code: 'a' }, true],
    [{ system: 's', code: 'a' }, { system: 's', code: 'b' }, false],
  ])('%j = %j → %s', (a, b, expected) => {
    expect(codingEquals(a, b)).toBe(expected);
  });
});

describe('compareValues', () => {
  test.each<[string, unknown, unknown, number | undefined]>([
    ['valueBoolean', true, true, 0], ['valueBoolean', true, false, undefined],
    ['valueInteger', 3, 2, 1], ['valueInteger', 2, 3, -1], ['valueInteger', 2, 2, 0], ['valueDecimal', 2.5, 2.25, 1], ['valueInteger', '2', 2, undefined],
    ['valueInteger', 2, '2', undefined],
    ['valueDate', '2024-01-02', '2024-01-01', 1], ['valueDate', '2024-01-01', '2024-01-02', -1], ['valueDate', '2024-01-01', '2024-01-01', 0],
    ['valueDate', 20240101, '2024-01-01', undefined], ['valueTime', '10:00:00', 1000, undefined],
    // Complete dateTimes compare as instants (offsets count); partial ones as text.
    ['valueDateTime', '2024-03-31T01:30:00+01:00', '2024-03-31T00:30:00Z', 0],
    ['valueDateTime', '2024-03-31T01:30:00+01:00', '2024-03-31T00:40:00Z', -1],
    ['valueDateTime', '2024-03-31T02:30:00+01:00', '2024-03-31T00:40:00Z', 1],
    ['valueDateTime', '2024-03-31T99:99:99Z', '2024-03-31T00:40:00Z', 1],
    ['valueTime', '09:00:00', '10:00:00', -1], ['valueTime', '11:00:00', '10:00:00', 1],
    ['valueString', 'b', 'a', 1], ['valueString', 'a', 'b', -1], ['valueString', 'a', 'a', 0], ['valueUri', 'x', 'x', 0], ['valueString', 1, 'a', undefined],
    ['valueString', 'a', 1, undefined],
    ['valueCoding', { system: 's', code: 'a' }, { code: 'a' }, 0], ['valueCoding', { code: 'a' }, { code: 'b' }, undefined],
    ['valueQuantity', { value: 3, code: 'kg' }, { value: 2, code: 'kg' }, 1],
    ['valueQuantity', { value: 2, unit: 'kg' }, { value: 3, unit: 'kg' }, -1],
    ['valueQuantity', { value: 2, code: 'kg', system: 'u' }, { value: 2, code: 'kg', system: 'v' }, undefined],
    ['valueQuantity', { value: 2, code: 'kg', system: 'u' }, { value: 2, code: 'kg' }, 0],
    ['valueQuantity', { value: 2, code: 'kg' }, { value: 2, code: 'g' }, undefined],
    ['valueQuantity', { code: 'kg' }, { value: 2, code: 'kg' }, undefined],
    ['valueQuantity', { value: 2, code: 'kg' }, { code: 'kg' }, undefined],
    ['valueReference', { reference: 'Patient/1' }, { reference: 'Patient/1' }, 0], ['valueReference', { reference: 'Patient/1' }, { reference: 'Patient/2' }, undefined],
    ['valueAttachment', { url: 'a' }, { url: 'a' }, 0], ['valueAttachment', { url: 'a' }, { url: 'b' }, undefined],
  ])('%s %j vs %j → %s', (key, a, b, expected) => {
    expect(compareValues(key, a, b)).toBe(expected);
  });
});

describe('answersEqual', () => {
  test.each<[Answer, Answer, boolean]>([
    [{ valueDate: '2024-01-01' }, { valueDateTime: '2024-01-01' }, true],
    [{ valueDateTime: '2024-01-01' }, { valueDate: '2024-01-01' }, true],
    [{ valueInteger: 1 }, { valueDecimal: 1 }, false],
    [{ valueString: 'a' }, { valueString: 'a' }, true],
    [{ valueString: 'a' }, { valueString: 'b' }, false],
    [{} as Answer, { valueString: 'b' }, false],
    [{ valueString: 'b' }, {} as Answer, false],
  ])('%j = %j → %s', (a, b, expected) => {
    expect(answersEqual(a, b)).toBe(expected);
  });
});

describe('matchesOperator', () => {
  const v = (key: string, value: unknown) => ({ key, value });
  test.each<[string, Answer, ReturnType<typeof v>, boolean]>([
    ['=', { valueInteger: 2 }, v('valueInteger', 2), true], ['=', { valueInteger: 3 }, v('valueInteger', 2), false],
    ['!=', { valueInteger: 3 }, v('valueInteger', 2), true], ['!=', { valueInteger: 2 }, v('valueInteger', 2), false],
    ['>', { valueInteger: 3 }, v('valueInteger', 2), true], ['>', { valueInteger: 2 }, v('valueInteger', 2), false],
    ['<', { valueInteger: 1 }, v('valueInteger', 2), true], ['<', { valueInteger: 2 }, v('valueInteger', 2), false],
    ['>=', { valueInteger: 2 }, v('valueInteger', 2), true], ['>=', { valueInteger: 1 }, v('valueInteger', 2), false],
    ['<=', { valueInteger: 2 }, v('valueInteger', 2), true], ['<=', { valueInteger: 3 }, v('valueInteger', 2), false],
    // Not comparable (different units): no ordering operator holds; != holds.
    ['>', { valueQuantity: { value: 3, code: 'g' } }, v('valueQuantity', { value: 2, code: 'kg' }), false],
    ['<', { valueQuantity: { value: 1, code: 'g' } }, v('valueQuantity', { value: 2, code: 'kg' }), false],
    ['>=', { valueQuantity: { value: 3, code: 'g' } }, v('valueQuantity', { value: 2, code: 'kg' }), false],
    ['<=', { valueQuantity: { value: 1, code: 'g' } }, v('valueQuantity', { value: 2, code: 'kg' }), false],
    ['!=', { valueQuantity: { value: 3, code: 'g' } }, v('valueQuantity', { value: 2, code: 'kg' }), true],
    ['exists', { valueInteger: 2 }, v('valueInteger', 2), false],
    ['=', {} as Answer, v('valueInteger', 2), false],
    ['=', { valueInteger: 2 }, v('valueString', '2'), false],
    ['!=', { valueInteger: 2 }, v('valueString', '2'), false],
    // open-choice: a typed answer matches a Coding condition by display or code.
    ['=', { valueString: 'Other' }, v('valueCoding', { code: 'x', display: 'Other' }), true],
    ['=', { valueString: 'x' }, v('valueCoding', { code: 'x', display: 'Other' }), true],
    ['=', { valueString: 'Else' }, v('valueCoding', { code: 'x', display: 'Other' }), false],
    ['!=', { valueString: 'Else' }, v('valueCoding', { code: 'x', display: 'Other' }), true],
    ['!=', { valueString: 'Other' }, v('valueCoding', { code: 'x', display: 'Other' }), false],
    ['>', { valueString: 'Other' }, v('valueCoding', { code: 'x', display: 'Other' }), false],
    ['=', { valueCoding: { code: 'x' } }, v('valueString', 'x'), false],
    ['=', { valueDate: '2024-01-01' }, v('valueDateTime', '2024-01-01'), true],
  ])('%s: %j against %j → %s', (operator, answer, expected, result) => {
    expect(matchesOperator(operator as never, answer, expected)).toBe(result);
  });
});

describe('isEmptyAnswer', () => {
  test.each<[unknown, boolean]>([
    [undefined, true], [null, true], ['x', true], [{}, true], [{ valueString: '' }, true], [{ valueString: '  ' }, true], [{ valueString: ' a ' }, false],
    [{ valueQuantity: { unit: 'kg' } }, true], [{ valueQuantity: { value: 0 } }, false], [{ valueBoolean: false }, false], [{ valueInteger: 0 }, false],
  ])('%j → %s', (answer, expected) => {
    expect(isEmptyAnswer(answer as Answer)).toBe(expected);
  });
});

describe('isWellFormed', () => {
  test.each<[string, unknown, boolean]>([
    ['valueBoolean', false, true], ['valueBoolean', 'true', false],
    ['valueInteger', 2147483647, true], ['valueInteger', -2147483647, true], ['valueInteger', 2147483648, false], ['valueInteger', -2147483648, false], ['valueInteger', 1.5, false],
    ['valueDecimal', 1.5, true], ['valueDecimal', Infinity, false], ['valueDecimal', NaN, false], ['valueDecimal', '1', false],
    ['valueString', 'a', true], ['valueString', ' ', false], ['valueString', 1, false],
    ['valueCoding', { code: 'a' }, true], ['valueCoding', { display: 'A' }, true], ['valueCoding', { system: 's' }, false], ['valueCoding', null, false], ['valueCoding', 'a', false],
    ['valueQuantity', { value: 1 }, true], ['valueQuantity', { value: Infinity }, false], ['valueQuantity', {}, false], ['valueQuantity', null, false], ['valueQuantity', 1, false],
    ['valueReference', { reference: 'Patient/1' }, true], ['valueReference', {}, false], ['valueReference', null, false], ['valueReference', 'Patient/1', false],
    ['valueDate', '2024', true], ['valueDate', '2024-02', true], ['valueDate', '2024-02-29', true], ['valueDate', '2024-13-01', false], ['valueDate', '2024-02-32', false],
    ['valueDate', 'x2024-01-01', false], ['valueDate', '2024-01-01x', false], ['valueDate', 20240101, false],
    ['valueDateTime', '2024-03-31T01:30:00+01:00', true], ['valueDateTime', '2024-03-31T01:30:00Z', true], ['valueDateTime', '2024-03-31T01:30:00.123Z', true],
    ['valueDateTime', '2024-03-31T01:30:00', false], ['valueDateTime', '2024-03-31T24:00:00Z', false], ['valueDateTime', '2024-03-31T01:30:00+14:00', true],
    ['valueDateTime', '2024-03-31T01:30:00+14:30', false], ['valueDateTime', '2024-03-31', true],
    ['valueTime', '23:59:59', true], ['valueTime', '24:00:00', false], ['valueTime', '10:00', false], ['valueTime', '10:00:00.5', true], ['valueTime', 'x10:00:00', false],
    ['valueUri', 'http://x', true], ['valueUri', 'has space', false], ['valueUri', 1, false],
    ['valueAttachment', { url: 'x' }, true], ['valueAttachment', undefined, false],
  ])('%s %j → %s', (key, value, expected) => {
    expect(isWellFormed(key, value)).toBe(expected);
  });
});

describe('NHS number', () => {
  test.each<[string, boolean]>([
    ['943 476 5919', true], ['9434765919', true], ['943-476-5919', true], ['9990000018', true],
    ['9434765918', false], ['943476591', false], ['94347659190', false], ['943476591X', false],
    // Check digit 10 is never valid; a remainder of 0 gives check digit 0 (11 → 0).
    ['1000000010', false], ['0000000000', true], ['1234567881', true], ['1234567880', false],
  ])('%s valid: %s', (input, expected) => {
    expect(isValidNhsNumber(input)).toBe(expected);
  });
  test('normalise and format', () => {
    expect(normaliseNhsNumber(' 943-476 5919 ')).toBe('9434765919');
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber('94347')).toBe('94347');
  });
});

describe('messages', () => {
  const item = (extra: Partial<fhir4.QuestionnaireItem>): fhir4.QuestionnaireItem => ({ linkId: 'q', type: 'string', text: 'Name of interpreter', ...extra });
  test.each<[string, fhir4.QuestionnaireItem, string]>([
    ['boolean', item({ type: 'boolean', text: 'Is it safe?' }), 'Select yes or no: is it safe'],
    ['choice', item({ type: 'choice', text: 'Outcome' }), 'Select an answer: outcome'],
    ['repeating choice', item({ type: 'choice', repeats: true, text: 'Who took part' }), 'Select all that apply: who took part'],
    ['open-choice', item({ type: 'open-choice', text: 'Where' }), 'Select an answer: where'],
    ['repeating open-choice', item({ type: 'open-choice', repeats: true, text: 'Where' }), 'Select all that apply: where'],
    ['date', item({ type: 'date', text: 'Follow-up by' }), 'Enter a date: follow-up by'],
    ['dateTime', item({ type: 'dateTime', text: 'When' }), 'Enter a date: when'],
    ['group', item({ type: 'group', text: 'Actions' }), 'Record at least one answer: Actions'],
    ['string', item({}), 'Enter name of interpreter'],
    ['acronym kept in capitals', item({ text: 'DASH score' }), 'Enter DASH score'],
    ['short text wins', item({ extension: [{ url: 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-shortText', valueString: 'Interpreter' }] }), 'Enter interpreter'],
    ['linkId when no text', { linkId: 'who', type: 'string' }, 'Enter who'],
  ])('required: %s', (_name, it, expected) => {
    expect(messages.required(it)).toBe(expected);
  });
  test('the others', () => {
    const it = item({ text: 'Weeks:' });
    expect(messages.minOccurs(it, 2)).toBe('Give at least 2 answers: weeks');
    expect(messages.maxOccurs(it, 1)).toBe('Give no more than 1 answers: weeks');
    expect(messages.maxLength(it, 3)).toBe('Weeks must be 3 characters or fewer');
    expect(messages.minValue(it, '22')).toBe('Weeks must be 22 or more');
    expect(messages.maxValue(it, '42')).toBe('Weeks must be 42 or less');
    expect(messages.notAnOption(it)).toBe('Select one of the options listed: weeks');
    expect(messages.invalidValue(it, 'a whole number')).toBe('Enter a whole number: weeks');
  });
  test.each<[string, string]>([['Is it safe?', 'Is it safe'], ['Name:', 'Name'], ['Done.', 'Done'], ['  Padded  ', 'Padded'], ['Why? ', 'Why'], ['a.b', 'a.b']])('labelOf %j', (text, expected) => {
    expect(labelOf({ linkId: 'q', type: 'string', text })).toBe(expected);
  });
});
