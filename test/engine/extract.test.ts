import { describe, expect, test } from 'vitest';
import {
  buildTransactionBundle, createCodeMapper, extractResources, KBS_EXTRACTED_ID, type Answer, type QuestionnaireResponse,
} from '../../src/engine/index.js';
import { GOLDEN_META, SCENARIOS } from '../fixtures/scenarios.js';
import { questionnaire, readJsonFiles } from '../support/content.js';
import { medplumErrors, schemaErrors } from '../support/fhir-validation.js';
import { completeScenario } from '../support/scenarios.js';

const conceptMaps = readJsonFiles<fhir4.ConceptMap>('valuesets').map(([, j]) => j).filter((j) => j.resourceType === 'ConceptMap');
const mapCode = createCodeMapper(conceptMaps);
const product = { name: 'kbs-record-templates', version: '0.1.0' };
let n = 0;
const newUuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function run(name: string) {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  const { response } = completeScenario(scenario);
  const q = questionnaire(scenario.template);
  return { response, q, ...buildTransactionBundle({ questionnaire: q, response, mapCode, product, newUuid }) };
}

const codesOf = (r: { code?: fhir4.CodeableConcept }) => r.code?.coding?.map((c) => c.code);

describe('observation-based extraction', () => {
  test('8-week check, all messages given: one entry per tick plus the video question', () => {
    const { extracted } = run('all-messages-given');
    expect(extracted.observations.map(codesOf)).toEqual([
      ['advice-child-safety'], ['info-infant-safe-sleeping'], ['advice-shaking-babies'], ['never-ever-shake-video-seen'], ['kbs-leaflet-given'],
    ]);
    expect(extracted.observations.every((o) => o.subject?.reference === 'Patient/demo-baby')).toBe(true);
    expect(extracted.tasks).toEqual([]);
    expect(extracted.restricted).toBe(false);
  });

  test('8-week check: a message not ticked is never filed as given', () => {
    const { extracted } = run('crying-advice-not-given');
    expect(extracted.observations.map(codesOf)).not.toContainEqual(['advice-shaking-babies']);
    expect(extracted.observations).toHaveLength(3);
  });

  // Guards the mutation "delete the extract-only-when-true check" in extract.ts: a tick box answered
  // `false` (unticked after a tick, or a record that stores the untick) must not become an Observation,
  // neither as `true` nor as a coded `false` "advice given" entry.
  test.each([
    ['kbs/crying/advice-shaking-babies', 'advice-shaking-babies'],
    ['kbs/advice-child-safety', 'advice-child-safety'],
    ['kbs/kbs-leaflet-given', 'kbs-leaflet-given'],
  ])('8-week check: %s recorded as false is never filed', (path, code) => {
    const scenario = SCENARIOS.find((s) => s.name === 'all-messages-given')!;
    const withFalse = { ...scenario, answers: scenario.answers.map(([p, a]): [string, Answer[]] => [p, p === path ? [{ valueBoolean: false }] : a]) };
    const { response } = completeScenario(withFalse);
    const answered = JSON.stringify(response.item);
    expect(answered, 'the response does record the false answer').toContain('"valueBoolean":false');
    const q = questionnaire(scenario.template);
    const { extracted } = buildTransactionBundle({ questionnaire: q, response, mapCode, product, newUuid });
    expect(extracted.observations.map(codesOf)).not.toContainEqual([code]);
    expect(extracted.observations).toHaveLength(4);
    expect(extracted.observations.every((o) => o.valueBoolean !== false)).toBe(true);
  });

  test('bed-sharing, smoking yes: every checklist answer is filed, with the outcome', () => {
    const { extracted } = run('smoking-yes');
    const byCode = new Map(extracted.observations.map((o) => [o.code.coding![0]!.code, o]));
    expect(byCode.get('bed-sharing-risk-smoking')?.valueBoolean).toBe(true);
    expect(byCode.get('bed-sharing-risk-alcohol')?.valueBoolean).toBe(false);
    expect(byCode.get('advised-not-to-bed-share')?.valueBoolean).toBe(true);
    expect(byCode.has('no-bed-sharing-checklist-risk')).toBe(false);
    expect(byCode.get('baby-sleep-place-day')?.valueString).toBe('Sling');
    expect(byCode.get('baby-sleep-place-night')?.valueCodeableConcept?.coding?.[0]?.code).toBe('sleep-place-parents-bed');
  });

  test('domestic abuse, current abuse disclosed: SNOMED CT coding added from the ConceptMap; all restricted; mother only', () => {
    const { extracted, bundle } = run('current-abuse-disclosed');
    const outcome = extracted.observations.find((o) => codesOf(o)?.[0] === 'routine-enquiry-outcome')!;
    expect(outcome.valueCodeableConcept?.coding).toEqual([
      { system: 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts', code: 'disclosure-current', display: 'Current abuse disclosed' },
      { system: 'http://snomed.info/sct', code: '879911000000102', display: 'Victim of domestic abuse' },
    ]);
    for (const entry of bundle.entry!) {
      const resource = entry.resource as fhir4.Resource & { subject?: fhir4.Reference; for?: fhir4.Reference };
      expect(resource.meta?.security?.map((s) => s.code)).toEqual(['R', 'SDV']);
      expect(JSON.stringify(resource)).not.toContain('demo-baby');
    }
  });

  test('domestic abuse, not asked because the partner was present: exactly one follow-up Task', () => {
    const { extracted } = run('not-asked-partner-present');
    expect(extracted.tasks).toHaveLength(1);
    const task = extracted.tasks[0]!;
    expect(task).toMatchObject({
      status: 'requested',
      intent: 'order',
      for: GOLDEN_META.mother,
      requester: GOLDEN_META.author,
      restriction: { period: { end: '2026-12-04' } },
      performerType: [{ text: 'Health visitor' }],
    });
    expect(task.description).toBe('Complete the routine enquiry with the mother alone. Not completed because: Partner present. Follow-up by: Health visitor.');
    // The author is not the one to follow up: no owner is invented (the role is in performerType).
    expect(task.owner).toBeUndefined();
    expect(task.meta?.security?.map((s) => s.code)).toEqual(['R', 'SDV']);
  });

  test('no Task when the enquiry was completed', () => {
    expect(run('completed-no-disclosure').extracted.tasks).toEqual([]);
  });
});

describe('transaction bundle', () => {
  test.each(SCENARIOS.map((s) => s.name))('%s: every resource validates; creates are conditional; references resolve inside the bundle', (name) => {
    const { bundle } = run(name);
    expect(schemaErrors(bundle)).toEqual([]);
    const fullUrls = new Set(bundle.entry!.map((e) => e.fullUrl));
    for (const entry of bundle.entry!) {
      const resource = entry.resource!;
      expect(schemaErrors(resource)).toEqual([]);
      expect(medplumErrors(resource)).toEqual([]);
      expect(entry.request?.method).toBe('POST');
      expect(entry.request?.ifNoneExist).toBeTruthy();
      JSON.stringify(resource, (k, v) => {
        if (k === 'reference' && typeof v === 'string' && v.startsWith('urn:uuid:')) expect(fullUrls.has(v), v).toBe(true);
        return v;
      });
    }
    const provenance = bundle.entry!.at(-1)!.resource as fhir4.Provenance;
    expect(provenance.target.map((t) => t.reference)).toEqual(bundle.entry!.slice(0, -1).map((e) => e.fullUrl));
  });

  test('the same form instance gives the same identifiers on every attempt', () => {
    const a = run('smoking-yes').bundle;
    const b = run('smoking-yes').bundle;
    const ids = (bundle: fhir4.Bundle) => bundle.entry!.map((e) => e.request!.ifNoneExist);
    expect(ids(a)).toEqual(ids(b));
    expect(new Set(ids(a)).size).toBe(a.entry!.length);
    expect(ids(a)[1]).toContain(encodeURIComponent(KBS_EXTRACTED_ID));
  });

  test('an amendment is a versioned update of the stored response', () => {
    const { response, q } = run('all-messages-given');
    const amended: QuestionnaireResponse = { ...response, status: 'amended' };
    const { bundle } = buildTransactionBundle({ questionnaire: q, response: amended, mapCode, product, newUuid, existing: { id: 'qr-1', versionId: '3' } });
    expect(bundle.entry![0]!.request).toEqual({ method: 'PUT', url: 'QuestionnaireResponse/qr-1', ifMatch: 'W/"3"' });
    expect((bundle.entry![1]!.resource as fhir4.Observation).status).toBe('amended');
  });

  test('extraction refuses a response without a urn:uuid identifier', () => {
    const { response, q } = run('all-messages-given');
    expect(() => extractResources({ questionnaire: q, response: { ...response, identifier: undefined }, responseReference: 'urn:uuid:x' })).toThrow(/urn:uuid identifier/);
  });
});
