/**
 * Demo data for the embedded server: a baby (NHS number, gestation at birth, birth weight), the
 * mother linked through a RelatedPerson, a GP, a midwife, a health visitor, and the product content.
 * Fixed ids and PUTs: seeding twice changes nothing. NHS numbers are from the 999 test range.
 */
import type { RunningFhirServer } from './fhir-server.js';
import { contentTransaction, readContent } from './content.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const SCT = 'http://snomed.info/sct';

export const DEMO = {
  baby: { id: 'demo-baby', nhsNumber: '9990000018', name: 'Ada Example' },
  mother: { id: 'demo-mother', nhsNumber: '9990000026', name: 'Grace Example' },
  gp: { id: 'demo-gp', name: 'Dr Sam Patel' },
  midwife: { id: 'demo-midwife', name: 'Jo Williams' },
  healthVisitor: { id: 'demo-health-visitor', name: 'Priya Shah' },
} as const;

/** The demo baby is eight weeks old on the day the server starts, so she is always a baby. */
export function demoBirthDate(today = new Date()): string {
  return new Date(today.getTime() - 57 * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

export function demoResources(today = new Date()): fhir4.FhirResource[] {
  const born = demoBirthDate(today);
  const practitioner = (id: string, given: string, family: string, prefix?: string): fhir4.Practitioner => ({
    resourceType: 'Practitioner', id, active: true, name: [{ given: [given], family, ...(prefix ? { prefix: [prefix] } : {}) }],
  });
  return [
    {
      resourceType: 'Patient', id: DEMO.baby.id,
      identifier: [{ system: NHS, value: DEMO.baby.nhsNumber }],
      name: [{ given: ['Ada'], family: 'Example' }], gender: 'female', birthDate: born,
    } as fhir4.Patient,
    {
      resourceType: 'Patient', id: DEMO.mother.id,
      identifier: [{ system: NHS, value: DEMO.mother.nhsNumber }],
      name: [{ given: ['Grace'], family: 'Example' }], gender: 'female', birthDate: '1996-04-12',
    } as fhir4.Patient,
    {
      resourceType: 'RelatedPerson', id: 'demo-baby-mother',
      patient: { reference: `Patient/${DEMO.baby.id}` },
      identifier: [{ system: NHS, value: DEMO.mother.nhsNumber }],
      relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH', display: 'mother' }] }],
      name: [{ given: ['Grace'], family: 'Example' }],
    } as fhir4.RelatedPerson,
    practitioner(DEMO.gp.id, 'Sam', 'Patel', 'Dr'),
    practitioner(DEMO.midwife.id, 'Jo', 'Williams'),
    practitioner(DEMO.healthVisitor.id, 'Priya', 'Shah'),
    {
      resourceType: 'Observation', id: 'demo-baby-gestation', status: 'final',
      code: { coding: [{ system: SCT, code: '412726003', display: 'Length of gestation at birth' }] },
      subject: { reference: `Patient/${DEMO.baby.id}` }, effectiveDateTime: born,
      valueQuantity: { value: 39, unit: 'week', system: 'http://unitsofmeasure.org', code: 'wk' },
    } as fhir4.Observation,
    {
      resourceType: 'Observation', id: 'demo-baby-birth-weight', status: 'final',
      code: { coding: [{ system: SCT, code: '364589006', display: 'Birth weight' }] },
      subject: { reference: `Patient/${DEMO.baby.id}` }, effectiveDateTime: born,
      valueQuantity: { value: 3350, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' },
    } as fhir4.Observation,
  ];
}

const KBS = 'https://kbs-record-templates.example.org/fhir';

/**
 * Demo data only: a routine enquiry follow-up for the demo mother that is a week overdue, so the
 * health visitor's caseload has something to show. Created once (conditionally): completing it in
 * the demo is not undone by the next start.
 */
export function demoFollowUp(today = new Date()): fhir4.Task {
  const day = (offset: number) => new Date(today.getTime() + offset * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return {
    resourceType: 'Task',
    meta: {
      security: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'restricted' },
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'SDV', display: 'sensitive demographic information' },
      ],
      tag: [{ system: `${KBS}/tag`, code: 'demo-data', display: 'Demo data, not a real record' }],
    },
    identifier: [{ system: `${KBS}/Id/extracted-resource`, value: 'demo/overdue-routine-enquiry-follow-up' }],
    status: 'requested', intent: 'order', priority: 'routine',
    code: { coding: [{ system: `${KBS}/CodeSystem/kbs-concepts`, code: 'routine-enquiry-follow-up', display: 'Routine enquiry to be completed' }], text: 'Routine enquiry to be completed' },
    description: 'Complete the routine enquiry with the mother alone. Not completed because: Interpreter unavailable. Follow-up by: Health visitor.',
    for: { reference: `Patient/${DEMO.mother.id}` },
    authoredOn: `${day(-21)}T10:00:00Z`, lastModified: `${day(-21)}T10:00:00Z`,
    requester: { reference: `Practitioner/${DEMO.midwife.id}` }, owner: { reference: `Practitioner/${DEMO.healthVisitor.id}` },
    performerType: [{ coding: [{ system: `${KBS}/CodeSystem/kbs-concepts`, code: 'follow-up-health-visitor', display: 'Health visitor' }], text: 'Health visitor' }],
    restriction: { period: { end: day(-7) } },
  } as fhir4.Task;
}

export async function seedDemo(server: Pick<RunningFhirServer, 'request'>): Promise<void> {
  const followUp = demoFollowUp();
  const demo: fhir4.Bundle = {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      ...demoResources().map((resource) => ({ resource, request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` } })),
      { resource: followUp, request: { method: 'POST' as const, url: 'Task', ifNoneExist: `identifier=${encodeURIComponent(`${followUp.identifier![0]!.system}|${followUp.identifier![0]!.value}`)}` } },
    ],
  };
  for (const bundle of [demo, contentTransaction(readContent().map((c) => c.resource))]) {
    const [outcome, result] = await server.request('POST', '/', bundle);
    const failed = (result as fhir4.Bundle | undefined)?.entry?.filter((e) => !/^2\d\d/.test(e.response?.status ?? ''));
    if (outcome.issue?.some((i) => i.severity === 'error') || failed?.length) {
      throw new Error(`seeding the demo failed: ${JSON.stringify(failed?.[0]?.response ?? outcome)}`);
    }
  }
}
