/**
 * Form state and response building, rule by rule (table-driven), with a stub FHIRPath evaluator so
 * each expression result is chosen by the test. Written after mutation testing showed these rules
 * could change with the scenario tests still green.
 */
import { describe, expect, test } from 'vitest';
import {
  addRepeat, buildQuestionnaireResponse, createFormState, getAnswers, getRepeatPaths, isEnabled, removeRepeat, setAnswer, setAnswers,
  toQuestionnaireResponse, questionnaireCanonical, SDC_CALCULATED_EXPRESSION, SDC_ENABLE_WHEN_EXPRESSION, SDC_INITIAL_EXPRESSION, SDC_VARIABLE,
  type Answer, type ExpressionEvaluator, type Questionnaire,
} from '../../src/engine/index.js';

const now = () => new Date('2024-01-01T00:00:00Z');
const fhirpath = (expression: string) => ({ language: 'text/fhirpath', expression });

/** An evaluator whose results are a table: expression → values (or a function of the environment). */
function stub(table: Record<string, unknown[] | ((env: Record<string, unknown>) => unknown[])>): ExpressionEvaluator & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    evaluate(expression, _resource, environment) {
      calls.push(expression);
      const entry = table[expression];
      if (entry === undefined) throw new Error(`no such expression ${expression}`);
      return typeof entry === 'function' ? entry(environment as Record<string, unknown>) : entry;
    },
    parse() {},
  };
}

describe('calculated values become answers of the item type', () => {
  test.each<[string, fhir4.QuestionnaireItem['type'], unknown[], Answer[], boolean?]>([
    ['boolean', 'boolean', [true], [{ valueBoolean: true }]],
    ['boolean given a string', 'boolean', ['true'], []],
    ['integer', 'integer', [3], [{ valueInteger: 3 }]],
    ['integer given a fraction', 'integer', [3.5], []],
    ['decimal', 'decimal', [3.5], [{ valueDecimal: 3.5 }]],
    ['decimal given a string', 'decimal', ['3.5'], []],
    ['string', 'string', ['x'], [{ valueString: 'x' }]],
    ['string given a number', 'string', [1], []],
    ['date', 'date', ['2024-01-01'], [{ valueDate: '2024-01-01' }]],
    ['quantity', 'quantity', [{ value: 1, unit: 'kg' }], [{ valueQuantity: { value: 1, unit: 'kg' } }]],
    ['quantity given a number', 'quantity', [1], []],
    ['reference', 'reference', [{ reference: 'Patient/1' }], [{ valueReference: { reference: 'Patient/1' } }]],
    ['choice takes codings', 'choice', [{ code: 'a' }, 'b'], [{ valueCoding: { code: 'a' } }]],
    ['open-choice takes codings and strings', 'open-choice', ['b', { code: 'a' }], [{ valueString: 'b' }], false],
    ['open-choice repeating keeps all', 'open-choice', ['b', { code: 'a' }], [{ valueString: 'b' }, { valueCoding: { code: 'a' } }], true],
    ['choice ignores non-codings', 'choice', [1, 'x'], []],
    ['null and undefined are skipped', 'integer', [null, undefined, 4], [{ valueInteger: 4 }]],
    ['only the first unless the item repeats', 'integer', [1, 2], [{ valueInteger: 1 }]],
    ['all when the item repeats', 'integer', [1, 2], [{ valueInteger: 1 }, { valueInteger: 2 }], true],
    ['display items get none', 'display', [1], []],
  ])('%s', (_name, type, values, expected, repeats = false) => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'x', type, repeats, extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: fhirpath('calc') }] }],
    };
    const state = createFormState(q, { evaluator: stub({ calc: values }) });
    expect(getAnswers(state, 'x')).toEqual(expected);
  });

  test('an empty result clears a calculated answer; an unchanged one is not reported', () => {
    let result: unknown[] = [1];
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'a', type: 'boolean' }, { linkId: 'x', type: 'integer', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: fhirpath('calc') }] }],
    };
    const state = createFormState(q, { evaluator: stub({ calc: () => result }) });
    expect(getAnswers(state, 'x')).toEqual([{ valueInteger: 1 }]);
    const same = setAnswer(state, 'a', { valueBoolean: true });
    expect(same.calculated).toEqual([]);
    result = [];
    const cleared = setAnswer(same.state, 'a', { valueBoolean: false });
    expect(cleared.calculated).toEqual(['x']);
    expect(getAnswers(cleared.state, 'x')).toEqual([]);
  });
});

describe('initialExpression and variables', () => {
  test('initialExpression fills only empty items, and not when resuming a response', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [
        { linkId: 'a', type: 'string', extension: [{ url: SDC_INITIAL_EXPRESSION, valueExpression: fhirpath('init') }] },
        { linkId: 'b', type: 'string', initial: [{ valueString: 'given' }], extension: [{ url: SDC_INITIAL_EXPRESSION, valueExpression: fhirpath('init') }] },
        { linkId: 'c', type: 'string', extension: [{ url: SDC_INITIAL_EXPRESSION, valueExpression: fhirpath('none') }] },
      ],
    };
    const evaluator = stub({ init: ['from expression'], none: [] });
    const state = createFormState(q, { evaluator });
    expect(getAnswers(state, 'a')).toEqual([{ valueString: 'from expression' }]);
    expect(getAnswers(state, 'b')).toEqual([{ valueString: 'given' }]);
    expect(getAnswers(state, 'c')).toEqual([]);
    const resumed = createFormState(q, { evaluator, response: { resourceType: 'QuestionnaireResponse', status: 'in-progress' } });
    expect(getAnswers(resumed, 'a')).toEqual([]);
  });

  test('variables are evaluated in order, each seeing the ones before; only text/fhirpath ones with a name', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      extension: [
        { url: SDC_VARIABLE, valueExpression: { name: 'one', ...fhirpath('v1') } },
        { url: SDC_VARIABLE, valueExpression: { name: 'two', ...fhirpath('v2') } },
        { url: SDC_VARIABLE, valueExpression: { name: 'cql', language: 'text/cql', expression: 'v1' } },
        { url: SDC_VARIABLE, valueExpression: fhirpath('v1') },
        { url: 'http://example.org/other', valueExpression: { name: 'other', ...fhirpath('v1') } },
      ],
      item: [{ linkId: 'x', type: 'string', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: fhirpath('out') }] }],
    };
    const seen: Record<string, unknown>[] = [];
    const evaluator = stub({
      v1: ['first'],
      v2: (env) => [`${String((env.one as string[])[0])}+second`],
      out: (env) => { seen.push(env); return [(env.two as string[])[0]]; },
    });
    const state = createFormState(q, { evaluator, context: { patient: { resourceType: 'Patient', id: 'p' } } });
    expect(getAnswers(state, 'x')).toEqual([{ valueString: 'first+second' }]);
    const env = seen.at(-1)!;
    expect(Object.keys(env).sort()).toEqual(['context', 'one', 'patient', 'questionnaire', 'resource', 'two']);
    expect(env.questionnaire).toBe(q);
    expect((env.resource as { resourceType: string }).resourceType).toBe('QuestionnaireResponse');
    expect(env.context).toBe(env.resource);
    expect(env.patient).toEqual({ resourceType: 'Patient', id: 'p' });
  });

  test('enableWhenExpression: true shows, false or not a boolean hides; without an evaluator it is ignored', () => {
    const q = (expression: string): Questionnaire => ({
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'x', type: 'string', extension: [{ url: SDC_ENABLE_WHEN_EXPRESSION, valueExpression: fhirpath(expression) }] }],
    });
    const evaluator = stub({ yes: [true], no: [false], text: ['true'], none: [] });
    expect(isEnabled(createFormState(q('yes'), { evaluator }), 'x')).toBe(true);
    expect(isEnabled(createFormState(q('no'), { evaluator }), 'x')).toBe(false);
    expect(isEnabled(createFormState(q('text'), { evaluator }), 'x')).toBe(false);
    expect(isEnabled(createFormState(q('none'), { evaluator }), 'x')).toBe(false);
    expect(isEnabled(createFormState(q('no')), 'x')).toBe(true);
  });
});

describe('answers', () => {
  const q: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'one', type: 'string' },
      { linkId: 'many', type: 'string', repeats: true },
      { linkId: 'g', type: 'group', item: [{ linkId: 'in', type: 'string' }] },
      { linkId: 'd', type: 'display', text: 'x' },
    ],
  };
  test.each<[string, string, Answer[], Answer[]]>([
    ['a non-repeating item keeps the first answer', 'one', [{ valueString: 'a' }, { valueString: 'b' }], [{ valueString: 'a' }]],
    ['a repeating item keeps them all', 'many', [{ valueString: 'a' }, { valueString: 'b' }], [{ valueString: 'a' }, { valueString: 'b' }]],
    ['empty answers are dropped', 'many', [{ valueString: ' ' }, { valueString: 'b' }], [{ valueString: 'b' }]],
    ['an empty list clears', 'one', [], []],
    ['only empty answers clear', 'one', [{ valueString: '' }], []],
  ])('%s', (_name, path, answers, expected) => {
    const start = setAnswer(createFormState(q), path, { valueString: 'before' }).state;
    expect(getAnswers(setAnswers(start, path, answers).state, path)).toEqual(expected);
  });

  test.each(['g', 'd', 'nope', 'g/nope'])('setting %s changes nothing', (path) => {
    const state = createFormState(q);
    const t = setAnswer(state, path, { valueString: 'x' });
    expect(t.state).toBe(state);
    expect(t).toEqual({ state, shown: [], hidden: [], calculated: [] });
  });

  test('setAnswer with undefined clears', () => {
    const state = setAnswer(createFormState(q), 'one', { valueString: 'x' }).state;
    expect(getAnswers(setAnswer(state, 'one', undefined).state, 'one')).toEqual([]);
  });
});

describe('repeating groups', () => {
  const q: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'any', type: 'boolean' },
      {
        linkId: 'carer', type: 'group', repeats: true,
        item: [
          { linkId: 'name', type: 'string' },
          { linkId: 'child', type: 'group', repeats: true, item: [{ linkId: 'age', type: 'integer' }] },
          { linkId: 'note', type: 'string', enableWhen: [{ question: 'any', operator: '=', answerBoolean: true }] },
        ],
      },
    ],
  };

  test('an added instance starts with one instance of each nested repeating group, and is shown', () => {
    const state = createFormState(q);
    const added = addRepeat(state, undefined, 'carer');
    expect(getRepeatPaths(added.state, undefined, 'carer')).toEqual(['carer[0]', added.path]);
    expect(added.path).toBe('carer[2]');
    expect(getRepeatPaths(added.state, added.path, 'child')).toEqual(['carer[2]/child[3]']);
    expect(added.shown[0]).toBe('carer[2]');
    expect(isEnabled(added.state, 'carer[2]/name')).toBe(true);
    expect(isEnabled(added.state, 'carer[2]/child[3]/age')).toBe(true);
    // Conditions inside the new instance are evaluated at once.
    expect(isEnabled(added.state, 'carer[2]/note')).toBe(false);
    expect(added.state.nextInstanceId).toBe(4);
  });

  test('a nested instance can be added and removed on its own', () => {
    let state = createFormState(q);
    const nested = addRepeat(state, 'carer[0]', 'child');
    expect(getRepeatPaths(nested.state, 'carer[0]', 'child')).toEqual(['carer[0]/child[1]', nested.path]);
    state = setAnswer(nested.state, `${nested.path}/age`, { valueInteger: 3 }).state;
    const removed = removeRepeat(state, nested.path);
    expect(removed.hidden[0]).toBe(nested.path);
    expect(getRepeatPaths(removed.state, 'carer[0]', 'child')).toEqual(['carer[0]/child[1]']);
    expect(getAnswers(removed.state, `${nested.path}/age`)).toEqual([]);
    expect(isEnabled(removed.state, nested.path)).toBe(false);
  });

  test('removing an instance drops its nested instances too', () => {
    const state = addRepeat(createFormState(q), undefined, 'carer').state;
    const removed = removeRepeat(state, 'carer[0]');
    expect([...removed.state.instances.keys()].sort()).toEqual(['carer', 'carer[2]/child']);
  });

  test.each(['carer', 'carer[x]', ''])('removeRepeat(%j) changes nothing', (path) => {
    const state = createFormState(q);
    expect(removeRepeat(state, path)).toEqual({ state, shown: [], hidden: [], calculated: [] });
  });

  test('a response with two instances resumes with two; a group without answers resumes with none', () => {
    const state = addRepeat(createFormState(q), undefined, 'carer').state;
    const filled = setAnswer(setAnswer(state, 'carer[0]/name', { valueString: 'A' }).state, 'carer[2]/name', { valueString: 'B' }).state;
    const response = buildQuestionnaireResponse(filled, { status: 'in-progress', identifier: 'x', now });
    const resumed = createFormState(q, { response });
    expect(getRepeatPaths(resumed, undefined, 'carer')).toHaveLength(2);
    const empty = createFormState(q, { response: { resourceType: 'QuestionnaireResponse', status: 'in-progress' } });
    expect(getRepeatPaths(empty, undefined, 'carer')).toEqual([]);
  });
});

describe('the response', () => {
  test('optional metadata is copied only when given', () => {
    const q: Questionnaire = { resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'a', type: 'string' }] };
    const state = createFormState(q);
    expect(buildQuestionnaireResponse(state, { status: 'in-progress', identifier: 'i', now })).toEqual({
      resourceType: 'QuestionnaireResponse', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:i' }, status: 'in-progress', authored: '2024-01-01T00:00:00.000Z',
    });
    const full = buildQuestionnaireResponse(state, {
      status: 'amended', identifier: 'i', now, id: 'qr1', meta: { versionId: '2' }, source: { reference: 'Patient/m' },
    });
    expect(full).toMatchObject({ id: 'qr1', meta: { versionId: '2' }, source: { reference: 'Patient/m' }, status: 'amended' });
  });

  test.each<[fhir4.Questionnaire, string | undefined]>([
    [{ resourceType: 'Questionnaire', status: 'active', url: 'u', version: '1' }, 'u|1'],
    [{ resourceType: 'Questionnaire', status: 'active', url: 'u' }, 'u'],
    [{ resourceType: 'Questionnaire', status: 'active', version: '1' }, undefined],
  ])('canonical of %j', (q, expected) => {
    expect(questionnaireCanonical(q)).toBe(expected);
    expect(toQuestionnaireResponse(createFormState(q)).questionnaire).toBe(expected);
  });

  test('malformed answers are never written; items without text carry no text; disabled items are left out', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [
        { linkId: 'n', type: 'integer' },
        { linkId: 'd', type: 'date', text: 'Date' },
        { linkId: 's', type: 'string', text: 'S' },
        { linkId: 'off', type: 'string', enableWhen: [{ question: 's', operator: '=', answerString: 'open' }] },
      ],
    };
    let state = setAnswer(createFormState(q), 'n', { valueInteger: 2 }).state;
    state = setAnswer(state, 'd', { valueDate: '2024-02-31x' }).state;
    state = setAnswer(state, 'off', { valueString: 'kept but hidden' }).state;
    state = setAnswer(state, 's', { valueString: 'closed' }).state;
    expect(toQuestionnaireResponse(state).item).toEqual([{ linkId: 'n', answer: [{ valueInteger: 2 }] }, { linkId: 's', text: 'S', answer: [{ valueString: 'closed' }] }]);
  });

  test('children of an unanswered question are kept under the question; of a repeating answer, under the first answer only', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'p', type: 'string', repeats: true, item: [{ linkId: 'c', type: 'string' }] }],
    };
    let state = setAnswer(createFormState(q), 'p/c', { valueString: 'child' }).state;
    expect(toQuestionnaireResponse(state).item).toEqual([{ linkId: 'p', item: [{ linkId: 'c', answer: [{ valueString: 'child' }] }] }]);
    state = setAnswers(state, 'p', [{ valueString: 'a' }, { valueString: 'b' }]).state;
    expect(toQuestionnaireResponse(state).item).toEqual([{
      linkId: 'p', answer: [{ valueString: 'a', item: [{ linkId: 'c', answer: [{ valueString: 'child' }] }] }, { valueString: 'b' }],
    }]);
  });
});
