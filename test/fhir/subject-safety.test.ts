/**
 * Whose record: the subject rules of the templates (src/components/shared/subject.ts) and the
 * gateway's NHS number checks, over real HTTP against the embedded server with families built for
 * each case. Each row names the defect it guards.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findBaby, findMother, SubjectProblem } from '../../src/components/shared/subject.js';
import { createFhirGateway, type KbsGateway } from '../../src/fhir/index.js';
import type { RunningFhirServer } from '../../src/server/fhir-server.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { completeScenario } from '../support/scenarios.js';
import { everything, startDemoServer } from '../support/server.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const MTH = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH' }] }];
const ON = new Date('2026-11-23T10:00:00Z');
const fast = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

let server: RunningFhirServer;
let gateway: KbsGateway;

const patient = (id: string, nhs: string | undefined, birthDate: string | undefined): fhir4.Patient => ({
  resourceType: 'Patient', id, ...(nhs ? { identifier: [{ system: NHS, value: nhs }] } : {}), ...(birthDate ? { birthDate } : {}),
});
const motherOf = (id: string, baby: string, nhs: string): fhir4.RelatedPerson => ({
  resourceType: 'RelatedPerson', id, patient: { reference: `Patient/${baby}` }, identifier: [{ system: NHS, value: nhs }], relationship: MTH,
});

beforeAll(async () => {
  server = await startDemoServer();
  gateway = createFhirGateway({ baseUrl: server.baseUrl, retry: fast });
  // Valid test-range NHS numbers (Modulus 11): 9990000034, 9990000042, 9990000050, 9990000069, 9990000077.
  const family: fhir4.Resource[] = [
    // The mother (demo-mother) has her own mother recorded: the grandmother.
    patient('grandmother', '9990000034', '1970-02-01'),
    motherOf('mother-of-mother', 'demo-mother', '9990000034'),
    // A second family: baby B and her mother.
    patient('baby-b', '9990000042', '2026-10-01'),
    patient('mother-b', '9990000050', '1990-06-06'),
    motherOf('mother-of-baby-b', 'baby-b', '9990000050'),
    // A baby whose recorded mother's NHS number fails Modulus 11.
    patient('baby-bad-link', '9990000069', '2026-10-02'),
    motherOf('bad-link', 'baby-bad-link', '9990000019'),
    // A baby with two mothers recorded, a child, a record with no date of birth.
    patient('baby-two-mothers', '9990000077', '2026-10-03'),
    motherOf('two-1', 'baby-two-mothers', '9990000050'),
    motherOf('two-2', 'baby-two-mothers', '9990000026'),
    patient('child', undefined, '2019-05-05'),
    patient('no-birth-date', undefined, undefined),
  ];
  for (const resource of family) {
    const [outcome] = await server.request('PUT', `/${resource.resourceType}/${resource.id}`, resource);
    expect(outcome.issue?.filter((i) => i.severity === 'error') ?? []).toEqual([]);
  }
});
afterAll(() => server.close());

const problem = (promise: Promise<unknown>) => promise.then(() => 'no problem', (e: unknown) => (e instanceof SubjectProblem ? e.message : `unexpected: ${String(e)}`));

describe('the routine enquiry files to the right woman', () => {
  test.each([
    ['from the baby\'s record: her recorded mother', { patient: { reference: 'Patient/demo-baby' } }, 'Patient/demo-mother'],
    ['launched from the mother\'s own record: her, never her own mother (defect 2)', { patient: { reference: 'Patient/demo-mother' } }, 'Patient/demo-mother'],
    ['the mother given by the host', { mother: { reference: 'Patient/mother-b' } }, 'Patient/mother-b'],
    ['the mother given by NHS number', { mother: { identifier: { system: NHS, value: '999 000 0050' } } }, 'Patient/mother-b'],
    ['baby B: baby B\'s mother', { patient: { reference: 'Patient/baby-b' } }, 'Patient/mother-b'],
    ['an absolute reference on the same server', { patient: { reference: 'https://record.example/fhir/Patient/baby-b' } }, 'Patient/mother-b'],
  ] as const)('%s', async (_name, given, expected) => {
    expect((await findMother(gateway, given, ON)).reference).toBe(expected);
  });

  test.each([
    ['no patient at all', {}, /mother's record is not known/],
    ['a child\'s record', { patient: { reference: 'Patient/child' } }, /child's/],
    ['a record with no date of birth', { patient: { reference: 'Patient/no-birth-date' } }, /no usable date of birth/],
    ['a baby with two mothers recorded', { patient: { reference: 'Patient/baby-two-mothers' } }, /More than one/],
    ['the baby\'s recorded mother has an invalid NHS number (defect 3)', { patient: { reference: 'Patient/baby-bad-link' } }, /9990000019\) is not a valid NHS number/],
    ['a mother given by an NHS number failing Modulus 11 (defect 3)', { mother: { identifier: { system: NHS, value: '9990000019' } } }, /9990000019\) is not a valid NHS number/],
    ['a baby given as the mother', { mother: { reference: 'Patient/demo-baby' } }, /a baby's/],
    ['a mother who is not the baby\'s recorded mother', { mother: { reference: 'Patient/mother-b' }, patient: { reference: 'Patient/demo-baby' } }, /not the mother recorded on this baby's record/],
    ['two different adults', { mother: { reference: 'Patient/mother-b' }, patient: { reference: 'Patient/demo-mother' } }, /two different adults/],
    ['a reference that is not a patient', { patient: { reference: 'Practitioner/demo-gp' } }, /is not a patient record/],
    ['a patient that does not exist', { patient: { reference: 'Patient/nobody' } }, /could not be read/],
  ] as const)('stops before any write: %s', async (_name, given, message) => {
    expect(await problem(findMother(gateway, given, ON))).toMatch(message);
  });

  test('an NHS number that is not the one on the record stops', async () => {
    const given = { patient: { reference: 'Patient/demo-baby', identifier: { system: NHS, value: '9990000042' } } };
    expect(await problem(findMother(gateway, given, ON))).toMatch(/is not the one on the patient's record/);
  });
});

describe('the baby templates file only to a baby', () => {
  test.each([
    ['the baby', { reference: 'Patient/demo-baby' }, 'Patient/demo-baby'],
    ['the baby by NHS number', { identifier: { system: NHS, value: '9990000018' } }, 'Patient/demo-baby'],
  ] as const)('%s', async (_name, given, expected) => {
    expect((await findBaby(gateway, given, ON)).reference).toBe(expected);
  });

  test.each([
    ['the mother (an adult) as "the baby" (defect 2)', { reference: 'Patient/demo-mother' }, /an adult's/],
    ['a child', { reference: 'Patient/child' }, /a child's/],
    ['no date of birth', { reference: 'Patient/no-birth-date' }, /no usable date of birth/],
    ['an NHS number failing Modulus 11 (defect 3)', { identifier: { system: NHS, value: '9990000019' } }, /not a valid NHS number/],
    ['nothing', undefined, /No patient is selected/],
  ] as const)('refuses %s', async (_name, given, message) => {
    expect(await problem(findBaby(gateway, given, ON))).toMatch(message);
  });

  test('without a gateway an NHS number is still checked', async () => {
    expect(await problem(findBaby(undefined, { identifier: { system: NHS, value: '9990000019' } }, ON))).toMatch(/not a valid NHS number/);
  });
});

describe('the gateway never sends an NHS number that fails its check (defect 3)', () => {
  test('a response whose subject is given by an invalid NHS number is refused and nothing is written', async () => {
    const scenario = SCENARIOS.find((s) => s.template === 'eight-week-check')!;
    const { response } = completeScenario(scenario);
    const before = (await everything(server)).length;
    const statuses: string[] = [];
    const result = await gateway.submit({
      questionnaire: (await import('../support/content.js')).questionnaire('eight-week-check'),
      response: { ...response, subject: { identifier: { system: NHS, value: '9990000019' } } },
      onStatus: (s) => statuses.push(s.state),
    });
    expect(result.state).toBe('rejected');
    expect(result.message).toMatch(/9990000019 is not a valid NHS number/);
    expect(statuses).toEqual(['rejected']);
    expect((await everything(server)).length).toBe(before);
    expect(await gateway.pending()).toEqual([]);
  });

  test("the mother's NHS number from the baby's RelatedPerson is checked before the search", async () => {
    const error = await gateway.resolveMother({ resourceType: 'Patient', id: 'baby-bad-link' }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/not a valid NHS number/);
  });
});
