import { describe, expect, test } from 'vitest';
import { checkQuestionnaire, createFormState, ENTRY_FORMAT, REGEX, setAnswer, validateAnswers, type Answer, type Questionnaire } from '../../src/engine/index.js';

const form = (regex: string, type: fhir4.QuestionnaireItem['type'] = 'string', format?: string): Questionnaire => ({
  resourceType: 'Questionnaire', status: 'active',
  item: [{ linkId: 'q', text: 'Postcode', type, extension: [{ url: REGEX, valueString: regex }, ...(format ? [{ url: ENTRY_FORMAT, valueString: format }] : [])] }],
});
const check = (q: Questionnaire, answer: Answer) => validateAnswers(setAnswer(createFormState(q), 'q', answer).state).map((i) => [i.code, i.message]);

describe('regex: the whole answer must match the pattern', () => {
  test.each([
    { regex: '[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}', answer: { valueString: 'DE1 2AB' }, ok: true },
    { regex: '[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}', answer: { valueString: 'xDE1 2ABx' }, ok: false },
    { regex: '\\d{3}', answer: { valueString: '1234' }, ok: false },
    { regex: '\\d{3}', answer: { valueString: '123' }, ok: true },
    { regex: 'a|b', answer: { valueString: 'ab' }, ok: false },
    { regex: '\\p{L}+', answer: { valueString: 'Zoë' }, ok: true },
  ])('$regex on "$answer.valueString": $ok', ({ regex, answer, ok }) => {
    expect(check(form(regex), answer)).toEqual(ok ? [] : [['pattern', 'Enter postcode in the right format']]);
  });

  test('the message names the entry format when the questionnaire gives one', () => {
    expect(check(form('\\d{3}-\\d{3}', 'string', 'nnn-nnn'), { valueString: '12-34' })).toEqual([['pattern', 'Enter postcode in the right format, like nnn-nnn']]);
  });

  test('a number is checked as it is written', () => {
    expect(check(form('\\d{2}', 'integer'), { valueInteger: 123 })).toEqual([['pattern', 'Enter postcode in the right format']]);
    expect(check(form('\\d{2}', 'integer'), { valueInteger: 12 })).toEqual([]);
  });

  test('an answer too long to check safely counts as not matching', () => {
    const started = Date.now();
    expect(check(form('[a-z]+'), { valueString: 'a'.repeat(600) })).toEqual([['pattern', 'Enter postcode in the right format']]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test.each(['(a+)+$', '(a*)*b', '(\\w+\\s?)+!', '(x+x+)+y', '(ab{1,3})+c'])('a pattern that could take exponential time (%s) is a load warning and never runs', (regex) => {
    const q = form(regex);
    expect(checkQuestionnaire(q).map((i) => i.message).join()).toContain('can take minutes');
    const started = Date.now();
    expect(check(q, { valueString: `${'a'.repeat(40)}!` })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test.each(['[A-Z]{1,2}[0-9]', '(ab)+', '(a|b)*c', '\\d{3}-\\d{3}'])('an ordinary pattern (%s) is used', (regex) => {
    expect(checkQuestionnaire(form(regex))).toEqual([]);
  });

  test('a pattern that does not compile is a load warning, and answers are not checked against it', () => {
    const q = form('([a-z');
    expect(checkQuestionnaire(q).map((i) => [i.severity, i.code])).toEqual([['warning', 'invalid-regex']]);
    expect(check(q, { valueString: 'anything' })).toEqual([]);
  });
});
