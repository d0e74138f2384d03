import { describe, expect, test } from 'vitest';
import { createFormState, setAnswer, setAnswers, isEnabled, type Answer, type Questionnaire } from '../../src/engine/index.js';

type Condition = fhir4.QuestionnaireItemEnableWhen;

/** A questionnaire with one source question and one dependent item. */
function form(type: fhir4.QuestionnaireItem['type'], condition: Omit<Condition, 'question'>, extra: Partial<fhir4.QuestionnaireItem> = {}): Questionnaire {
  return {
    resourceType: 'Questionnaire',
    status: 'active',
    item: [
      { linkId: 'source', type, text: 'Source', ...extra },
      { linkId: 'dependent', type: 'string', text: 'Dependent', enableWhen: [{ question: 'source', ...condition } as Condition] },
    ],
  };
}

const coding = (code: string, system = 'http://example.org/cs'): fhir4.Coding => ({ system, code });

// [item type, condition, answer given (undefined = none), expected enabled]
const cases: [string, fhir4.QuestionnaireItem['type'], Omit<Condition, 'question'>, Answer | undefined, boolean][] = [
  ['boolean = true, answered true', 'boolean', { operator: '=', answerBoolean: true }, { valueBoolean: true }, true],
  ['boolean = true, answered false', 'boolean', { operator: '=', answerBoolean: true }, { valueBoolean: false }, false],
  ['boolean = true, unanswered', 'boolean', { operator: '=', answerBoolean: true }, undefined, false],
  ['boolean != true, answered false', 'boolean', { operator: '!=', answerBoolean: true }, { valueBoolean: false }, true],
  ['boolean != true, answered true', 'boolean', { operator: '!=', answerBoolean: true }, { valueBoolean: true }, false],
  ['boolean != true, unanswered (no answer equals)', 'boolean', { operator: '!=', answerBoolean: true }, undefined, true],
  ['exists true, answered', 'string', { operator: 'exists', answerBoolean: true }, { valueString: 'x' }, true],
  ['exists true, unanswered', 'string', { operator: 'exists', answerBoolean: true }, undefined, false],
  ['exists false, unanswered', 'string', { operator: 'exists', answerBoolean: false }, undefined, true],
  ['exists false, answered', 'string', { operator: 'exists', answerBoolean: false }, { valueString: 'x' }, false],
  ['decimal > 2.5 with 3', 'decimal', { operator: '>', answerDecimal: 2.5 }, { valueDecimal: 3 }, true],
  ['decimal > 2.5 with 2.5', 'decimal', { operator: '>', answerDecimal: 2.5 }, { valueDecimal: 2.5 }, false],
  ['decimal >= 2.5 with 2.5', 'decimal', { operator: '>=', answerDecimal: 2.5 }, { valueDecimal: 2.5 }, true],
  ['integer < 37 with 36', 'integer', { operator: '<', answerInteger: 37 }, { valueInteger: 36 }, true],
  ['integer < 37 with 37', 'integer', { operator: '<', answerInteger: 37 }, { valueInteger: 37 }, false],
  ['integer <= 37 with 37', 'integer', { operator: '<=', answerInteger: 37 }, { valueInteger: 37 }, true],
  ['date > 2024-03-31 with 2024-04-01', 'date', { operator: '>', answerDate: '2024-03-31' }, { valueDate: '2024-04-01' }, true],
  ['date < 2024-03-31 with 2024-04-01', 'date', { operator: '<', answerDate: '2024-03-31' }, { valueDate: '2024-04-01' }, false],
  // 01:30 BST on 31 March 2024 is 00:30 UTC: the same instant as 00:30Z.
  ['dateTime = across BST offset', 'dateTime', { operator: '=', answerDateTime: '2024-03-31T00:30:00Z' }, { valueDateTime: '2024-03-31T01:30:00+01:00' }, true],
  ['dateTime > across the autumn change', 'dateTime', { operator: '>', answerDateTime: '2024-10-27T01:30:00+01:00' }, { valueDateTime: '2024-10-27T01:10:00+00:00' }, true],
  ['time >= 18:00', 'time', { operator: '>=', answerTime: '18:00:00' }, { valueTime: '21:15:00' }, true],
  ['string = exact', 'string', { operator: '=', answerString: 'yes' }, { valueString: 'yes' }, true],
  ['string = differs', 'string', { operator: '=', answerString: 'yes' }, { valueString: 'Yes' }, false],
  ['Coding = same system and code', 'choice', { operator: '=', answerCoding: coding('a') }, { valueCoding: coding('a') }, true],
  ['Coding = other system', 'choice', { operator: '=', answerCoding: coding('a') }, { valueCoding: coding('a', 'http://other') }, false],
  ['Coding = condition without system', 'choice', { operator: '=', answerCoding: { code: 'a' } }, { valueCoding: coding('a') }, true],
  ['Coding != other code', 'choice', { operator: '!=', answerCoding: coding('a') }, { valueCoding: coding('b') }, true],
  ['open-choice string matches Coding display', 'open-choice', { operator: '=', answerCoding: { code: 'x', display: 'Other' } }, { valueString: 'Other' }, true],
  ['Quantity > same unit', 'quantity', { operator: '>', answerQuantity: { value: 2.5, code: 'kg', system: 'http://unitsofmeasure.org' } }, { valueQuantity: { value: 3.1, code: 'kg', system: 'http://unitsofmeasure.org' } }, true],
  ['Quantity > different unit is not comparable', 'quantity', { operator: '>', answerQuantity: { value: 2.5, code: 'kg' } }, { valueQuantity: { value: 3100, code: 'g' } }, false],
  ['Reference = same', 'reference', { operator: '=', answerReference: { reference: 'Patient/1' } }, { valueReference: { reference: 'Patient/1' } }, true],
  ['Reference = other', 'reference', { operator: '=', answerReference: { reference: 'Patient/1' } }, { valueReference: { reference: 'Patient/2' } }, false],
];

describe('enableWhen operators', () => {
  test.each(cases)('%s', (_name, type, condition, answer, expected) => {
    const state = createFormState(form(type, condition));
    const after = answer ? setAnswer(state, 'source', answer).state : state;
    expect(isEnabled(after, 'dependent')).toBe(expected);
  });
});

describe('enableBehavior', () => {
  const q = (behavior: 'any' | 'all'): Questionnaire => ({
    resourceType: 'Questionnaire',
    status: 'active',
    item: [
      { linkId: 'a', type: 'boolean' },
      { linkId: 'b', type: 'boolean' },
      {
        linkId: 'c', type: 'display', text: 'Outcome', enableBehavior: behavior,
        enableWhen: [{ question: 'a', operator: '=', answerBoolean: true }, { question: 'b', operator: '=', answerBoolean: true }],
      },
    ],
  });
  test.each([
    ['any', [true, false], true],
    ['any', [false, false], false],
    ['all', [true, false], false],
    ['all', [true, true], true],
  ] as const)('%s with %j', (behavior, [a, b], expected) => {
    let state = createFormState(q(behavior));
    state = setAnswer(state, 'a', { valueBoolean: a }).state;
    state = setAnswer(state, 'b', { valueBoolean: b }).state;
    expect(isEnabled(state, 'c')).toBe(expected);
  });
});

describe('cascading and announcements', () => {
  const chain: Questionnaire = {
    resourceType: 'Questionnaire',
    status: 'active',
    item: [
      { linkId: 'asked', type: 'boolean', text: 'Asked?' },
      { linkId: 'disclosed', type: 'boolean', text: 'Disclosed?', enableWhen: [{ question: 'asked', operator: '=', answerBoolean: true }] },
      { linkId: 'referral', type: 'boolean', text: 'Referral?', enableWhen: [{ question: 'disclosed', operator: '=', answerBoolean: true }] },
      {
        linkId: 'grp', type: 'group', text: 'Details', enableWhen: [{ question: 'referral', operator: '=', answerBoolean: true }],
        item: [{ linkId: 'to', type: 'string', text: 'To whom' }],
      },
    ],
  };

  test('turning off the head of a chain hides everything that depends on it, and says so', () => {
    let state = createFormState(chain);
    state = setAnswer(state, 'asked', { valueBoolean: true }).state;
    state = setAnswer(state, 'disclosed', { valueBoolean: true }).state;
    const opened = setAnswer(state, 'referral', { valueBoolean: true });
    expect(opened.shown.sort()).toEqual(['grp', 'grp/to']);
    const closed = setAnswer(opened.state, 'asked', { valueBoolean: false });
    expect(closed.hidden.sort()).toEqual(['disclosed', 'grp', 'grp/to', 'referral']);
    expect(closed.shown).toEqual([]);
    // Answers of hidden items are kept (so an accidental click loses nothing) but are not in the response.
    expect(closed.state.answers.get('referral')).toEqual([{ valueBoolean: true }]);
  });

  test('an answer change only re-evaluates its dependants', () => {
    // Guards the mutation "setAnswers re-evaluates every item" (settle(…, every linkId) in form-state.ts).
    // Re-evaluating everything gives the same answer on a consistent state, so the test plants a stale
    // flag: 'grp' (which depends on 'referral') is marked enabled although its condition is false. An
    // item that is re-evaluated gets corrected and reported in shown/hidden; one that is not stays stale.
    const fresh = createFormState(chain);
    expect(isEnabled(fresh, 'grp')).toBe(false);
    const stale = { ...fresh, enabled: new Set([...fresh.enabled, 'grp', 'grp/to']) };

    const unrelated = setAnswer(stale, 'grp/to', { valueString: 'x' });
    expect(unrelated.shown).toEqual([]);
    expect(unrelated.hidden).toEqual([]);
    expect(isEnabled(unrelated.state, 'grp')).toBe(true);

    // 'asked' is read by 'disclosed' only: 'disclosed' is re-evaluated (shown), 'grp' is not touched.
    const asked = setAnswer(stale, 'asked', { valueBoolean: true });
    expect(asked.shown).toEqual(['disclosed']);
    expect(asked.hidden).toEqual([]);
    expect(isEnabled(asked.state, 'grp')).toBe(true);

    // 'referral' is read by 'grp': now 'grp' is re-evaluated and its stale flag corrected.
    const referral = setAnswer(stale, 'referral', { valueBoolean: false });
    expect(referral.hidden.sort()).toEqual(['grp', 'grp/to']);
  });

  test('conditions may point forward in the questionnaire', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [
        { linkId: 'early', type: 'string', enableWhen: [{ question: 'late', operator: '=', answerBoolean: true }] },
        { linkId: 'late', type: 'boolean' },
      ],
    };
    const state = createFormState(q);
    expect(isEnabled(state, 'early')).toBe(false);
    expect(isEnabled(setAnswer(state, 'late', { valueBoolean: true }).state, 'early')).toBe(true);
  });

  test('a repeating question: = holds when any answer matches', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [
        { linkId: 'who', type: 'choice', repeats: true, answerOption: [{ valueCoding: { code: 'mother' } }, { valueCoding: { code: 'father' } }] },
        { linkId: 'father-msg', type: 'display', text: 'x', enableWhen: [{ question: 'who', operator: '=', answerCoding: { code: 'father' } }] },
      ],
    };
    const state = setAnswers(createFormState(q), 'who', [{ valueCoding: { code: 'mother' } }, { valueCoding: { code: 'father' } }]).state;
    expect(isEnabled(state, 'father-msg')).toBe(true);
  });
});
