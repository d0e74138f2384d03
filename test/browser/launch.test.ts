/**
 * SMART EHR launch from different records: the routine enquiry files to the mother whichever record
 * it was launched from, and an ambiguous family stops before any write with a sentence that says
 * why. The authorization server is a stand-in (Playwright routes on the same origin), as in
 * smart.test.ts; the FHIR server is the real embedded one.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { useBrowserAndServer } from './support.js';
import { demoBirthDate } from '../../src/server/seed.js';

const env = useBrowserAndServer();
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const KBS = 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts';
const MTH = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH' }] }];

beforeAll(async () => {
  const family: fhir4.Resource[] = [
    // The mother's own mother is on her record: launched from the mother, she must never be the subject.
    { resourceType: 'Patient', id: 'grandmother', identifier: [{ system: NHS, value: '9990000034' }], birthDate: '1970-02-01' } as fhir4.Patient,
    { resourceType: 'RelatedPerson', id: 'mother-of-mother', patient: { reference: 'Patient/demo-mother' }, identifier: [{ system: NHS, value: '9990000034' }], relationship: MTH } as fhir4.RelatedPerson,
    // A baby with two mothers recorded: ambiguous.
    { resourceType: 'Patient', id: 'baby-two-mothers', identifier: [{ system: NHS, value: '9990000077' }], birthDate: demoBirthDate() } as fhir4.Patient,
    { resourceType: 'Patient', id: 'mother-b', identifier: [{ system: NHS, value: '9990000050' }], birthDate: '1990-06-06' } as fhir4.Patient,
    { resourceType: 'RelatedPerson', id: 'two-1', patient: { reference: 'Patient/baby-two-mothers' }, identifier: [{ system: NHS, value: '9990000050' }], relationship: MTH } as fhir4.RelatedPerson,
    { resourceType: 'RelatedPerson', id: 'two-2', patient: { reference: 'Patient/baby-two-mothers' }, identifier: [{ system: NHS, value: '9990000026' }], relationship: MTH } as fhir4.RelatedPerson,
  ];
  for (const resource of family) await env.server.request('PUT', `/${resource.resourceType}/${resource.id}`, resource);
});

/** An EHR launch whose token response carries `patient`. */
async function launch(page: Page, patient: string): Promise<void> {
  const { url, baseUrl } = env.server;
  await page.route(`${baseUrl}/.well-known/smart-configuration`, (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ authorization_endpoint: `${url}/oauth/authorize`, token_endpoint: `${url}/oauth/token`, capabilities: ['launch-ehr', 'client-public'], code_challenge_methods_supported: ['S256'] }),
  }));
  await page.route(`${url}/oauth/authorize?**`, (route) => {
    const query = new URL(route.request().url()).searchParams;
    const back = new URL(query.get('redirect_uri')!);
    back.searchParams.set('code', 'code-1');
    back.searchParams.set('state', query.get('state')!);
    return route.fulfill({ status: 302, headers: { location: back.href } });
  });
  await page.route(`${url}/oauth/token`, (route) => route.fulfill({
    contentType: 'application/json', body: JSON.stringify({ access_token: 'token-1', token_type: 'bearer', scope: 'launch patient/*.*', patient }),
  }));
  await page.goto(`${url}/smart/?iss=${encodeURIComponent(baseUrl)}&launch=l-1`);
  await expect.poll(() => page.locator('#status').innerText(), { timeout: 15_000 }).toContain(`Patient: Patient/${patient}`);
}

type El = HTMLElement & { ready: Promise<void>; subjectReady: Promise<void>; recordSubject?: { reference?: string } };

/** Passes the gate, answers "completed, no disclosure", saves; returns the enquiry's subject problem and the status. */
async function completeEnquiry(page: Page): Promise<{ problem: string; status: string; subject?: string }> {
  return page.evaluate(async (KBS) => {
    const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
    await da.subjectReady;
    await da.ready;
    const root = da.shadowRoot!;
    for (const key of ['alone', 'private', 'interpreter']) (root.getElementById(`gate-${key}-true`) as HTMLInputElement).click();
    (root.querySelector('.gate button') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 100));
    await da.ready;
    const form = root.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; submit: () => Promise<unknown>; updateComplete: Promise<void> };
    form.setAnswers('stage', [{ valueCoding: { system: KBS, code: 'stage-postnatal', display: 'After the birth (postnatal)' } }]);
    form.setAnswers('completed', [{ valueBoolean: true }]);
    form.setAnswers('enquiry/disclosure', [{ valueCoding: { system: KBS, code: 'disclosure-none', display: 'No disclosure' } }]);
    await form.submit();
    await form.updateComplete;
    return {
      problem: root.querySelector('[part=subject-problem]')?.textContent ?? '',
      status: form.shadowRoot!.querySelector('[role=status]')!.textContent ?? '',
      subject: da.recordSubject?.reference,
    };
  }, KBS);
}

const enquiriesFor = async (id: string) => {
  const [, bundle] = await env.server.request('GET', `/QuestionnaireResponse?subject=Patient/${id}&questionnaire=https://kbs-record-templates.example.org/fhir/Questionnaire/kbs-domestic-abuse-enquiry|1.0.0`);
  return ((bundle as fhir4.Bundle).entry ?? []).length;
};

test("launched from the mother's record: the enquiry files to her, not to her own mother", async () => {
  const page = await env.browser.newPage();
  await launch(page, 'demo-mother');
  const [mother, grandmother] = [await enquiriesFor('demo-mother'), await enquiriesFor('grandmother')];
  const result = await completeEnquiry(page);
  expect(result.subject).toBe('Patient/demo-mother');
  expect(result.status).toContain('Saved to the record');
  expect(await enquiriesFor('demo-mother')).toBe(mother + 1);
  expect(await enquiriesFor('grandmother')).toBe(grandmother);
  await page.close();
});

test("launched from the baby's record: the enquiry files to the baby's mother", async () => {
  const page = await env.browser.newPage();
  await launch(page, 'demo-baby');
  const before = await enquiriesFor('demo-mother');
  const result = await completeEnquiry(page);
  expect(result.subject).toBe('Patient/demo-mother');
  expect(result.status).toContain('Saved to the record');
  expect(await enquiriesFor('demo-mother')).toBe(before + 1);
  expect(await enquiriesFor('demo-baby')).toBe(0);
  await page.close();
});

test('an ambiguous family: nothing is written, and the message says why', async () => {
  const page = await env.browser.newPage();
  await launch(page, 'baby-two-mothers');
  const before = (await env.server.repo.allResources()).length;
  const result = await completeEnquiry(page);
  expect(result.subject).toBeUndefined();
  expect(result.problem).toContain("The mother's record could not be found from the baby's record: More than one record of the baby's mother matches");
  expect(result.status).toContain('Nothing will be saved');
  expect((await env.server.repo.allResources()).length).toBe(before);
  await page.close();
});
