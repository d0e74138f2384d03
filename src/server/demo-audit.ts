/**
 * Demo data for the safeguarding lead's audit: a year of made-up records from two teams, written by
 * the engine the templates use (createFormState → setAnswer → buildQuestionnaireResponse), so they
 * are the records the templates file. Deterministic (a seeded generator), created once per data
 * folder (conditional creates by identifier), and every one tagged as demo data.
 *
 * Only `kbs serve` seeds these: tests start from the plain demo.
 */
import {
  buildQuestionnaireResponse, createFormState, setAnswer, KBS_BASE, KBS_CONCEPTS, ROUTINE_ENQUIRY_FOLLOW_UP, type Answer, type FormState, type Questionnaire,
} from '../engine/index.js';
import type { RunningFhirServer } from './fhir-server.js';
import { readContent } from './content.js';

/** On every demo audit record: made-up data, never to be mistaken for a family's record. */
export const DEMO_DATA_TAG: fhir4.Coding = { system: `${KBS_BASE}/CodeSystem/kbs-data-origin`, code: 'demo-data', display: 'Demo data (made up)' };
/** Two made-up localities, each with its GP practice, midwives and health visitors (PractitionerRoles). */
const ORGANISATIONS = [
  { id: 'demo-org-north', name: 'North locality (demo)' },
  { id: 'demo-org-south', name: 'South locality (demo)' },
] as const;
const ROLES = ['gp', 'midwife', 'health-visitor'] as const;
const roleId = (org: number, role: (typeof ROLES)[number]) => `demo-role-${ORGANISATIONS[org]!.id.slice('demo-org-'.length)}-${role}`;

function teams(): fhir4.Resource[] {
  return ORGANISATIONS.flatMap((org, i) => [
    { resourceType: 'Organization', id: org.id, name: org.name, meta: { tag: [DEMO_DATA_TAG] } } as fhir4.Organization,
    ...ROLES.map((role) => ({
      resourceType: 'PractitionerRole', id: roleId(i, role), meta: { tag: [DEMO_DATA_TAG] },
      practitioner: { reference: `Practitioner/demo-${role}` }, organization: { reference: `Organization/${org.id}`, display: org.name },
    }) as fhir4.PractitionerRole),
  ]);
}

/** Mulberry32: small, seeded, the same sequence on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const coding = (code: string): Answer => ({ valueCoding: { system: KBS_CONCEPTS, code } });

/** The records of a year up to `today`: QuestionnaireResponses and the enquiry's follow-up Tasks. */
export function demoAuditRecords(today = new Date(), seed = 20261124): fhir4.Resource[] {
  const random = generator(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const content = readContent().map((c) => c.resource);
  const questionnaire = (id: string) => content.find((r) => r.resourceType === 'Questionnaire' && r.id === id) as Questionnaire;
  const eightWeek = questionnaire('kbs-eight-week-check');
  const bedSharing = questionnaire('kbs-bed-sharing-assessment');
  const enquiry = questionnaire('kbs-domestic-abuse-enquiry');
  const out: fhir4.Resource[] = teams();
  let n = 0;
  // About three in five records come from the northern locality.
  const author = (role: (typeof ROLES)[number]) => `PractitionerRole/${roleId(chance(0.6) ? 0 : 1, role)}`;

  const file = (q: Questionnaire, day: Date, answers: [string, Answer][], author: string) => {
    let state: FormState = createFormState(q);
    for (const [path, answer] of answers) state = setAnswer(state, path, answer).state;
    const id = `demo-audit-${String(++n).padStart(5, '0')}`;
    const response = buildQuestionnaireResponse(state, {
      status: 'completed', identifier: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, now: () => day,
      subject: { reference: `Patient/demo-audit-subject-${n}`, display: 'Demo record' }, author: { reference: author },
      meta: { tag: [DEMO_DATA_TAG] },
    });
    out.push({ ...response, id });
    return response;
  };

  for (let back = 364; back >= 0; back--) {
    const day = new Date(today.getTime() - back * 864e5);
    day.setUTCHours(10, 0, 0, 0);
    // 8-week checks: about 10 a month, messages given more often as the year goes on.
    if (chance(0.33)) {
      const p = 0.75 + 0.2 * ((364 - back) / 364);
      file(eightWeek, day, [
        ['kbs/advice-child-safety', { valueBoolean: chance(p + 0.05) }],
        ['kbs/safer-sleep/info-infant-safe-sleeping', { valueBoolean: chance(p) }],
        ['kbs/crying/advice-shaking-babies', { valueBoolean: chance(p - 0.05) }],
        ['kbs/video-seen', coding(pick(['who-saw-video-both', 'who-saw-video-both', 'who-saw-video-mother', 'who-saw-video-partner', 'who-saw-video-neither']))],
        ['kbs/kbs-leaflet-given', { valueBoolean: chance(0.85) }],
      ], author('gp'));
    }
    // Bed-sharing assessments: about 8 a month, at discharge, the new birth visit or later.
    if (chance(0.27)) {
      const risks = ['smoking', 'alcohol', 'drugs', 'tiredness', 'early-or-small', 'not-routine'].map((r) => [`checklist/${r}`, { valueBoolean: chance(r === 'tiredness' ? 0.3 : 0.08) }] as [string, Answer]);
      const night = pick(['sleep-place-cot', 'sleep-place-moses-basket', 'sleep-place-bedside-crib', 'sleep-place-parents-bed', 'sleep-place-cot', 'sleep-place-sofa-or-chair']);
      const contact = pick(['contact-midwife-discharge', 'contact-health-visitor-new-birth', 'contact-health-visitor-new-birth', 'contact-later']);
      file(bedSharing, day, [
        ['contact', coding(contact)], ...risks,
        ['sleep-place/sleep-place-night', coding(night)], ['sleep-place/sleep-place-day', coding(pick(['sleep-place-moses-basket', 'sleep-place-pram', 'sleep-place-cot']))],
        ['sleep-place/sleep-place-seen', { valueBoolean: chance(0.7) }],
      ], author(contact === 'contact-midwife-discharge' ? 'midwife' : 'health-visitor'));
    }
    // Routine enquiries: about 6 a month; some could not be asked, and open a follow-up.
    if (chance(0.2)) {
      const completed = chance(0.78);
      const stage = coding(pick(['stage-antenatal', 'stage-postnatal']));
      const response = file(enquiry, day, completed
        ? [['stage', stage], ['completed', { valueBoolean: true }], ['enquiry/disclosure', coding('disclosure-none')]]
        : [['stage', stage], ['completed', { valueBoolean: false }], ['not-completed/reason', coding(pick(['not-asked-partner-present', 'not-asked-family-member-present', 'not-asked-no-interpreter', 'not-asked-no-private-space']))]],
      author('health-visitor'));
      if (!completed) {
        const due = new Date(day.getTime() + 14 * 864e5);
        const closedAfter = Math.round(3 + random() * 20);
        const closed = new Date(day.getTime() + closedAfter * 864e5);
        const done = closed <= today && chance(0.85);
        out.push({
          resourceType: 'Task', id: `demo-audit-task-${n}`, meta: { tag: [DEMO_DATA_TAG] },
          identifier: [{ system: `${KBS_BASE}/Id/demo-audit-task`, value: String(n) }],
          status: done ? 'completed' : 'requested', intent: 'order',
          code: { coding: [{ system: KBS_CONCEPTS, code: ROUTINE_ENQUIRY_FOLLOW_UP }], text: 'Routine enquiry to be completed' },
          focus: { reference: `QuestionnaireResponse/demo-audit-${String(n).padStart(5, '0')}` }, for: response.subject!, requester: response.author!,
          authoredOn: day.toISOString(), lastModified: (done ? closed : day).toISOString(),
          restriction: { period: { end: due.toISOString().slice(0, 10) } },
        } as fhir4.Task);
      }
    }
  }
  return out;
}

/** Stores the demo audit records once (PUT by fixed id: a second start changes nothing). */
export async function seedAuditDemo(server: Pick<RunningFhirServer, 'request'>, today = new Date()): Promise<number> {
  const [, existing] = await server.request('GET', '/QuestionnaireResponse?_id=demo-audit-00001');
  if ((existing as fhir4.Bundle | undefined)?.entry?.length) return 0;
  const records = demoAuditRecords(today);
  const bundle: fhir4.Bundle = {
    resourceType: 'Bundle', type: 'batch',
    entry: records.map((resource) => ({ resource: resource as fhir4.FhirResource, request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` } })),
  };
  const [outcome] = await server.request('POST', '/', bundle);
  if (outcome.issue?.some((i) => i.severity === 'error')) throw new Error(`seeding the demo audit failed: ${JSON.stringify(outcome)}`);
  return records.length;
}
