/**
 * answerValueSet without a terminology server: contained (`#id`) and given ValueSets give their
 * codes (from the expansion, else from compose.include.concept); what cannot be resolved is a
 * warning for the integrator, never a silent empty list.
 */
import { describe, expect, test } from 'vitest';
import {
  createFormState, createValueSetResolver, prepareQuestionnaire, setAnswer, unresolvedValueSetIssues, validateAnswers,
  SDC_CALCULATED_EXPRESSION, type Questionnaire,
} from '../../src/engine/index.js';

const S = 'http://example.org/cs';
const composed: fhir4.ValueSet = { resourceType: 'ValueSet', id: 'colours', status: 'active', compose: { include: [{ system: S, concept: [{ code: 'r', display: 'Red' }, { code: 'g', display: 'Green' }] }] } };
const expanded: fhir4.ValueSet = {
  resourceType: 'ValueSet', url: 'http://example.org/vs/sizes', status: 'active',
  expansion: { timestamp: '2026-01-01T00:00:00Z', contains: [{ system: S, code: 's', display: 'Small', contains: [{ system: S, code: 'xs', display: 'Extra small' }] }, { abstract: true, code: 'hdr', display: 'Heading' }] },
  compose: { include: [{ system: S, filter: [{ property: 'concept', op: 'is-a', value: 'x' }] }] },
};
const filtered: fhir4.ValueSet = { resourceType: 'ValueSet', url: 'http://example.org/vs/filtered', status: 'active', compose: { include: [{ system: S, filter: [{ property: 'concept', op: 'is-a', value: 'x' }] }] } };

const questionnaire: Questionnaire = {
  resourceType: 'Questionnaire', status: 'active', contained: [composed],
  item: [
    { linkId: 'colour', type: 'choice', answerValueSet: '#colours' },
    { linkId: 'size', type: 'choice', answerValueSet: 'http://example.org/vs/sizes' },
    { linkId: 'filtered', type: 'choice', answerValueSet: 'http://example.org/vs/filtered' },
    { linkId: 'missing', type: 'choice', answerValueSet: '#nowhere' },
    { linkId: 'external', type: 'choice', answerValueSet: 'http://loinc.org/vs/LL1-9' },
  ],
};

describe('answerValueSet resolution', () => {
  const resolve = createValueSetResolver(questionnaire, [expanded, filtered]);

  test.each<[string, string, string[] | undefined]>([
    ['contained, from compose.include.concept', '#colours', ['r', 'g']],
    ['given, from the expansion (nested contains flattened, abstract left out)', 'http://example.org/vs/sizes', ['s', 'xs']],
    ['given with a version that matches no copy', 'http://example.org/vs/sizes|9', undefined],
    ['a filter needs a terminology server', 'http://example.org/vs/filtered', undefined],
    ['a contained id that is not there', '#nowhere', undefined],
    ['an external ValueSet', 'http://loinc.org/vs/LL1-9', undefined],
  ])('%s', (_name, canonical, codes) => {
    expect(resolve(canonical)?.map((c) => c.code)).toEqual(codes);
  });

  test('a fallback resolver (the seam for a terminology server) is asked for what is not local', () => {
    const asked: string[] = [];
    const withFallback = createValueSetResolver(questionnaire, [], (c) => (asked.push(c), c.includes('loinc') ? [{ system: 'http://loinc.org', code: 'LA1' }] : undefined));
    expect(withFallback('http://loinc.org/vs/LL1-9')).toEqual([{ system: 'http://loinc.org', code: 'LA1' }]);
    expect(withFallback('#colours')?.length).toBe(2);
    expect(asked).toEqual(['http://loinc.org/vs/LL1-9']);
  });

  test('every unresolved answerValueSet is a located warning', () => {
    const issues = unresolvedValueSetIssues(questionnaire, resolve);
    expect(issues.map((i) => [i.severity, i.code, i.linkId, i.location])).toEqual([
      ['warning', 'value-set-not-resolved', 'filtered', 'Questionnaire.item[2].answerValueSet'],
      ['warning', 'value-set-not-resolved', 'missing', 'Questionnaire.item[3].answerValueSet'],
      ['warning', 'value-set-not-resolved', 'external', 'Questionnaire.item[4].answerValueSet'],
    ]);
  });

  test('answers are checked against a contained ValueSet', () => {
    const state = createFormState(questionnaire);
    expect(validateAnswers(setAnswer(state, 'colour', { valueCoding: { system: S, code: 'g' } }).state, resolve)).toEqual([]);
    expect(validateAnswers(setAnswer(state, 'colour', { valueCoding: { system: S, code: 'blue' } }).state, resolve).map((i) => i.code)).toEqual(['not-an-option']);
  });
});

describe('prepareQuestionnaire', () => {
  test('a questionnaire given as JSON text keeps FHIRPath support', async () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'two', type: 'integer', readOnly: true, extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: '1 + 1' } }] }],
    };
    const fromText = await prepareQuestionnaire(JSON.stringify(q));
    expect(fromText.evaluator).toBeDefined();
    expect(createFormState(fromText.questionnaire!, { evaluator: fromText.evaluator }).answers.get('two')).toEqual([{ valueInteger: 2 }]);
  });

  test('JSON text that does not parse is refused with a message', async () => {
    expect((await prepareQuestionnaire('{"resourceType":')).issues.map((i) => i.code)).toEqual(['schema']);
  });
});
