/**
 * The demo record system page: a patient banner (baby and mother), a role switch showing the
 * templates that role uses, and a panel that reads back from the server what was filed.
 * Runs against the embedded server by default, or `?fhir=<base url>` (and `#token=` for a bearer token).
 */
import '../components/index.js';
import { createClient, createRecordReader } from '../fhir/client.js';
import { createFhirGateway } from '../fhir/gateway.js';
import { CONCEPT_MAPS } from '../components/generated/concept-maps.js';
import { formatNhsNumber, NHS_NUMBER_SYSTEM, type Reference } from '../engine/index.js';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('fhir') ?? `${location.origin}/fhir`;
const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
// One configured client: the templates write through the gateway, the record panel reads through it too.
const client = createClient({ baseUrl, token });
const gateway = createFhirGateway({ client, conceptMaps: CONCEPT_MAPS });
const records = createRecordReader(client);

const ROLES = {
  gp: { author: 'Practitioner/demo-gp', templates: ['kbs-eight-week-check', 'kbs-domestic-abuse-enquiry'] },
  midwife: { author: 'Practitioner/demo-midwife', templates: ['kbs-bed-sharing-assessment', 'kbs-domestic-abuse-enquiry'] },
  'health-visitor': { author: 'Practitioner/demo-health-visitor', templates: ['kbs-bed-sharing-assessment', 'kbs-domestic-abuse-enquiry'] },
  'safeguarding-lead': { author: 'Practitioner/demo-safeguarding-lead', templates: [] },
} as const;
type Role = keyof typeof ROLES;
const TITLES: Record<string, string> = {
  'kbs-eight-week-check': 'Keeping Babies Safe — 8 week check',
  'kbs-bed-sharing-assessment': 'Safer sleep assessment',
  'kbs-domestic-abuse-enquiry': 'Routine enquiry (mother only)',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = (tag: string, text?: string, className?: string) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};

const nameOf = (p: fhir4.Patient) => `${p.name?.[0]?.given?.join(' ') ?? ''} ${p.name?.[0]?.family ?? ''}`.trim();
const nhsOf = (p: fhir4.Patient) => formatNhsNumber(p.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value ?? '');

let baby: fhir4.Patient | undefined;
let mother: fhir4.Patient | undefined;

async function loadPatients(): Promise<void> {
  const banner = $('banner');
  try {
    baby = await gateway.resolvePatient({ id: params.get('patient') ?? 'demo-baby' });
    mother = await gateway.resolveMother(baby);
    const b = el('div');
    b.append(el('span', `Baby: ${nameOf(baby)}`, 'who'), el('br'), el('span', `NHS number ${nhsOf(baby)} · born ${baby.birthDate}`, 'meta'));
    const m = el('div');
    m.append(el('span', `Mother: ${nameOf(mother)}`, 'who'), el('br'), el('span', `NHS number ${nhsOf(mother)}`, 'meta'));
    banner.replaceChildren(b, m);
  } catch (e) {
    banner.replaceChildren(el('strong', `Could not load the patient: ${(e as Error).message}`, 'restricted'));
  }
}

function showTemplates(role: Role): void {
  const container = $('templates');
  container.replaceChildren();
  if (role === 'safeguarding-lead') {
    // The audit is a script of its own: loaded only for this role.
    const section = el('section');
    section.append(el('h2', "Safeguarding lead's audit (last 12 months)"));
    const audit = document.createElement('kbs-audit') as HTMLElement & { token?: string };
    audit.setAttribute('demo-data', '');
    if (token) audit.token = token;
    audit.setAttribute('fhir-base-url', baseUrl);
    section.append(audit);
    container.append(section);
    void import('../components/audit/kbs-audit.js');
    return;
  }
  if (role === 'health-visitor' || role === 'midwife') {
    // The caseload: restricted, shown only because the page says who is looking.
    // Folded by default: a worklist of restricted follow-ups is opened when no one else can see the screen.
    const section = el('details');
    section.id = 'caseload';
    section.append(el('summary', 'Routine enquiry follow-ups (caseload, restricted)'));
    const caseload = document.createElement('kbs-follow-ups') as HTMLElement & { viewer?: Reference; gateway?: unknown };
    caseload.gateway = gateway;
    caseload.viewer = { reference: ROLES[role].author };
    caseload.addEventListener('kbs-open-enquiry', (e) => {
      const enquiry = container.querySelector('kbs-domestic-abuse-enquiry') as (HTMLElement & { mother?: Reference }) | null;
      if (!enquiry) return;
      enquiry.mother = (e as CustomEvent<{ mother: Reference }>).detail.mother;
      enquiry.scrollIntoView({ block: 'start' });
      enquiry.focus();
    });
    section.append(caseload);
    container.append(section);
  }
  for (const tag of ROLES[role].templates) {
    const section = el('section');
    section.append(el('h2', TITLES[tag]));
    const element = document.createElement(tag) as HTMLElement & { patient?: Reference; author?: Reference; mother?: Reference; gateway?: unknown; encounter?: Reference };
    element.gateway = gateway;
    element.author = { reference: ROLES[role].author };
    if (tag === 'kbs-domestic-abuse-enquiry') {
      if (mother) element.mother = { reference: `Patient/${mother.id}` };
    } else if (baby) {
      element.patient = { reference: `Patient/${baby.id}` };
    }
    section.append(element);
    container.append(section);
  }
}

function describe(resource: fhir4.Resource): string {
  if (resource.resourceType === 'Observation') {
    const o = resource as fhir4.Observation;
    const value = o.valueBoolean !== undefined ? (o.valueBoolean ? 'yes' : 'no') : o.valueCodeableConcept?.text ?? o.valueString ?? o.valueDateTime ?? '';
    const snomed = o.code.coding?.find((c) => c.system === 'http://snomed.info/sct') ?? o.valueCodeableConcept?.coding?.find((c) => c.system === 'http://snomed.info/sct');
    return `${o.code.text}: ${value}${snomed ? ` [SNOMED CT ${snomed.code}]` : ''}`;
  }
  if (resource.resourceType === 'Task') {
    const t = resource as fhir4.Task;
    return `${t.status.toUpperCase()} follow-up by ${t.restriction?.period?.end ?? '—'}: ${t.description ?? ''}`;
  }
  const qr = resource as fhir4.QuestionnaireResponse;
  return `${qr.questionnaire?.split('/').pop()} — ${qr.status}, ${new Date(qr.authored ?? '').toLocaleString('en-GB', { timeZone: 'Europe/London' })}`;
}

function list(title: string, resources: fhir4.Resource[], restricted = false): HTMLElement {
  const section = el('div', undefined, restricted ? 'restricted' : undefined);
  section.append(el('h3', `${title} (${resources.length})`));
  if (!resources.length) section.append(el('p', 'None.', 'empty'));
  const ul = el('ul');
  for (const r of resources) ul.append(el('li', describe(r)));
  section.append(ul);
  const details = el('details');
  details.append(el('summary', 'Raw FHIR'), el('pre', JSON.stringify(resources, null, 2)));
  if (resources.length) section.append(details);
  return section;
}

async function refreshRecord(): Promise<void> {
  const panel = $('record');
  if (!baby || !mother) return;
  try {
    const [babyResponses, babyObservations, motherResponses, motherTasks] = await Promise.all([
      records.search('QuestionnaireResponse', { subject: `Patient/${baby.id}`, _sort: '-authored' }),
      records.search('Observation', { subject: `Patient/${baby.id}`, category: 'survey' }),
      records.search('QuestionnaireResponse', { subject: `Patient/${mother.id}`, _sort: '-authored' }),
      records.search('Task', { patient: `Patient/${mother.id}`, status: 'requested' }),
    ]);
    panel.replaceChildren(
      el('h3', `Baby's record — ${nameOf(baby)}`),
      list('Completed templates', babyResponses),
      list('Coded entries', babyObservations),
      el('h3', `Mother's record — ${nameOf(mother)} (restricted)`),
      list('Routine enquiries', motherResponses, true),
      list('Outstanding follow-ups', motherTasks, true),
    );
  } catch (e) {
    panel.replaceChildren(el('p', `Could not read the record: ${(e as Error).message}`));
  }
}

const roleSelect = $<HTMLSelectElement>('role');
roleSelect.value = (params.get('role') as Role) ?? 'gp';
roleSelect.addEventListener('change', () => showTemplates(roleSelect.value as Role));
$('refresh').addEventListener('click', () => void refreshRecord());
document.addEventListener('kbs-saved', () => {
  void refreshRecord();
  for (const caseload of Array.from(document.querySelectorAll('kbs-follow-ups'))) void (caseload as HTMLElement & { refresh: () => Promise<void> }).refresh();
});

await loadPatients();
showTemplates(roleSelect.value as Role);
await refreshRecord();
await gateway.flushOutbox();
