/** The gateway over real HTTP against the embedded server (Medplum router, validation on every write). */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFhirGateway, FhirGatewayError, type KbsGateway } from '../../src/fhir/index.js';
import type { RunningFhirServer } from '../../src/server/fhir-server.js';
import { buildQuestionnaireResponse, createFormState, setAnswer, type QuestionnaireResponse } from '../../src/engine/index.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { questionnaire, readJsonFiles } from '../support/content.js';
import { medplumErrors } from '../support/fhir-validation.js';
import { completeScenario } from '../support/scenarios.js';
import { count, everything, startDemoServer } from '../support/server.js';

let server: RunningFhirServer;
let gateway: KbsGateway;
const conceptMaps = readJsonFiles<fhir4.ConceptMap>('valuesets').map(([, j]) => j).filter((j) => j.resourceType === 'ConceptMap');
const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** A scenario's response with a fresh identifier (a new form instance). */
function freshResponse(name: string): QuestionnaireResponse {
  const { response } = completeScenario(SCENARIOS.find((s) => s.name === name)!);
  return { ...response, identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${crypto.randomUUID()}` } };
}

beforeAll(async () => {
  server = await startDemoServer();
  gateway = createFhirGateway({ baseUrl: server.baseUrl, conceptMaps, retry: fast });
});
afterAll(() => server.close());

describe('context', () => {
  test('finds the baby by NHS number and the mother through the RelatedPerson link', async () => {
    const baby = await gateway.resolvePatient({ nhsNumber: '999 000 0018' });
    expect(baby.id).toBe('demo-baby');
    expect((await gateway.resolveMother(baby)).id).toBe('demo-mother');
  });

  test('an NHS number failing Modulus 11 is refused before any request', async () => {
    const offline = createFhirGateway({ baseUrl: 'http://127.0.0.1:9/fhir', retry: fast });
    const error = await offline.resolvePatient({ nhsNumber: '999 000 0019' }).catch((e) => e);
    expect(error).toBeInstanceOf(FhirGatewayError);
    expect(error.kind).toBe('invalid-input');
  });

  test('an unknown NHS number says so', async () => {
    await expect(gateway.resolvePatient({ nhsNumber: '9990000034' })).rejects.toMatchObject({ kind: 'not-found' });
  });

  test('loads a Questionnaire by canonical url|version, or falls back to the bundled copy and says so', async () => {
    const q = questionnaire('eight-week-check');
    expect(await gateway.loadQuestionnaire(`${q.url}|${q.version}`, q)).toMatchObject({ source: 'server' });
    const missing = await gateway.loadQuestionnaire(`${q.url}|9.9.9`, q);
    expect(missing.source).toBe('bundled');
    expect(missing.notice).toMatch(/does not have this form/);
  });
});

describe.each(SCENARIOS)('submitting $template: $name', (scenario) => {
  test('writes the response and extracted resources once, valid, findable by subject', async () => {
    const response = freshResponse(scenario.name);
    const q = questionnaire(scenario.template);
    const before = (await everything(server)).length;
    const result = await gateway.submit({ questionnaire: q, response });
    expect(result).toMatchObject({ state: 'saved', message: 'Saved to the record.' });
    const written = (await everything(server)).length - before;
    expect(written).toBe(result.locations!.length);
    const subject = response.subject!.reference!;
    const found = await count(server, `QuestionnaireResponse?subject=${subject}&identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${response.identifier!.value}`)}`);
    expect(found).toBe(1);
    for (const location of result.locations!) {
      const [, resource] = await server.request('GET', `/${location.split('/').slice(0, 2).join('/')}`);
      expect(medplumErrors(resource as fhir4.Resource)).toEqual([]);
    }
    // The same form instance again: nothing new.
    expect(await gateway.submit({ questionnaire: q, response })).toMatchObject({ state: 'saved' });
    expect((await everything(server)).length - before).toBe(written);
  });
});

describe('domestic abuse enquiry', () => {
  test("leaves nothing in the baby's compartment; everything is labelled R + SDV; one Task however often it is sent", async () => {
    const response = freshResponse('not-asked-partner-present');
    const q = questionnaire('domestic-abuse-enquiry');
    const before = new Set((await everything(server)).map((r) => `${r.resourceType}/${r.id}`));
    for (let i = 0; i < 3; i++) expect((await gateway.submit({ questionnaire: q, response })).state).toBe('saved');
    const added = (await everything(server)).filter((r) => !before.has(`${r.resourceType}/${r.id}`));
    expect(added.map((r) => r.resourceType).sort()).toEqual(['Observation', 'Observation', 'Observation', 'Provenance', 'QuestionnaireResponse', 'Task']);
    for (const r of added) {
      expect(r.meta?.security?.map((s) => s.code)).toEqual(['R', 'SDV']);
      expect(JSON.stringify(r)).not.toContain('Patient/demo-baby');
    }
    const task = added.find((r): r is fhir4.Task => r.resourceType === 'Task')!;
    expect(task.for?.reference).toBe('Patient/demo-mother');
    expect(task.focus?.reference).toMatch(/^QuestionnaireResponse\//);
    expect(await count(server, `Task?patient=Patient/demo-baby`)).toBe(0);
  });
});

describe('drafts and amendments', () => {
  test('a saved draft becomes the completed record (one response, not two)', async () => {
    const q = questionnaire('eight-week-check');
    let state = createFormState(q);
    state = setAnswer(state, 'kbs/advice-child-safety', { valueBoolean: true }).state;
    const identifier = crypto.randomUUID();
    const meta = { identifier, subject: { reference: 'Patient/demo-baby' }, author: { reference: 'Practitioner/demo-gp' }, now: () => new Date() };
    const draft = await gateway.saveDraft(q, buildQuestionnaireResponse(state, { ...meta, status: 'in-progress' }));
    expect(draft.id).toBeTruthy();
    const again = await gateway.saveDraft(q, { ...buildQuestionnaireResponse(state, { ...meta, status: 'in-progress' }), id: draft.id, meta: draft.meta });
    expect(again.id).toBe(draft.id);
    state = setAnswer(state, 'kbs/safer-sleep/info-infant-safe-sleeping', { valueBoolean: true }).state;
    const final = { ...buildQuestionnaireResponse(state, { ...meta, status: 'completed' }), id: again.id, meta: again.meta };
    expect((await gateway.submit({ questionnaire: q, response: final })).state).toBe('saved');
    const stored = await count(server, `QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|urn:uuid:${identifier}`)}`);
    expect(stored).toBe(1);
    const [, read] = await server.request('GET', `/QuestionnaireResponse/${draft.id}`);
    expect((read as QuestionnaireResponse).status).toBe('completed');
  });

  test('amending with a stale version is refused with a clear message, and nothing changes', async () => {
    const q = questionnaire('eight-week-check');
    const response = freshResponse('all-messages-given');
    await gateway.submit({ questionnaire: q, response });
    const [, found] = await server.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${response.identifier!.value}`)}`);
    const stored = (found as fhir4.Bundle).entry![0]!.resource as QuestionnaireResponse;
    const amended = { ...stored, status: 'amended' as const, authored: new Date().toISOString(), meta: { versionId: 'stale' } };
    const result = await gateway.submit({ questionnaire: q, response: amended });
    expect(result.state, result.detail).toBe('rejected');
    expect(result.message, result.detail).toMatch(/Someone else changed this record/);
    const [, after] = await server.request('GET', `/QuestionnaireResponse/${stored.id}`);
    expect((after as QuestionnaireResponse).status).toBe('completed');
  });
});

describe('amending a completed record', () => {
  test('a changed answer updates its coded entry in place: no stale value, no second entry', async () => {
    const q = questionnaire('bed-sharing-assessment');
    const response = freshResponse('smoking-yes');
    expect((await gateway.submit({ questionnaire: q, response })).state).toBe('saved');
    const uuid = response.identifier!.value!.slice('urn:uuid:'.length);
    const smokingQuery = `/Observation?identifier=${encodeURIComponent(`https://kbs-record-templates.example.org/fhir/Id/extracted-resource|${uuid}/checklist/smoking#0`)}`;
    const [, before] = await server.request('GET', smokingQuery);
    expect(((before as fhir4.Bundle).entry![0]!.resource as fhir4.Observation).valueBoolean).toBe(true);
    const observationsBefore = (await everything(server)).filter((r) => r.resourceType === 'Observation' && JSON.stringify(r).includes(uuid)).length;

    const [, found] = await server.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${response.identifier!.value}`)}`);
    const stored = (found as fhir4.Bundle).entry![0]!.resource as QuestionnaireResponse;
    const changed = JSON.parse(JSON.stringify(stored).replace('"linkId":"smoking","text":"Do you or anyone who will share the bed with your baby smoke?","answer":[{"valueBoolean":true}]', '"linkId":"smoking","text":"Do you or anyone who will share the bed with your baby smoke?","answer":[{"valueBoolean":false}]')) as QuestionnaireResponse;
    expect(changed).not.toEqual(stored);
    const amended = { ...changed, status: 'amended' as const, authored: new Date().toISOString() };
    expect((await gateway.submit({ questionnaire: q, response: amended })).state).toBe('saved');

    const [, after] = await server.request('GET', smokingQuery);
    const smoking = (after as fhir4.Bundle).entry!;
    expect(smoking).toHaveLength(1);
    expect((smoking[0]!.resource as fhir4.Observation)).toMatchObject({ valueBoolean: false, status: 'amended' });
    const observationsAfter = (await everything(server)).filter((r) => r.resourceType === 'Observation' && JSON.stringify(r).includes(uuid)).length;
    expect(observationsAfter).toBe(observationsBefore);
  });
});
