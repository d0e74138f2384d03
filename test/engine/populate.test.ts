import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  applyPopulation, createFormState, getAnswers, indexQuestionnaire, loadExpressionSupport, populationQueries, SDC_INITIAL_EXPRESSION,
  SDC_LAUNCH_CONTEXT, SDC_VARIABLE, toQuestionnaireResponse, type ExpressionEvaluator, type Questionnaire,
} from '../../src/engine/index.js';

const fhirpath = (expression: string) => ({ language: 'text/fhirpath', expression });
const query = (name: string, expression: string) => ({ url: SDC_VARIABLE, valueExpression: { name, language: 'application/x-fhir-query', expression } });
const launch = (name: string) => ({ url: SDC_LAUNCH_CONTEXT, extension: [{ url: 'name', valueCoding: { code: name } }, { url: 'type', valueCode: 'Patient' }] });
const SUGGEST = 'https://kbs-record-templates.example.org/fhir/StructureDefinition/suggest-only';
const SOURCE = 'https://kbs-record-templates.example.org/fhir/StructureDefinition/suggestion-source';
const bundle = (...resources: fhir4.Resource[]): fhir4.Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource: resource as fhir4.FhirResource })) });
const patient = { reference: 'Patient/baby-1' };

let evaluator: ExpressionEvaluator;
const ready = loadExpressionSupport().then((e) => (evaluator = e));

describe('SDC population: queries from the launch context', () => {
  const q: Questionnaire = {
    resourceType: 'Questionnaire', status: 'active',
    extension: [launch('patient'), launch('encounter'), query('weights', 'Observation?subject={{%patient.reference}}&code=29463-7'), query('odd', 'https://elsewhere.example/Patient'), query('none', 'Observation?encounter={{%encounter.reference}}')],
    item: [{ linkId: 'w', type: 'decimal', text: 'Weight', extension: [{ url: SDC_INITIAL_EXPRESSION, valueExpression: fhirpath('%weights.entry.resource.value.value.first()') }] }],
  };

  test('fills {{ }} from the context, refuses anything but a search of this server, and says what is missing', async () => {
    await ready;
    const state = createFormState(q, { evaluator, context: { patient } });
    const { queries, issues } = populationQueries(state);
    expect(queries).toEqual([{ name: 'weights', query: 'Observation?subject=Patient%2Fbaby-1&code=29463-7' }]);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/launch context "encounter"/);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/elsewhere\.example.*not a search/);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/%encounter\.reference has no value/);
  });

  test('results fill initialExpressions of unanswered items; a failed query leaves them empty', async () => {
    await ready;
    const state = createFormState(q, { evaluator, context: { patient } });
    const weight: fhir4.Observation = { resourceType: 'Observation', status: 'final', code: {}, valueQuantity: { value: 4.2, unit: 'kg' } };
    expect(getAnswers(applyPopulation(state, { weights: bundle(weight) }), 'w')).toEqual([{ valueDecimal: 4.2 }]);
    expect(getAnswers(applyPopulation(state, { weights: undefined }), 'w')).toEqual([]);
  });
});

describe('our bed-sharing template: "born early or very small" suggested from the record', () => {
  const bedSharing = JSON.parse(readFileSync('questionnaires/bed-sharing-assessment.json', 'utf8')) as Questionnaire;
  const obs = (code: string, value: number, unit: string, status: fhir4.Observation['status'] = 'final'): fhir4.Observation => ({
    resourceType: 'Observation', status, code: { coding: [{ system: 'http://snomed.info/sct', code }] }, subject: patient,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  });
  const suggest = async (gestation: fhir4.Observation[], weight: fhir4.Observation[]) => {
    await ready;
    const state = createFormState(bedSharing, { evaluator, context: { patient } });
    const populated = applyPopulation(state, { gestation: bundle(...gestation), birthWeight: bundle(...weight) });
    return { populated, suggestion: populated.suggestions?.get('checklist/early-or-small') };
  };

  test('asks for the baby\'s gestation and birth weight, by SNOMED CT code, on the baby\'s record', async () => {
    await ready;
    const { queries, issues } = populationQueries(createFormState(bedSharing, { evaluator, context: { patient } }));
    expect(issues).toEqual([]);
    expect(queries.map((q) => decodeURIComponent(q.query))).toEqual([
      'Observation?subject=Patient/baby-1&code=http://snomed.info/sct|412726003&_sort=-date&_count=1',
      'Observation?subject=Patient/baby-1&code=http://snomed.info/sct|364589006&_sort=-date&_count=1',
    ]);
  });

  test.each([
    { name: 'born at 35 weeks', gestation: [obs('412726003', 35, 'wk')], weight: [obs('364589006', 3100, 'g')], yes: true, source: ['born at 35 weeks', 'birth weight 3100 g'] },
    { name: 'birth weight 2,300 g', gestation: [obs('412726003', 39, 'wk')], weight: [obs('364589006', 2300, 'g')], yes: true, source: ['born at 39 weeks', 'birth weight 2300 g'] },
    { name: 'birth weight 2.1 kg', gestation: [], weight: [obs('364589006', 2.1, 'kg')], yes: true, source: ['birth weight 2.1 kg'] },
    { name: 'exactly 37 weeks and 2,500 g', gestation: [obs('412726003', 37, 'wk')], weight: [obs('364589006', 2500, 'g')], yes: false },
    { name: 'term and a good weight (never suggests "No": the baby may be small now)', gestation: [obs('412726003', 39, 'wk')], weight: [obs('364589006', 3350, 'g')], yes: false },
    { name: 'nothing recorded', gestation: [], weight: [], yes: false },
    { name: 'an entry made in error', gestation: [obs('412726003', 30, 'wk', 'entered-in-error')], weight: [], yes: false },
  ])('$name', async ({ gestation, weight, yes, source }) => {
    const { populated, suggestion } = await suggest(gestation, weight);
    if (yes) expect(suggestion).toEqual({ answers: [{ valueBoolean: true }], source });
    else expect(suggestion).toBeUndefined();
    // A suggestion is never an answer: nothing in the response until the clinician chooses.
    expect(getAnswers(populated, 'checklist/early-or-small')).toEqual([]);
    expect(JSON.stringify(toQuestionnaireResponse(populated))).not.toContain('early-or-small');
  });

  test('the suggestion does not hold up the first render: FHIRPath is not needed to show the form', () => {
    expect(indexQuestionnaire(bedSharing).usesExpressions).toBe(false);
  });

  test('a suggest-only item is never answered at creation, even with the record in the context', async () => {
    await ready;
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 's', type: 'boolean', text: 'Small?', extension: [{ url: SDC_INITIAL_EXPRESSION, valueExpression: fhirpath('true') }, { url: SUGGEST, valueBoolean: true }, { url: SOURCE, valueExpression: fhirpath("'from here'") }] }],
    };
    const state = createFormState(q, { evaluator });
    expect(getAnswers(state, 's')).toEqual([]);
    expect(applyPopulation(state, {}).suggestions?.get('s')).toEqual({ answers: [{ valueBoolean: true }], source: ['from here'] });
  });
});

describe('extraction the engine does not do is said at load', () => {
  test.each(['definitionExtract', 'templateExtract', 'targetStructureMap'])('%s: a warning naming it, and the form still loads', async (name) => {
    const { checkQuestionnaire } = await import('../../src/engine/index.js');
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'g', type: 'group', extension: [{ url: `http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-${name}`, valueBoolean: true }], item: [{ linkId: 'q', type: 'string' }] }],
    };
    const issues = checkQuestionnaire(q);
    expect(issues.map((i) => [i.severity, i.code])).toEqual([['warning', 'unsupported-extraction']]);
    expect(issues[0]!.message).toContain(name);
  });
});
