import { describe, expect, test } from 'vitest';
import {
  MAX_VALUE, MIN_VALUE, QUESTIONNAIRE_ANSWER_CONSTRAINT, QUESTIONNAIRE_MAX_OCCURS, QUESTIONNAIRE_MIN_OCCURS, createFormState, setAnswer, setAnswers,
  validateAnswers, type Answer, type Questionnaire,
} from '../../src/engine/index.js';

function issuesFor(item: fhir4.QuestionnaireItem, answers: Answer[], resolve?: (c: string) => fhir4.Coding[] | undefined) {
  const q: Questionnaire = { resourceType: 'Questionnaire', status: 'active', item: [item] };
  const state = setAnswers(createFormState(q), item.linkId, answers).state;
  return validateAnswers(state, resolve).map((i) => [i.code, i.message]);
}

const yesNo = [{ valueCoding: { system: 's', code: 'y', display: 'Yes' } }, { valueCoding: { system: 's', code: 'n', display: 'No' } }];

describe('answer validation', () => {
  test.each<[string, fhir4.QuestionnaireItem, Answer[], [string, string][]]>([
    ['required boolean unanswered', { linkId: 'q', type: 'boolean', required: true, text: 'Is the baby sleeping on their back?' }, [],
      [['required', 'Select yes or no: is the baby sleeping on their back']]],
    ['required choice unanswered', { linkId: 'q', type: 'choice', required: true, text: 'Outcome', answerOption: yesNo }, [],
      [['required', 'Select an answer: outcome']]],
    ['required string unanswered', { linkId: 'q', type: 'string', required: true, text: 'Name of interpreter' }, [],
      [['required', 'Enter name of interpreter']]],
    ['required date unanswered', { linkId: 'q', type: 'date', required: true, text: 'Follow-up by' }, [],
      [['required', 'Enter a date: follow-up by']]],
    ['whitespace does not count as an answer', { linkId: 'q', type: 'string', required: true, text: 'Reason' }, [{ valueString: '   ' }],
      [['required', 'Enter reason']]],
    ['maxLength counts characters', { linkId: 'q', type: 'string', maxLength: 3, text: 'Code' }, [{ valueString: 'abcd' }],
      [['max-length', 'Code must be 3 characters or fewer']]],
    ['maxLength counts an emoji as one', { linkId: 'q', type: 'string', maxLength: 3, text: 'Code' }, [{ valueString: 'ab👶' }], []],
    ['minValue on integer', { linkId: 'q', type: 'integer', text: 'Weeks', extension: [{ url: MIN_VALUE, valueInteger: 22 }] }, [{ valueInteger: 20 }],
      [['min-value', 'Weeks must be 22 or more']]],
    ['maxValue on decimal', { linkId: 'q', type: 'decimal', text: 'Weight (kg)', extension: [{ url: MAX_VALUE, valueDecimal: 7.5 }] }, [{ valueDecimal: 8 }],
      [['max-value', 'Weight (kg) must be 7.5 or less']]],
    ['maxValue on date', { linkId: 'q', type: 'date', text: 'Date', extension: [{ url: MAX_VALUE, valueDate: '2024-12-31' }] }, [{ valueDate: '2025-01-01' }],
      [['max-value', 'Date must be 2024-12-31 or less']]],
    ['impossible date', { linkId: 'q', type: 'date', text: 'Date' }, [{ valueDate: '2024-02-31x' }], [['invalid-value', 'Enter a real date: date']]],
    ['integer given a fraction', { linkId: 'q', type: 'integer', text: 'Count' }, [{ valueInteger: 1.5 }], [['invalid-value', 'Enter a whole number: count']]],
    ['wrong value type', { linkId: 'q', type: 'integer', text: 'Count' }, [{ valueString: '3' }], [['invalid-value', 'Enter a whole number: count']]],
    ['choice options only', { linkId: 'q', type: 'choice', text: 'Outcome', answerOption: yesNo }, [{ valueCoding: { system: 's', code: 'maybe' } }],
      [['not-an-option', 'Select one of the options listed: outcome']]],
    ['choice with listed option', { linkId: 'q', type: 'choice', text: 'Outcome', answerOption: yesNo }, [{ valueCoding: { system: 's', code: 'y' } }], []],
    ['open-choice allows free text', { linkId: 'q', type: 'open-choice', text: 'Who', answerOption: yesNo }, [{ valueString: 'Grandmother' }], []],
    ['answerValueSet resolved', { linkId: 'q', type: 'choice', text: 'Reason', answerValueSet: 'vs' }, [{ valueCoding: { system: 's', code: 'z' } }],
      [['not-an-option', 'Select one of the options listed: reason']]],
    ['minOccurs', { linkId: 'q', type: 'string', repeats: true, text: 'Names', extension: [{ url: QUESTIONNAIRE_MIN_OCCURS, valueInteger: 2 }] },
      [{ valueString: 'a' }], [['min-occurs', 'Give at least 2 answers: names']]],
    ['maxOccurs', { linkId: 'q', type: 'string', repeats: true, text: 'Names', extension: [{ url: QUESTIONNAIRE_MAX_OCCURS, valueInteger: 1 }] },
      [{ valueString: 'a' }, { valueString: 'b' }], [['max-occurs', 'Give no more than 1 answers: names']]],
  ])('%s', (_name, item, answers, expected) => {
    expect(issuesFor(item, answers, (c) => (c === 'vs' ? [{ system: 's', code: 'y' }] : undefined))).toEqual(expected);
  });

  // answerConstraint (R5 backport, cited in CONFORMANCE.md). Guards the mutations "ignore the
  // extension" (every row with an explicit constraint then takes the type's default) and "treat
  // optionsOrType like optionsOnly".
  const constrained = (type: 'choice' | 'open-choice', constraint?: string): fhir4.QuestionnaireItem => ({
    linkId: 'q', type, text: 'Who', answerOption: yesNo,
    ...(constraint ? { extension: [{ url: QUESTIONNAIRE_ANSWER_CONSTRAINT, valueCode: constraint }] } : {}),
  });
  const offList: Answer = { valueCoding: { system: 's', code: 'grandmother', display: 'Grandmother' } };
  const notAnOption = [['not-an-option', 'Select one of the options listed: who']];
  test.each<[string, fhir4.QuestionnaireItem, Answer, string[][]]>([
    ['choice, no constraint: free text refused', constrained('choice'), { valueString: 'Grandmother' }, notAnOption],
    ['choice, optionsOnly: off-list coding refused', constrained('choice', 'optionsOnly'), offList, notAnOption],
    ['choice, optionsOrType: off-list coding accepted', constrained('choice', 'optionsOrType'), offList, []],
    ['choice, optionsOrString: free text accepted', constrained('choice', 'optionsOrString'), { valueString: 'Grandmother' }, []],
    ['choice, optionsOrString: off-list coding refused', constrained('choice', 'optionsOrString'), offList, notAnOption],
    ['open-choice, no constraint: free text accepted', constrained('open-choice'), { valueString: 'Grandmother' }, []],
    ['open-choice, optionsOnly: free text refused', constrained('open-choice', 'optionsOnly'), { valueString: 'Grandmother' }, notAnOption],
    ['open-choice, optionsOnly: listed option accepted', constrained('open-choice', 'optionsOnly'), yesNo[0]!, []],
  ])('answerConstraint: %s', (_name, item, answer, expected) => {
    expect(issuesFor(item, [answer])).toEqual(expected);
  });

  test('a disabled required item is not required', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [
        { linkId: 'asked', type: 'boolean', required: true, text: 'Asked' },
        { linkId: 'why', type: 'string', required: true, text: 'Why not', enableWhen: [{ question: 'asked', operator: '=', answerBoolean: false }] },
      ],
    };
    const yes = setAnswer(createFormState(q), 'asked', { valueBoolean: true }).state;
    expect(validateAnswers(yes)).toEqual([]);
    const no = setAnswer(yes, 'asked', { valueBoolean: false }).state;
    expect(validateAnswers(no).map((i) => i.path)).toEqual(['why']);
  });

  test('issues are located by path and linkId so the UI can focus the field', () => {
    const q: Questionnaire = { resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'g', type: 'group', item: [{ linkId: 'x', type: 'boolean', required: true, text: 'X' }] }] };
    expect(validateAnswers(createFormState(q))).toEqual([
      { severity: 'error', location: 'g/x', linkId: 'x', path: 'g/x', code: 'required', message: 'Select yes or no: X' },
    ]);
  });
});
