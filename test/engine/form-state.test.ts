import { describe, expect, test } from 'vitest';
import {
  addRepeat, buildQuestionnaireResponse, createFormState, getAnswers, getRepeatPaths, isEnabled, removeRepeat, setAnswer,
  type Questionnaire,
} from '../../src/engine/index.js';
import { medplumErrors, schemaErrors } from '../support/fhir-validation.js';

const now = () => new Date('2024-10-27T01:30:00Z'); // the hour the clocks go back in the UK

const family: Questionnaire = {
  resourceType: 'Questionnaire',
  url: 'https://example.org/Questionnaire/family',
  version: '1.0.0',
  status: 'active',
  item: [
    {
      linkId: 'carer', type: 'group', text: 'Carer', repeats: true,
      item: [
        { linkId: 'name', type: 'string', text: 'Name' },
        { linkId: 'smokes', type: 'boolean', text: 'Smokes?' },
        { linkId: 'advice', type: 'display', text: 'Smoke-free advice', enableWhen: [{ question: 'smokes', operator: '=', answerBoolean: true }] },
        { linkId: 'quit', type: 'boolean', text: 'Referred to stop smoking?', enableWhen: [{ question: 'smokes', operator: '=', answerBoolean: true }] },
      ],
    },
  ],
};

describe('repeating groups', () => {
  test('each instance evaluates enableWhen against its own answers', () => {
    let state = createFormState(family);
    const [first] = getRepeatPaths(state, undefined, 'carer');
    const added = addRepeat(state, undefined, 'carer');
    state = added.state;
    state = setAnswer(state, `${first}/smokes`, { valueBoolean: true }).state;
    state = setAnswer(state, `${added.path}/smokes`, { valueBoolean: false }).state;
    expect(isEnabled(state, `${first}/quit`)).toBe(true);
    expect(isEnabled(state, `${added.path}/quit`)).toBe(false);
  });

  test('removing an instance drops only its answers; ids are stable', () => {
    let state = createFormState(family);
    const a = getRepeatPaths(state, undefined, 'carer')[0]!;
    const b = addRepeat(state, undefined, 'carer');
    const c = addRepeat(b.state, undefined, 'carer');
    state = setAnswer(c.state, `${a}/name`, { valueString: 'A' }).state;
    state = setAnswer(state, `${b.path}/name`, { valueString: 'B' }).state;
    state = setAnswer(state, `${c.path}/name`, { valueString: 'C' }).state;
    state = removeRepeat(state, b.path).state;
    expect(getRepeatPaths(state, undefined, 'carer')).toEqual([a, c.path]);
    expect(getAnswers(state, `${c.path}/name`)).toEqual([{ valueString: 'C' }]);
    const response = buildQuestionnaireResponse(state, { status: 'completed', identifier: 'f1', now });
    expect(response.item?.map((i) => i.item?.[0]?.answer?.[0]?.valueString)).toEqual(['A', 'C']);
  });
});

describe('QuestionnaireResponse build', () => {
  test('metadata, canonical url|version, nested items, omissions', () => {
    let state = createFormState(family);
    const first = getRepeatPaths(state, undefined, 'carer')[0]!;
    state = setAnswer(state, `${first}/smokes`, { valueBoolean: false }).state;
    const response = buildQuestionnaireResponse(state, {
      status: 'completed',
      identifier: '3f1d0d9e-0c1e-4b8e-9a43-5b0f5b3e7a11',
      subject: { reference: 'Patient/baby' },
      encounter: { reference: 'Encounter/visit' },
      author: { reference: 'Practitioner/gp' },
      now,
    });
    expect(response).toEqual({
      resourceType: 'QuestionnaireResponse',
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:3f1d0d9e-0c1e-4b8e-9a43-5b0f5b3e7a11' },
      questionnaire: 'https://example.org/Questionnaire/family|1.0.0',
      status: 'completed',
      subject: { reference: 'Patient/baby' },
      encounter: { reference: 'Encounter/visit' },
      authored: '2024-10-27T01:30:00.000Z',
      author: { reference: 'Practitioner/gp' },
      item: [{ linkId: 'carer', text: 'Carer', item: [{ linkId: 'smokes', text: 'Smokes?', answer: [{ valueBoolean: false }] }] }],
    });
    expect(schemaErrors(response)).toEqual([]);
    expect(medplumErrors(response)).toEqual([]);
  });

  test('an empty form gives a response with no items, still valid', () => {
    const response = buildQuestionnaireResponse(createFormState(family), { status: 'in-progress', identifier: 'e', now });
    expect(response.item).toBeUndefined();
    expect(schemaErrors(response)).toEqual([]);
  });

  test('a loaded response gives back the same form (resume a draft, amend a record)', () => {
    let state = createFormState(family);
    const first = getRepeatPaths(state, undefined, 'carer')[0]!;
    const second = addRepeat(state, undefined, 'carer');
    state = setAnswer(second.state, `${first}/name`, { valueString: 'Sam' }).state;
    state = setAnswer(state, `${first}/smokes`, { valueBoolean: true }).state;
    state = setAnswer(state, `${first}/quit`, { valueBoolean: true }).state;
    state = setAnswer(state, `${second.path}/name`, { valueString: 'Alex' }).state;
    const meta = { status: 'in-progress' as const, identifier: 'draft', now };
    const saved = buildQuestionnaireResponse(state, meta);
    const resumed = createFormState(family, { response: saved });
    expect(buildQuestionnaireResponse(resumed, meta)).toEqual(saved);
    expect(getRepeatPaths(resumed, undefined, 'carer')).toHaveLength(2);
  });

  test('initial values and initialSelected options', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [
        { linkId: 'n', type: 'integer', initial: [{ valueInteger: 3 }] },
        { linkId: 'c', type: 'choice', answerOption: [{ valueCoding: { code: 'a' } }, { valueCoding: { code: 'b' }, initialSelected: true }] },
      ],
    };
    const state = createFormState(q);
    expect(getAnswers(state, 'n')).toEqual([{ valueInteger: 3 }]);
    expect(getAnswers(state, 'c')).toEqual([{ valueCoding: { code: 'b' } }]);
  });

  test('a question nested under a question puts its answer under the parent answer', () => {
    const q: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active',
      item: [{ linkId: 'p', type: 'boolean', item: [{ linkId: 'why', type: 'string' }] }],
    };
    let state = setAnswer(createFormState(q), 'p', { valueBoolean: true }).state;
    state = setAnswer(state, 'p/why', { valueString: 'because' }).state;
    const response = buildQuestionnaireResponse(state, { status: 'completed', identifier: 'n', now });
    expect(response.item?.[0]?.answer?.[0]?.item?.[0]).toEqual({ linkId: 'why', answer: [{ valueString: 'because' }] });
    expect(medplumErrors(response)).toEqual([]);
    expect(buildQuestionnaireResponse(createFormState(q, { response }), { status: 'completed', identifier: 'n', now })).toEqual(response);
  });

  test('setting a group or display path changes nothing', () => {
    const state = createFormState(family);
    expect(setAnswer(state, 'carer[0]', { valueString: 'x' }).state).toBe(state);
  });
});
