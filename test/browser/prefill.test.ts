/**
 * SDC population in our own template: "Was your baby born early, or is your baby very small?" is
 * suggested from the baby's recorded gestation at birth (SNOMED CT 412726003) and birth weight
 * (364589006). The suggestion says where it came from, is never pre-selected, and is in the saved
 * record only once the clinician has chosen the answer.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demoBirthDate } from '../../src/server/seed.js';
import { axeViolations, openHarness, patient, putAll, screenshot, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();
const SCT = 'http://snomed.info/sct';
const observation = (id: string, baby: string, code: string, value: number, unit: string): fhir4.Observation => ({
  resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: SCT, code }] }, subject: { reference: `Patient/${baby}` },
  effectiveDateTime: demoBirthDate(), valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
});

beforeAll(async () => {
  await putAll(env.server, [
    patient('baby-early', '9990000069', demoBirthDate()),
    observation('baby-early-gestation', 'baby-early', '412726003', 35, 'wk'),
    observation('baby-early-weight', 'baby-early', '364589006', 2300, 'g'),
  ]);
});

type Form = HTMLElement & { state?: { answers: Map<string, unknown[]> }; setAnswers(path: string, answers: unknown[]): void; buildResponse(status?: string): fhir4.QuestionnaireResponse; updateComplete: Promise<boolean> };
type Bed = HTMLElement & { ready: Promise<void>; subjectReady: Promise<void>; patient?: unknown };

/** Opens the assessment for a baby and waits until both population queries have been answered. */
async function openFor(page: Page, baby: string) {
  await openHarness(page, env.server, '<main id="host"><kbs-bed-sharing-assessment></kbs-bed-sharing-assessment></main>');
  const answered = Promise.all(['412726003', '364589006'].map((code) => page.waitForResponse((r) => r.url().includes('/Observation?') && r.url().includes(code))));
  await page.evaluate(async (baby) => {
    const bed = document.querySelector('kbs-bed-sharing-assessment') as Bed;
    bed.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    bed.patient = { reference: `Patient/${baby}` };
    await bed.subjectReady;
    await bed.ready;
  }, baby);
  await answered;
  await page.waitForTimeout(50);
}

const inForm = <T,>(page: Page, fn: (form: Form, root: ShadowRoot) => T | Promise<T>) =>
  page.evaluate(`(async () => {
    const form = document.querySelector('kbs-bed-sharing-assessment').shadowRoot.querySelector('kbs-questionnaire');
    await form.updateComplete;
    return (${fn.toString()})(form, form.shadowRoot);
  })()`) as Promise<T>;

describe('the bed-sharing assessment suggests "born early or very small" from the record', () => {
  test('a baby born at 35 weeks, 2,300 g: the suggestion names its source, is not pre-selected, and is saved only once chosen', async () => {
    const page = await env.browser.newPage();
    await openFor(page, 'baby-early');
    const shown = await inForm(page, (form, root) => {
      const note = root.querySelector('[part=suggestion]');
      const fieldset = root.querySelector('[data-path="checklist/early-or-small"]')?.closest('fieldset');
      return {
        note: note?.textContent?.replace(/\s+/g, ' ').trim(),
        describedBy: fieldset?.getAttribute('aria-describedby') ?? '',
        noteId: note?.id,
        checked: [...root.querySelectorAll('[data-path="checklist/early-or-small"]')].some((i) => (i as HTMLInputElement).checked),
        answer: form.state?.answers.get('checklist/early-or-small'),
        // Population changes nothing else on the form.
        sleepPlaces: root.querySelectorAll('[data-path="sleep-place/sleep-place-night"]').length,
      };
    });
    expect(shown.note).toBe('From the record: born at 35 weeks; birth weight 2300 g. This suggests “Yes”. Check with the family, then choose the answer.');
    expect(shown.describedBy.split(' ')).toContain(shown.noteId);
    expect(shown.checked).toBe(false);
    expect(shown.answer).toBeUndefined();
    expect(shown.sleepPlaces).toBe(7);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'bed-sharing-suggestion');

    const before = await inForm(page, (form) => JSON.stringify(form.buildResponse('in-progress')));
    expect(before).not.toContain('early-or-small');
    await inForm(page, (_form, root) => (root.querySelector('[data-path="checklist/early-or-small"][data-option="Yes"]') as HTMLInputElement).click());
    const after = await inForm(page, (form) => form.buildResponse('in-progress'));
    const checklist = after.item?.find((i) => i.linkId === 'checklist');
    expect(checklist?.item?.find((i) => i.linkId === 'early-or-small')?.answer).toEqual([{ valueBoolean: true }]);
    await page.close();
  });

  test('a baby born at term with a good weight (the seeded demo baby): no suggestion, the question is asked as before', async () => {
    const page = await env.browser.newPage();
    await openFor(page, 'demo-baby');
    const shown = await inForm(page, (form, root) => ({ note: root.querySelector('[part=suggestion]'), answer: form.state?.answers.get('checklist/early-or-small') }));
    expect(shown.note).toBeNull();
    expect(shown.answer).toBeUndefined();
    await page.close();
  });
});
