/**
 * Follow-ups that cannot be lost, in Chromium against the embedded server: an enquiry that could not
 * be completed is shown, after the gate only, at the next contact with the same mother; completing
 * it closes the follow-up in the same submission; not completing it again keeps exactly one open
 * follow-up, with the new reason and due date.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { completeEnquiry, deepText, KBS, NHS, openHarness, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

beforeAll(async () => {
  for (const [id, nhs] of [['mother-fu-1', '9990000085'], ['mother-fu-2', '9990000093']] as const) {
    await env.server.request('PUT', `/Patient/${id}`, { resourceType: 'Patient', id, identifier: [{ system: NHS, value: nhs }], birthDate: '1992-03-03' });
  }
});

type El = HTMLElement & { ready: Promise<void>; subjectReady: Promise<void>; mother?: unknown };

/** A contact: the enquiry for this mother, the gate answered, then `answers` given and saved. */
async function contact(page: Page, mother: string, gate: { alone: boolean }, answers: [string, unknown[]][], inspectBeforeGate?: (text: string) => void): Promise<string> {
  await openHarness(page, env.server, '<main id="host"><kbs-domestic-abuse-enquiry></kbs-domestic-abuse-enquiry></main>');
  await page.evaluate(async (mother) => {
    const da = document.querySelector('kbs-domestic-abuse-enquiry') as El;
    da.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    da.mother = { reference: `Patient/${mother}` };
    await da.subjectReady;
    await da.ready;
  }, mother);
  await page.waitForTimeout(300);
  inspectBeforeGate?.(await deepText(page));
  const { shown, status } = await completeEnquiry(page, { gate, answers });
  return `${shown} || ${status}`;
}

const tasksFor = async (mother: string) => {
  const [, bundle] = await env.server.request('GET', `/Task?patient=Patient/${mother}&_count=100`);
  return ((bundle as fhir4.Bundle).entry ?? []).map((e) => e.resource as fhir4.Task);
};
const responsesFor = async (mother: string) => {
  const [, bundle] = await env.server.request('GET', `/QuestionnaireResponse?subject=Patient/${mother}&_count=100`);
  return ((bundle as fhir4.Bundle).entry ?? []).map((e) => e.resource as fhir4.QuestionnaireResponse);
};
const postnatal = ['stage', [{ valueCoding: { system: KBS, code: 'stage-postnatal', display: 'After the birth (postnatal)' } }]] as [string, unknown[]];
const notCompleted = (due: string, reason = 'not-asked-partner-present', display = 'Partner present'): [string, unknown[]][] => [
  postnatal, ['completed', [{ valueBoolean: false }]],
  ['not-completed/reason', [{ valueCoding: { system: KBS, code: reason, display } }]],
  ['not-completed/follow-up-by', [{ valueDate: due }]],
  ['not-completed/follow-up-role', [{ valueCoding: { system: KBS, code: 'follow-up-health-visitor', display: 'Health visitor' } }]],
];

test('not completed → next contact shows it after the gate only → completing closes it, no new Task', async () => {
  const page = await env.browser.newPage();
  expect(await contact(page, 'mother-fu-1', { alone: false }, notCompleted('2026-01-10'))).toContain('Saved to the record');
  const [opened] = await tasksFor('mother-fu-1');
  expect(opened!.status).toBe('requested');

  const status = await contact(page, 'mother-fu-1', { alone: true }, [
    postnatal, ['completed', [{ valueBoolean: true }]], ['enquiry/disclosure', [{ valueCoding: { system: KBS, code: 'disclosure-none', display: 'No disclosure' } }]],
  ], (beforeGate) => {
    // Before the gate nothing of her record is on the page, shadow roots included.
    for (const word of ['Outstanding', 'Overdue', 'Partner present', 'Earlier enquiries', 'Not completed because']) expect(beforeGate).not.toContain(word);
  });
  const [shown, told] = status.split(' || ');
  expect(shown).toContain('Outstanding follow-up');
  expect(shown).toContain('Overdue since 10 January 2026');
  expect(shown).toContain('Not completed because: Partner present');
  expect(shown).toMatch(/Before the birth: not recorded · After the birth: not completed \(last tried \d+ \w+ \d{4}\)/);
  expect(told).toContain('Saved to the record');

  const tasks = await tasksFor('mother-fu-1');
  expect(tasks).toHaveLength(1);
  expect(tasks[0]!.status).toBe('completed');
  const responses = await responsesFor('mother-fu-1');
  const completed = responses.find((r) => r.item?.find((i) => i.linkId === 'completed')?.answer?.[0]?.valueBoolean === true)!;
  expect(tasks[0]!.output?.[0]?.valueReference?.reference).toBe(`QuestionnaireResponse/${completed.id}`);
  expect(tasks[0]!.meta?.security?.map((s) => s.code)).toEqual(expect.arrayContaining(['R', 'SDV']));
  await page.close();
});

test('not completed twice → still exactly one open Task, with the new reason and due date', async () => {
  const page = await env.browser.newPage();
  expect(await contact(page, 'mother-fu-2', { alone: false }, notCompleted('2026-02-01'))).toContain('Saved to the record');
  const second = await contact(page, 'mother-fu-2', { alone: true }, notCompleted('2027-03-01', 'not-asked-no-interpreter', 'Interpreter unavailable'));
  expect(second).toContain('Saved to the record');
  const open = (await tasksFor('mother-fu-2')).filter((t) => t.status === 'requested');
  expect(open).toHaveLength(1);
  expect((await tasksFor('mother-fu-2'))).toHaveLength(1);
  expect(open[0]!.restriction?.period?.end).toBe('2027-03-01');
  expect(open[0]!.description).toContain('Interpreter unavailable');
  expect(open[0]!.note?.at(-1)?.text).toContain('Partner present');
  await page.close();
});
