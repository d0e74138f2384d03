/**
 * calculatedExpression settles to a fixed point in one change: chains of calculations, in any
 * order in the questionnaire, show (and save) the value the latest answers give, never the one
 * before; a loop that never settles stops and says so.
 */
import { describe, expect, test } from 'vitest';
import {
  buildQuestionnaireResponse, createFormState, getAnswers, prepareQuestionnaire, setAnswer, SDC_CALCULATED_EXPRESSION, type Questionnaire,
} from '../../src/engine/index.js';

const calc = (linkId: string, expression: string): fhir4.QuestionnaireItem => ({
  linkId, type: 'integer', readOnly: true,
  extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression } }],
});
const answerOf = (linkId: string) => `%resource.repeat(item).where(linkId='${linkId}').answer.value.first()`;
const q = (item: fhir4.QuestionnaireItem[]): Questionnaire => ({ resourceType: 'Questionnaire', status: 'active', item });
const x: fhir4.QuestionnaireItem = { linkId: 'x', type: 'integer' };
const meta = { status: 'completed' as const, identifier: '00000000-0000-4000-8000-000000000000', now: () => new Date('2026-01-01T12:00:00Z') };

const cases: { name: string; items: fhir4.QuestionnaireItem[]; inputs: number[]; expect: Record<string, number> }[] = [
  { name: 'total = x', items: [x, calc('total', answerOf('x'))], inputs: [12], expect: { total: 12 } },
  { name: 'double = total * 2, total = x (in order)', items: [x, calc('total', answerOf('x')), calc('double', `${answerOf('total')} * 2`)], inputs: [12, 3], expect: { total: 3, double: 6 } },
  { name: 'double before total (reverse order)', items: [x, calc('double', `${answerOf('total')} * 2`), calc('total', answerOf('x'))], inputs: [12, 3], expect: { total: 3, double: 6 } },
  {
    name: 'a chain of four in reverse order',
    items: [x, calc('d', `${answerOf('c')} + 1`), calc('c', `${answerOf('b')} + 1`), calc('b', `${answerOf('a')} + 1`), calc('a', `${answerOf('x')} + 1`)],
    inputs: [1, 10],
    expect: { a: 11, b: 12, c: 13, d: 14 },
  },
  {
    name: 'a diamond: sum of two calculations from one answer',
    items: [x, calc('sum', `${answerOf('p')} + ${answerOf('r')}`), calc('p', `${answerOf('x')} * 2`), calc('r', `${answerOf('x')} * 3`)],
    inputs: [2, 5],
    expect: { p: 10, r: 15, sum: 25 },
  },
];

describe('calculatedExpression settles in one change', () => {
  test.each(cases)('$name', async ({ items, inputs, expect: expected }) => {
    const { questionnaire, evaluator, issues } = await prepareQuestionnaire(q(items));
    expect(issues).toEqual([]);
    let state = createFormState(questionnaire!, { evaluator });
    for (const value of inputs) state = setAnswer(state, 'x', { valueInteger: value }).state;
    for (const [linkId, value] of Object.entries(expected)) expect(getAnswers(state, linkId), linkId).toEqual([{ valueInteger: value }]);
    // The saved response records the settled values.
    const saved = buildQuestionnaireResponse(state, meta).item ?? [];
    for (const [linkId, value] of Object.entries(expected)) {
      expect(saved.find((i) => i.linkId === linkId)?.answer, linkId).toEqual([{ valueInteger: value }]);
    }
    expect(state.issues ?? []).toEqual([]);
  });

  test('the transition names every calculated path that changed', async () => {
    const { questionnaire, evaluator } = await prepareQuestionnaire(q([x, calc('double', `${answerOf('total')} * 2`), calc('total', answerOf('x'))]));
    const t = setAnswer(createFormState(questionnaire!, { evaluator }), 'x', { valueInteger: 4 });
    expect(t.calculated.sort()).toEqual(['double', 'total']);
  });

  test('a loop that never settles stops and reports which calculations', async () => {
    const { questionnaire, evaluator } = await prepareQuestionnaire(q([x, calc('loop', `(${answerOf('loop')} | 0).first() + 1`)]));
    const state = setAnswer(createFormState(questionnaire!, { evaluator }), 'x', { valueInteger: 1 }).state;
    expect(state.issues?.map((i) => i.code)).toEqual(['calculation-does-not-settle']);
    expect(state.issues?.[0]?.message).toContain('"loop"');
  });
});
