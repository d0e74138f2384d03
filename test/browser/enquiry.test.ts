/** The routine enquiry's own safety behaviour, in Chromium against the real server. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openHarness, shadowText, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

type Enquiry = HTMLElement & { ready: Promise<void>; mother?: { reference: string }; patient?: { reference: string }; recordSubject?: { reference: string } };

async function mount(page: Page, props: { mother?: string; patient?: string }): Promise<void> {
  await openHarness(page, env.server);
  await page.evaluate(async ({ mother, patient }) => {
    const el = document.createElement('kbs-domestic-abuse-enquiry') as Enquiry;
    el.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    if (mother) el.mother = { reference: mother };
    if (patient) el.patient = { reference: patient };
    document.getElementById('host')!.append(el);
    await el.ready;
    const root = el.shadowRoot!;
    for (const key of ['alone', 'private', 'interpreter']) (root.getElementById(`gate-${key}-true`) as HTMLInputElement).click();
    (root.querySelector('.gate button') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 100));
    await el.ready;
  }, props);
}

const inner = (page: Page, script: string) => page.evaluate(script);

test('Hide clears the screen at once and Show brings the answers back', async () => {
  const page = await env.browser.newPage();
  await mount(page, { mother: 'Patient/demo-mother' });
  await inner(page, `document.querySelector('kbs-domestic-abuse-enquiry').shadowRoot.querySelector('kbs-questionnaire').shadowRoot.querySelector('[data-path="stage"][data-option="After the birth (postnatal)"]').click()`);
  // The helper reads through the shadow roots: the enquiry's words are on screen before Hide.
  expect(await shadowText(page)).toMatch(/postnatal/);
  await inner(page, `document.querySelector('kbs-domestic-abuse-enquiry').shadowRoot.querySelector('[part=hide]').click()`);
  await page.waitForTimeout(50);
  const formVisible = await page.evaluate(() => document.querySelector('kbs-domestic-abuse-enquiry')!.shadowRoot!.querySelector('kbs-questionnaire')!.checkVisibility());
  expect(formVisible).toBe(false);
  // Guards the mutation "Hide no longer hides the form" (drop `hidden` from renderForm's options in
  // the enquiry element): the shadow-root text then still shows the stage question and its answer.
  const visibleText = await shadowText(page);
  expect(visibleText).toContain('Hidden.');
  expect(visibleText).not.toMatch(/Stage|postnatal|antenatal|Restricted|disclos/i);
  await inner(page, `document.querySelector('kbs-domestic-abuse-enquiry').shadowRoot.querySelector('[part=hide]').click()`);
  await page.waitForTimeout(50);
  const checked = await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry')!.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('[data-path="stage"][data-option="After the birth (postnatal)"]') as HTMLInputElement).checked);
  expect(checked).toBe(true);
  await page.close();
});

test("finds the mother through the baby's record, and files to her", async () => {
  const page = await env.browser.newPage();
  await mount(page, { patient: 'Patient/demo-baby' });
  await page.waitForFunction(() => (document.querySelector('kbs-domestic-abuse-enquiry') as Enquiry).recordSubject !== undefined);
  expect(await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry') as Enquiry).recordSubject)).toEqual({ reference: 'Patient/demo-mother' });
  // The host's own property is left as the host set it.
  expect(await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry') as Enquiry).mother)).toBeUndefined();
  await page.close();
});

test('without the mother nothing is saved, and the clinician is told', async () => {
  const page = await env.browser.newPage();
  await mount(page, {});
  const status = await page.evaluate(async () => {
    const form = document.querySelector('kbs-domestic-abuse-enquiry')!.shadowRoot!.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; submit: () => Promise<unknown>; updateComplete: Promise<void> };
    const KBS = 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts';
    form.setAnswers('stage', [{ valueCoding: { system: KBS, code: 'stage-antenatal', display: 'Before the birth (antenatal)' } }]);
    form.setAnswers('completed', [{ valueBoolean: true }]);
    form.setAnswers('enquiry/disclosure', [{ valueCoding: { system: KBS, code: 'disclosure-none', display: 'No disclosure' } }]);
    await form.submit();
    await form.updateComplete;
    return form.shadowRoot!.querySelector('[role=status]')!.textContent;
  });
  expect(status).toContain("Not saved. The mother's record is not known (no patient is selected), so nothing will be saved.");
  const stored = (await env.server.repo.allResources()).filter((r) => r.resourceType === 'QuestionnaireResponse');
  expect(stored).toEqual([]);
  await page.close();
});
