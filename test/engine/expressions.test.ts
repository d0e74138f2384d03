import { describe, expect, test } from 'vitest';
import {
  createFormState, getAnswers, isEnabled, prepareQuestionnaire, setAnswer, SDC_CALCULATED_EXPRESSION, SDC_ENABLE_WHEN_EXPRESSION,
  SDC_INITIAL_EXPRESSION, SDC_VARIABLE, type Questionnaire,
} from '../../src/engine/index.js';

const fhirpath = (expression: string) => ({ language: 'text/fhirpath', expression });

const q: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  extension: [{ url: SDC_VARIABLE, valueExpression: { name: 'yesCount', ...fhirpath("%resource.repeat(item).where(linkId.startsWith('risk')).answer.value.where($this = true).count()") } }],
  item: [
    { linkId: 'risk-smoking', type: 'boolean', text: 'Smoking' },
    { linkId: 'risk-alcohol', type: 'boolean', text: 'Alcohol' },
    { linkId: 'count', type: 'integer', text: 'Risks', readOnly: true, extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: fhirpath('%yesCount') }] },
    { linkId: 'advice', type: 'display', text: 'Do not bed-share', extension: [{ url: SDC_ENABLE_WHEN_EXPRESSION, valueExpression: fhirpath('%yesCount > 0') }] },
    { linkId: 'baby-name', type: 'string', text: 'Baby', extension: [{ url: SDC_INITIAL_EXPRESSION, valueExpression: fhirpath("%patient.name.first().given.first()") }] },
  ],
};

describe('SDC expressions', () => {
  test('variable, calculatedExpression, enableWhenExpression and initialExpression with %patient', async () => {
    const { questionnaire, evaluator, issues } = await prepareQuestionnaire(q);
    expect(issues).toEqual([]);
    let state = createFormState(questionnaire!, { evaluator, context: { patient: { resourceType: 'Patient', name: [{ given: ['Ada'] }] } } });
    expect(getAnswers(state, 'baby-name')).toEqual([{ valueString: 'Ada' }]);
    expect(getAnswers(state, 'count')).toEqual([{ valueInteger: 0 }]);
    expect(isEnabled(state, 'advice')).toBe(false);
    const t = setAnswer(state, 'risk-smoking', { valueBoolean: true });
    state = t.state;
    expect(getAnswers(state, 'count')).toEqual([{ valueInteger: 1 }]);
    expect(t.calculated).toEqual(['count']);
    expect(t.shown).toEqual(['advice']);
    state = setAnswer(state, 'risk-alcohol', { valueBoolean: true }).state;
    expect(getAnswers(state, 'count')).toEqual([{ valueInteger: 2 }]);
  });

  test('a questionnaire without expressions does not load FHIRPath', async () => {
    const { evaluator } = await prepareQuestionnaire({ resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'a', type: 'boolean' }] });
    expect(evaluator).toBeUndefined();
  });

  test('an expression that fails at run time gives no value, not a crash', async () => {
    const broken: Questionnaire = { ...q, extension: [], item: [{ linkId: 'x', type: 'integer', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: fhirpath("%nothing.unknownFunction()") }] }] };
    const { questionnaire, evaluator } = await prepareQuestionnaire(broken);
    const state = createFormState(questionnaire!, { evaluator });
    expect(getAnswers(state, 'x')).toEqual([]);
  });
});
