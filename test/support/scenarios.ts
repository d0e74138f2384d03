/** Runs a scenario through the engine: the same path a clinician's clicks take. */
import {
  buildQuestionnaireResponse, createFormState, setAnswers, validateAnswers, type FormState, type QuestionnaireResponse,
} from '../../src/engine/index.js';
import { GOLDEN_META, type Scenario } from '../fixtures/scenarios.js';
import { questionnaire, valueSetResolver } from './content.js';

export function subjectOf(template: Scenario['template']) {
  return template === 'domestic-abuse-enquiry' ? GOLDEN_META.mother : GOLDEN_META.baby;
}

export function completeScenario(scenario: Scenario): { state: FormState; response: QuestionnaireResponse; issues: ReturnType<typeof validateAnswers> } {
  let state = createFormState(questionnaire(scenario.template));
  for (const [path, answers] of scenario.answers) state = setAnswers(state, path, answers).state;
  const issues = validateAnswers(state, valueSetResolver());
  const response = buildQuestionnaireResponse(state, {
    status: 'completed',
    identifier: GOLDEN_META.identifier,
    subject: subjectOf(scenario.template),
    // The routine enquiry never carries the baby's encounter.
    ...(scenario.template === 'domestic-abuse-enquiry' ? {} : { encounter: GOLDEN_META.encounter }),
    author: GOLDEN_META.author,
    now: GOLDEN_META.now,
  });
  return { state, response, issues };
}
