/**
 * Typed text into FHIR answers, table-driven: text boxes of every type, the date input (BST and
 * GMT offsets, impossible dates), and the errors for text that is not a valid value.
 */
import { describe, expect, test } from 'vitest';
import {
  createFormState, datePartsOf, parseDateParts, parseTypedAnswer, QUESTIONNAIRE_UNIT, setAnswers, typedTextIssues, typedTextOf,
  type Answer, type Questionnaire,
} from '../../src/engine/index.js';

const item = (type: fhir4.QuestionnaireItem['type'], extra: Partial<fhir4.QuestionnaireItem> = {}): fhir4.QuestionnaireItem => ({ linkId: 'x', type, ...extra });
const kg = { url: QUESTIONNAIRE_UNIT, valueCoding: { system: 'http://unitsofmeasure.org', code: 'kg', display: 'kilograms' } };

describe('parseTypedAnswer', () => {
  test.each<[string, fhir4.QuestionnaireItem, string, Answer | undefined]>([
    ['integer', item('integer'), ' 42 ', { valueInteger: 42 }],
    ['signed integer', item('integer'), '-3', { valueInteger: -3 }],
    ['integer refuses a decimal', item('integer'), '4.5', undefined],
    ['integer refuses words', item('integer'), 'four', undefined],
    ['decimal', item('decimal'), '3.25', { valueDecimal: 3.25 }],
    ['decimal with a leading point', item('decimal'), '.5', { valueDecimal: 0.5 }],
    ['decimal refuses a comma', item('decimal'), '3,25', undefined],
    ['quantity with its unit', item('quantity', { extension: [kg] }), '3.4', { valueQuantity: { value: 3.4, unit: 'kilograms', system: 'http://unitsofmeasure.org', code: 'kg' } }],
    ['quantity without a unit', item('quantity'), '7', { valueQuantity: { value: 7 } }],
    ['time, padded', item('time'), '9:05', { valueTime: '09:05:00' }],
    ['time refuses 24:00', item('time'), '24:00', undefined],
    ['url, trimmed', item('url'), ' https://example.org ', { valueUri: 'https://example.org' }],
    ['reference', item('reference'), 'Patient/1', { valueReference: { reference: 'Patient/1' } }],
    ['string keeps spaces as typed', item('string'), ' two words ', { valueString: ' two words ' }],
    ['text', item('text'), 'line one\nline two', { valueString: 'line one\nline two' }],
    ['empty is no answer', item('string'), '   ', undefined],
  ])('%s', (_name, it, text, expected) => {
    expect(parseTypedAnswer(it, text)).toEqual(expected);
  });

  test.each<[Answer, string]>([
    [{ valueInteger: 42 }, '42'], [{ valueDecimal: 0.5 }, '0.5'], [{ valueQuantity: { value: 3.4 } }, '3.4'], [{ valueTime: '09:05:00' }, '09:05'],
    [{ valueUri: 'https://example.org' }, 'https://example.org'], [{ valueReference: { reference: 'Patient/1' } }, 'Patient/1'], [{ valueString: 'a' }, 'a'],
  ])('typedTextOf(%j) is what the box shows', (answer, text) => {
    expect(typedTextOf(answer)).toBe(text);
  });
});

describe('parseDateParts', () => {
  test.each<[string, fhir4.QuestionnaireItem, Record<string, string>, Answer | undefined]>([
    ['a date', item('date'), { day: '5', month: '3', year: '2027' }, { valueDate: '2027-03-05' }],
    ['29 February in a leap year', item('date'), { day: '29', month: '2', year: '2028' }, { valueDate: '2028-02-29' }],
    ['no 29 February in 2027', item('date'), { day: '29', month: '2', year: '2027' }, undefined],
    ['no month 13', item('date'), { day: '1', month: '13', year: '2027' }, undefined],
    ['a two-digit year is not a year', item('date'), { day: '1', month: '1', year: '27' }, undefined],
    ['nothing typed', item('date'), {}, undefined],
    ['dateTime in GMT', item('dateTime'), { day: '15', month: '1', year: '2027', time: '14:30' }, { valueDateTime: '2027-01-15T14:30:00+00:00' }],
    ['dateTime in BST', item('dateTime'), { day: '15', month: '7', year: '2027', time: '9:05' }, { valueDateTime: '2027-07-15T09:05:00+01:00' }],
    ['the night the clocks go forward', item('dateTime'), { day: '28', month: '3', year: '2027', time: '03:00' }, { valueDateTime: '2027-03-28T03:00:00+01:00' }],
    ['dateTime needs its time', item('dateTime'), { day: '15', month: '7', year: '2027' }, undefined],
  ])('%s', (_name, it, parts, expected) => {
    expect(parseDateParts(it, parts)).toEqual(expected);
  });

  test('the parts of a stored answer read as typed, and parse back to it', () => {
    for (const answer of [{ valueDate: '2027-03-05' }, { valueDateTime: '2027-07-15T09:05:00+01:00' }] as Answer[]) {
      const parts = datePartsOf(answer);
      expect(parseDateParts(item(answer.valueDate ? 'date' : 'dateTime'), parts)).toEqual(answer);
    }
    expect(datePartsOf({ valueDate: '2027-03-05' })).toEqual({ day: '5', month: '3', year: '2027' });
  });
});

describe('typedTextIssues', () => {
  const questionnaire: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'n', type: 'integer', text: 'Visits' },
      { linkId: 'd', type: 'date', text: 'Date of birth' },
      { linkId: 'gate', type: 'boolean' },
      { linkId: 'later', type: 'decimal', text: 'Weight', enableWhen: [{ question: 'gate', operator: '=', answerBoolean: true }] },
    ],
  };
  const state = createFormState(questionnaire);

  test('one error per item with text that is not a value; none for disabled, answered or blank items', () => {
    const typed = new Map([['n#0', 'four'], ['d#day', '31'], ['d#month', '2'], ['later#0', 'heavy'], ['n#1', '  ']]);
    expect(typedTextIssues(state, typed, []).map((i) => [i.path, i.code])).toEqual([['n', 'invalid-value'], ['d', 'invalid-value']]);
    const answered = setAnswers(state, 'n', [{ valueInteger: 4 }]).state;
    expect(typedTextIssues(answered, typed, []).map((i) => i.path)).toEqual(['d']);
    const enabled = setAnswers(state, 'gate', [{ valueBoolean: true }]).state;
    expect(typedTextIssues(enabled, new Map([['later#0', 'heavy']]), []).map((i) => i.message)).toEqual([expect.stringMatching(/number/)]);
  });

  test('an item that already has an issue gets no second one', () => {
    const existing = [{ severity: 'error' as const, location: 'n', path: 'n', code: 'required' as const, message: 'Enter visits' }];
    expect(typedTextIssues(state, new Map([['n#0', 'four']]), existing)).toEqual([]);
  });
});
