/** Validation rules at their boundaries (table-driven; gaps found by mutation testing). */
import { describe, expect, test } from 'vitest';
import {
  MAX_VALUE, MIN_VALUE, QUESTIONNAIRE_MAX_OCCURS, QUESTIONNAIRE_MIN_OCCURS, createFormState, setAnswer, setAnswers, validateAnswers,
  type Answer, type Questionnaire,
} from '../../src/engine/index.js';

function issuesFor(item: fhir4.QuestionnaireItem, answers: Answer[], resolve?: (c: string) => fhir4.Coding[] | undefined) {
  const q: Questionnaire = { resourceType: 'Questionnaire', status: 'active', item: [item] };
  const state = setAnswers(createFormState(q), item.linkId, answers).state;
  return validateAnswers(state, resolve).map((i) => [i.code, i.message]);
}
const many = (n: number): Answer[] => Array.from({ length: n }, (_, i) => ({ valueString: `a${i}` }));
const occurs = (url: string, n: number) => ({ linkId: 'q', type: 'string' as const, repeats: true, text: 'Names', extension: [{ url, valueInteger: n }] });

describe('occurrences', () => {
  test.each<[string, fhir4.QuestionnaireItem, number, string[][]]>([
    ['minOccurs 2, one answer', occurs(QUESTIONNAIRE_MIN_OCCURS, 2), 1, [['min-occurs', 'Give at least 2 answers: names']]],
    ['minOccurs 2, two answers', occurs(QUESTIONNAIRE_MIN_OCCURS, 2), 2, []],
    ['minOccurs 2, none (not required)', occurs(QUESTIONNAIRE_MIN_OCCURS, 2), 0, []],
    ['maxOccurs 2, two answers', occurs(QUESTIONNAIRE_MAX_OCCURS, 2), 2, []],
    ['maxOccurs 2, three answers', occurs(QUESTIONNAIRE_MAX_OCCURS, 2), 3, [['max-occurs', 'Give no more than 2 answers: names']]],
    ['no limits, five answers', { linkId: 'q', type: 'string', repeats: true, text: 'Names' }, 5, []],
  ])('%s', (_name, item, n, expected) => {
    expect(issuesFor(item, many(n))).toEqual(expected);
  });
});

describe('limits', () => {
  const limited = (type: fhir4.QuestionnaireItem['type'], url: string, bound: Record<string, unknown>): fhir4.QuestionnaireItem =>
    ({ linkId: 'q', type, text: 'Weight', extension: [{ url, ...bound }] });
  test.each<[string, fhir4.QuestionnaireItem, Answer, string[][]]>([
    ['at the minimum', limited('integer', MIN_VALUE, { valueInteger: 22 }), { valueInteger: 22 }, []],
    ['at the maximum', limited('integer', MAX_VALUE, { valueInteger: 42 }), { valueInteger: 42 }, []],
    ['above the maximum', limited('integer', MAX_VALUE, { valueInteger: 42 }), { valueInteger: 43 }, [['max-value', 'Weight must be 42 or less']]],
    ['below the minimum', limited('decimal', MIN_VALUE, { valueDecimal: 1.5 }), { valueDecimal: 1.4 }, [['min-value', 'Weight must be 1.5 or more']]],
    ['a quantity against a decimal bound', limited('quantity', MIN_VALUE, { valueDecimal: 3 }), { valueQuantity: { value: 2, unit: 'kg' } }, [['min-value', 'Weight must be 3 or more']]],
    ['a quantity within a decimal bound', limited('quantity', MAX_VALUE, { valueDecimal: 3 }), { valueQuantity: { value: 2, unit: 'kg' } }, []],
    ['a quantity against a quantity bound', limited('quantity', MAX_VALUE, { valueQuantity: { value: 3, unit: 'kg' } }), { valueQuantity: { value: 4, unit: 'kg' } }, [['max-value', 'Weight must be 3 kg or less']]],
    ['a quantity in other units is not compared', limited('quantity', MAX_VALUE, { valueQuantity: { value: 3, unit: 'kg' } }), { valueQuantity: { value: 4000, unit: 'g' } }, []],
    ['a date on the maximum', limited('date', MAX_VALUE, { valueDate: '2024-12-31' }), { valueDate: '2024-12-31' }, []],
    ['no bound value at all', limited('integer', MAX_VALUE, {}), { valueInteger: 99 }, []],
    ['maxLength applies to text only', { linkId: 'q', type: 'integer', maxLength: 1, text: 'N' }, { valueInteger: 123 }, []],
    ['maxLength exactly', { linkId: 'q', type: 'string', maxLength: 3, text: 'Code' }, { valueString: 'abc' }, []],
  ])('%s', (_name, item, answer, expected) => {
    expect(issuesFor(item, [answer])).toEqual(expected);
  });
});

describe('types', () => {
  test.each<[string, fhir4.QuestionnaireItem['type'], Answer, string]>([
    ['dateTime given a date-less string', 'dateTime', { valueDateTime: 'soon' }, 'Enter a real date and time: when'],
    ['time given nonsense', 'time', { valueTime: '25:00:00' }, 'Enter a real time: when'],
    ['decimal given text', 'decimal', { valueString: 'x' }, 'Enter a number: when'],
    ['string given a number', 'string', { valueInteger: 1 }, 'Enter a valid answer: when'],
    ['boolean given text', 'boolean', { valueString: 'yes' }, 'Enter a valid answer: when'],
  ])('%s', (_name, type, answer, message) => {
    expect(issuesFor({ linkId: 'q', type, text: 'When' }, [answer])).toEqual([['invalid-value', message]]);
  });
});

describe('options', () => {
  const options = [{ valueString: 'Mother' }, { valueInteger: 2 }];
  test.each<[string, fhir4.QuestionnaireItem, Answer, string[][]]>([
    ['a string option', { linkId: 'q', type: 'choice', text: 'Who', answerOption: options }, { valueString: 'Mother' }, []],
    ['an integer option', { linkId: 'q', type: 'choice', text: 'Who', answerOption: options }, { valueInteger: 2 }, []],
    ['an integer not listed', { linkId: 'q', type: 'choice', text: 'Who', answerOption: options }, { valueInteger: 3 }, [['not-an-option', 'Select one of the options listed: who']]],
    ['a value set member', { linkId: 'q', type: 'choice', text: 'Who', answerValueSet: 'vs' }, { valueCoding: { system: 's', code: 'y' } }, []],
    ['a value set we cannot resolve is not checked here', { linkId: 'q', type: 'choice', text: 'Who', answerValueSet: 'other' }, { valueCoding: { system: 's', code: 'z' } }, []],
    ['a string is not a value set member', { linkId: 'q', type: 'choice', text: 'Who', answerValueSet: 'vs' }, { valueString: 'y' }, [['not-an-option', 'Select one of the options listed: who']]],
    ['open-choice free text with a value set', { linkId: 'q', type: 'open-choice', text: 'Who', answerValueSet: 'vs' }, { valueString: 'Aunt' }, []],
  ])('%s', (_name, item, answer, expected) => {
    expect(issuesFor(item, [answer], (c) => (c === 'vs' ? [{ system: 's', code: 'y' }] : undefined))).toEqual(expected);
  });

  test('without a resolver an answerValueSet is not checked', () => {
    expect(issuesFor({ linkId: 'q', type: 'choice', text: 'Who', answerValueSet: 'vs' }, [{ valueCoding: { code: 'z' } }])).toEqual([]);
  });
});

describe('groups, read-only and display items', () => {
  const q: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'on', type: 'boolean', text: 'On' },
      { linkId: 'g', type: 'group', text: 'Actions', required: true, item: [
        { linkId: 'a', type: 'string', text: 'A' },
        { linkId: 'b', type: 'string', text: 'B', enableWhen: [{ question: 'on', operator: '=', answerBoolean: true }] },
      ] },
      { linkId: 'g2', type: 'group', text: 'Other', item: [{ linkId: 'c', type: 'string', text: 'C' }] },
      { linkId: 'calc', type: 'integer', text: 'Score', readOnly: true, required: true },
      { linkId: 'd', type: 'display', text: 'Note' },
    ],
  };
  const codesOf = (state: ReturnType<typeof createFormState>) => validateAnswers(state).map((i) => [i.code, i.path, i.message]);

  test('a required group needs an enabled answer inside it (not in a group whose name starts the same)', () => {
    const empty = createFormState(q);
    expect(codesOf(empty)).toEqual([['required', 'g', 'Record at least one answer: Actions']]);
    expect(codesOf(setAnswer(empty, 'g2/c', { valueString: 'x' }).state)).toEqual([['required', 'g', 'Record at least one answer: Actions']]);
    // An answer kept in a hidden item does not count.
    expect(codesOf(setAnswer(empty, 'g/b', { valueString: 'x' }).state)).toEqual([['required', 'g', 'Record at least one answer: Actions']]);
    expect(codesOf(setAnswer(empty, 'g/a', { valueString: 'x' }).state)).toEqual([]);
    const on = setAnswer(empty, 'on', { valueBoolean: true }).state;
    expect(codesOf(setAnswer(on, 'g/b', { valueString: 'x' }).state)).toEqual([]);
  });

  test('a read-only item without an answer is not required; with one it is checked', () => {
    const answered = setAnswer(createFormState(q), 'g/a', { valueString: 'x' }).state;
    expect(codesOf(answered)).toEqual([]);
    expect(codesOf(setAnswer(answered, 'calc', { valueInteger: 1.5 }).state)).toEqual([['invalid-value', 'calc', 'Enter a whole number: score']]);
  });
});
