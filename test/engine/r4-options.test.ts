/**
 * What R4 allows is accepted: answerOption values of mixed types, and answerOption on integer,
 * date, time and string items (choice lists of those values). What the schema refuses is explained:
 * which property, where, and how to fix it.
 */
import { describe, expect, test } from 'vitest';
import { buildQuestionnaireResponse, createFormState, loadQuestionnaire, setAnswer, validateAnswers, type Questionnaire } from '../../src/engine/index.js';

const base = { resourceType: 'Questionnaire', status: 'active' } as const;
const meta = { status: 'completed' as const, identifier: '00000000-0000-4000-8000-000000000000', now: () => new Date('2026-01-01T12:00:00Z') };

describe('answerOption as R4 allows it', () => {
  test('options on a reference item (outside R4 que-5) are a warning, not a refusal: they are shown as a choice list', () => {
    const loaded = loadQuestionnaire({ ...base, item: [{ linkId: 'r', type: 'reference', answerOption: [{ valueReference: { reference: 'Encounter/1' } }] }] });
    expect(loaded.questionnaire).toBeDefined();
    expect(loaded.issues.map((i) => [i.severity, i.code])).toEqual([['warning', 'option-type-mismatch']]);
  });

  test.each<[string, fhir4.QuestionnaireItem, fhir4.QuestionnaireResponseItemAnswer, fhir4.QuestionnaireResponseItemAnswer]>([
    ['mixed types on a choice item', { linkId: 'a', type: 'choice', answerOption: [{ valueCoding: { code: 'y', display: 'Yes' } }, { valueString: 'Maybe' }, { valueInteger: 3 }] },
      { valueInteger: 3 }, { valueInteger: 4 }],
    ['integer item', { linkId: 'a', type: 'integer', answerOption: [{ valueInteger: 1 }, { valueInteger: 2 }] }, { valueInteger: 2 }, { valueInteger: 5 }],
    ['date item', { linkId: 'a', type: 'date', answerOption: [{ valueDate: '2026-01-01' }, { valueDate: '2026-02-01' }] }, { valueDate: '2026-02-01' }, { valueDate: '2026-03-01' }],
    ['time item', { linkId: 'a', type: 'time', answerOption: [{ valueTime: '09:00:00' }, { valueTime: '17:00:00' }] }, { valueTime: '09:00:00' }, { valueTime: '10:00:00' }],
    ['string item', { linkId: 'a', type: 'string', answerOption: [{ valueString: 'red' }, { valueString: 'green' }] }, { valueString: 'green' }, { valueString: 'blue' }],
  ])('%s: loads, accepts an option, refuses a value that is not one', (_name, item, option, other) => {
    const loaded = loadQuestionnaire({ ...base, item: [item] });
    expect(loaded.issues).toEqual([]);
    const state = createFormState(loaded.questionnaire as Questionnaire);
    const answered = setAnswer(state, 'a', option).state;
    expect(validateAnswers(answered)).toEqual([]);
    expect(buildQuestionnaireResponse(answered, meta).item?.[0]?.answer).toEqual([option]);
    expect(validateAnswers(setAnswer(state, 'a', other).state).map((i) => i.code)).toEqual(['not-an-option']);
  });
});

describe('schema refusals say which property, where, and how to fix it', () => {
  test.each<[string, unknown, string]>([
    ['enum', { ...base, status: 'final' }, 'Questionnaire.status is "final", which FHIR R4 does not allow here. Fix: use one of "draft", "active", "retired", "unknown".'],
    ['type', { ...base, item: [{ linkId: 7, type: 'string' }] }, 'Questionnaire.item[0].linkId is 7 but must be a string. Fix: write it as text in quotes.'],
    ['unknown property', { ...base, item: [{ linkId: 'a', type: 'string', colour: 'red' }] },
      'Questionnaire.item[0] has a property "colour" that FHIR R4 does not define here. Fix: remove it, check its spelling, or carry the data in an extension.'],
    ['empty string', { ...base, item: [{ linkId: '', type: 'string' }] }, 'Questionnaire.item[0].linkId is an empty string, which FHIR R4 does not allow. Fix: give it a value, or remove the property.'],
    ['bad date', { ...base, date: '2020-13-01' }, 'Questionnaire.date is "2020-13-01", which is not a valid FHIR dateTime. Fix: write a date such as 2024-05-01, or a date and time such as 2024-05-01T14:30:00+01:00.'],
    ['not a list', { ...base, item: { linkId: 'a', type: 'string' } }, 'Questionnaire.item is an object but must be a list. Fix: put the value in a list: [ … ].'],
    ['an item without a linkId', { ...base, item: [{ type: 'string', text: 'Name' }] }, 'Questionnaire.item[0] is missing "linkId", which FHIR R4 requires on every item. Fix: add it (unique in the questionnaire).'],
    ['valueBoolean as text', { ...base, item: [{ linkId: 'a', type: 'string', extension: [{ url: 'http://example.org/x', valueBoolean: 'true' }] }] },
      'Questionnaire.item[0].extension[0].valueBoolean is "true" but must be a boolean. Fix: write it as true or false (without quotes).'],
    ['valueId that is not an id', { ...base, extension: [{ url: 'http://example.org/x', valueId: 'not an id' }] },
      'Questionnaire.extension[0].valueId is "not an id", which is not a valid FHIR id. Fix: write an id of letters, digits, "-" and "." (at most 64).'],
    ['item type', { ...base, item: [{ linkId: 'a', type: 'slider' }] }, 'Questionnaire.item[0].type is "slider", which FHIR R4 does not allow here. Fix: use one of "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text", "url", "choice", "open-choice", "attachment", "reference", "quantity".'],
  ])('%s', (_name, json, message) => {
    expect(loadQuestionnaire(json).issues.map((i) => i.message)).toContain(message);
  });
});
