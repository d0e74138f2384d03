/**
 * <kbs-follow-ups>, the caseload of outstanding routine-enquiry follow-ups: restricted (nothing
 * without a practitioner context, never printed), most overdue first, and on the demo page the
 * seeded overdue follow-up is completed from it.
 */
import { expect, test } from 'vitest';
import { completeEnquiry, deepText, KBS, openHarness, screenshot, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

type List = HTMLElement & { viewer?: unknown; refresh: () => Promise<void>; updateComplete: Promise<boolean> };

test('without a practitioner context it shows nothing of the follow-ups; it never prints', async () => {
  const page = await env.browser.newPage();
  await openHarness(page, env.server, '<main id="host"><kbs-follow-ups fhir-base-url="/fhir"></kbs-follow-ups></main>');
  const requests: string[] = [];
  page.on('request', (r) => r.url().includes('/fhir/') && requests.push(r.url()));
  await page.waitForTimeout(500);
  const text = await deepText(page);
  expect(text).toContain('shown only when the record system says who is looking');
  expect(text).not.toMatch(/Grace|Overdue|Interpreter/);
  expect(requests).toEqual([]);
  // A viewer that is not a practitioner or their role is not enough either.
  await page.evaluate(async () => {
    const list = document.querySelector('kbs-follow-ups') as List;
    list.viewer = { reference: 'Patient/demo-mother' };
    await list.updateComplete;
  });
  await page.waitForTimeout(300);
  expect(await deepText(page)).not.toMatch(/Grace|Overdue/);
  expect(requests).toEqual([]);
  await page.evaluate(() => {
    (document.querySelector('kbs-follow-ups') as List).viewer = { reference: 'Practitioner/demo-health-visitor' };
  });
  await expect.poll(() => deepText(page), { timeout: 10_000 }).toContain('Grace Example');
  await page.emulateMedia({ media: 'print' });
  expect(await page.evaluate(() => getComputedStyle(document.querySelector('kbs-follow-ups')!).display)).toBe('none');
  await page.close();
});

test('most overdue first', async () => {
  const later = { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: 'Patient/demo-mother' },
    code: { coding: [{ system: KBS, code: 'routine-enquiry-follow-up' }] }, description: 'Complete the routine enquiry with the mother alone. Not completed because: No private space.',
    restriction: { period: { end: '2099-01-01' } }, meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } };
  const [outcome, created] = await env.server.request('POST', '/Task', later);
  expect(outcome.issue?.filter((i) => i.severity === 'error') ?? []).toEqual([]);
  const page = await env.browser.newPage();
  await openHarness(page, env.server, '<main id="host"><kbs-follow-ups fhir-base-url="/fhir"></kbs-follow-ups></main>');
  await page.evaluate(() => {
    (document.querySelector('kbs-follow-ups') as List).viewer = { reference: 'Practitioner/demo-health-visitor' };
  });
  await page.waitForFunction(() => document.querySelector('kbs-follow-ups')!.shadowRoot!.querySelectorAll('tbody tr').length === 2, undefined, { timeout: 10_000 });
  const rows = await page.evaluate(() => Array.from(document.querySelector('kbs-follow-ups')!.shadowRoot!.querySelectorAll('tbody tr')).map((r) => r.textContent!.replace(/\s+/g, ' ').trim()));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(/Overdue: .*Interpreter unavailable|Interpreter unavailable.*Overdue: /);
  expect(rows[1]).toContain('No private space');
  await env.server.request('DELETE', `/Task/${(created as fhir4.Task).id}`);
  await page.close();
});

test("the demo: the health visitor's caseload shows the overdue follow-up, and it is completed from there", async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${env.server.url}/?role=health-visitor`);
  // Folded until the health visitor opens it.
  expect(await page.locator('#caseload').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  await page.locator('#caseload summary').click();
  await page.waitForFunction(() => !!document.querySelector('kbs-follow-ups')?.shadowRoot?.querySelector('tbody tr'), undefined, { timeout: 15_000 });
  expect(await page.evaluate(() => document.querySelector('kbs-follow-ups')!.shadowRoot!.querySelector('tbody tr')!.textContent)).toMatch(/Grace Example[\s\S]*Overdue/);
  await screenshot(page, 'demo-caseload');
  await page.evaluate(() => (document.querySelector('kbs-follow-ups')!.shadowRoot!.querySelector('[part=open]') as HTMLButtonElement).click());
  const told = await completeEnquiry(page);
  expect(told.shown).toContain('Interpreter unavailable');
  expect(told.status).toContain('Saved to the record');
  await expect.poll(() => page.evaluate(() => document.querySelector('kbs-follow-ups')!.shadowRoot!.textContent ?? ''), { timeout: 10_000 }).toContain('No outstanding routine enquiry follow-ups');
  const [, bundle] = await env.server.request('GET', '/Task?identifier=https://kbs-record-templates.example.org/fhir/Id/extracted-resource|demo/overdue-routine-enquiry-follow-up');
  const task = (bundle as fhir4.Bundle).entry![0]!.resource as fhir4.Task;
  expect(task.status).toBe('completed');
  expect(task.output?.[0]?.valueReference?.reference).toMatch(/^QuestionnaireResponse\//);
  await screenshot(page, 'demo-caseload-completed');
  await page.close();
});
