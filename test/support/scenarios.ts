/** Runs a scenario through the engine: the same path a clinician's clicks take. */
import {
  buildQuestionnaireResponse, createFormState, setAnswers, validateAnswers, type FormState, type QuestionnaireResponse,
} from '../../src/engine/index.js';
import { GOLDEN_META, SCENARIOS, type Scenario } from '../fixtures/scenarios.js';
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

/** A scenario's completed response as a new form instance (a fresh identifier), with its questionnaire. */
export function freshSubmission(name: string): { response: QuestionnaireResponse; q: fhir4.Questionnaire } {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  const { response } = completeScenario(scenario);
  return { response: { ...response, identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${crypto.randomUUID()}` } }, q: questionnaire(scenario.template) };
}

/** How many resources of each type the server holds that came from this response (the response included). */
export async function writtenFor(server: { repo: { allResources(): Promise<unknown[]> } }, response: QuestionnaireResponse): Promise<Record<string, number>> {
  const uuid = response.identifier!.value!.slice('urn:uuid:'.length);
  const mine = ((await server.repo.allResources()) as fhir4.Resource[]).filter((r) => JSON.stringify(r).includes(uuid));
  return mine.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.resourceType]: (acc[r.resourceType] ?? 0) + 1 }), {});
}
