/**
 * The product as a newcomer sees it: the demo record-system page on the embedded server. The three
 * templates are completed (by keyboard) in the roles that use them, and the record panel reads back
 * what was filed: coded entries in the baby's record, the follow-up Task in the mother's.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { completeByKeyboard, screenshot, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!.answers;
const panel = (page: Page) => page.locator('#record').innerText();

async function startAt(page: Page, tag: string): Promise<void> {
  await page.evaluate((t) => (document.querySelector(t) as HTMLElement & { ready: Promise<void> }).ready, tag);
  // Keyboard users start from the template's heading.
  await page.locator(`#templates section:has(${tag}) h2`).first().click();
}

test('the demo page: three templates completed, filed entries read back in the record panel', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${env.server.url}/`);
  await expect.poll(() => page.locator('#banner').innerText()).toContain('NHS number 999 000 0018');
  expect(await page.locator('#banner').innerText()).toContain('Mother: Grace Example');

  // GP at the 8-week check.
  await startAt(page, 'kbs-eight-week-check');
  await completeByKeyboard(page, { answers: scenario('all-messages-given') });
  await expect.poll(() => panel(page), { timeout: 10_000 }).toContain('Coded entries (5)');
  await screenshot(page, 'demo-gp');

  // Health visitor at the new birth visit: the bed-sharing assessment, then a routine enquiry that could not be asked.
  await page.selectOption('#role', 'health-visitor');
  await startAt(page, 'kbs-bed-sharing-assessment');
  await completeByKeyboard(page, { answers: scenario('smoking-yes') });
  await expect.poll(() => panel(page), { timeout: 10_000 }).toContain('Coded entries (15)');

  await startAt(page, 'kbs-domestic-abuse-enquiry');
  const notAsked = scenario('not-asked-partner-present').filter(([p]) => p !== 'completed' && p !== 'not-completed/reason');
  await completeByKeyboard(page, { answers: notAsked, gate: { alone: false, private: true, interpreter: true } });
  // The seeded overdue follow-up is the one this enquiry answers: updated, not doubled.
  await expect.poll(() => panel(page), { timeout: 10_000 }).toContain('REQUESTED follow-up by 2026-12-04');
  const text = await panel(page);
  expect(text).toContain('Outstanding follow-ups (1)');
  expect(text).toContain('Routine enquiries (1)');
  // The baby's side of the panel has no routine enquiry content.
  const babySide = text.slice(0, text.indexOf("Mother's record"));
  expect(babySide).not.toMatch(/routine enquiry|Partner present/i);
  await screenshot(page, 'demo-health-visitor');
  expect(errors).toEqual([]);
  await page.close();
});

test('the script-tag bundle works in a plain HTML page with no build step', async () => {
  const page = await env.browser.newPage();
  await page.route('**/plain.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html lang="en"><head><title>Plain</title><script type="module" src="/bundle/kbs.js"></script></head>
      <body><kbs-eight-week-check fhir-base-url="/fhir" density="compact"></kbs-eight-week-check></body></html>`,
  }));
  await page.goto(`${env.server.url}/plain.html`);
  await page.waitForFunction(() => (document.querySelector('kbs-eight-week-check') as HTMLElement & { questionnaireElement?: Element }).questionnaireElement?.shadowRoot?.querySelector('form'));
  const text = await page.evaluate(() => (document.querySelector('kbs-eight-week-check')!.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!.textContent ?? ''));
  expect(text).toContain('Babies should sleep on their back in a clutter free cot or Moses basket on a clean, flat mattress.');
  await page.close();
});

test("the safeguarding lead's role shows the audit, loaded only for that role, marked as demo data", async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const scripts: string[] = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
  await page.goto(`${env.server.url}/`);
  await page.waitForFunction(() => customElements.get('kbs-eight-week-check') !== undefined);
  const before = scripts.length;
  expect(await page.evaluate(() => customElements.get('kbs-audit'))).toBeUndefined();
  await page.selectOption('#role', 'safeguarding-lead');
  await page.waitForFunction(() => customElements.get('kbs-audit') !== undefined);
  expect(scripts.length).toBeGreaterThan(before);
  const shown = await page.evaluate(async () => {
    const audit = document.querySelector('kbs-audit') as HTMLElement & { ready: Promise<void> };
    await audit.ready;
    const root = audit.shadowRoot!;
    return { note: root.querySelector('.demo')?.textContent ?? '', tables: root.querySelectorAll('table').length, alert: root.querySelector('[role=alert]')?.textContent ?? '' };
  });
  expect(shown).toEqual({ note: expect.stringContaining('Demo data'), tables: 3, alert: '' });
  await page.close();
});
