/**
 * enableWhen on content the loader would refuse (createFormState does not re-check): it must still
 * end and must not crash. Gaps found by mutation testing.
 */
import { expect, test } from 'vitest';
import { createFormState, isEnabled, setAnswer, type Questionnaire } from '../../src/engine/index.js';

const q = (...items: fhir4.QuestionnaireItem[]): Questionnaire => ({ resourceType: 'Questionnaire', status: 'active', item: items });

test('a condition on a question that does not exist keeps the item hidden', () => {
  const state = createFormState(q({ linkId: 'a', type: 'string', enableWhen: [{ question: 'zz', operator: 'exists', answerBoolean: true }] }));
  expect(isEnabled(state, 'a')).toBe(false);
});

test('a condition without an answer[x] keeps the item hidden', () => {
  const state = createFormState(q({ linkId: 's', type: 'boolean' }, { linkId: 'a', type: 'string', enableWhen: [{ question: 's', operator: '=' } as fhir4.QuestionnaireItemEnableWhen] }));
  expect(isEnabled(setAnswer(state, 's', { valueBoolean: true }).state, 'a')).toBe(false);
});

test('exists without answerBoolean means "exists: true"', () => {
  const state = createFormState(q({ linkId: 's', type: 'string' }, { linkId: 'a', type: 'string', enableWhen: [{ question: 's', operator: 'exists' } as fhir4.QuestionnaireItemEnableWhen] }));
  expect(isEnabled(state, 'a')).toBe(false);
  expect(isEnabled(setAnswer(state, 's', { valueString: 'x' }).state, 'a')).toBe(true);
});

test('an oscillating cycle of conditions (refused by the loader) still ends', () => {
  // a shows when b is answered and shown; b shows when a is not: each flip undoes the other.
  const cyclic = q(
    { linkId: 'a', type: 'boolean', enableWhen: [{ question: 'b', operator: 'exists', answerBoolean: true }] },
    { linkId: 'b', type: 'boolean', enableWhen: [{ question: 'a', operator: 'exists', answerBoolean: false }] },
  );
  let state = createFormState(cyclic);
  state = setAnswer(state, 'a', { valueBoolean: true }).state;
  const after = setAnswer(state, 'b', { valueBoolean: true });
  expect(typeof isEnabled(after.state, 'b')).toBe('boolean');
}, 5_000);
