/**
 * A record kept on this device is never invisible: after a reload the template says that a record
 * of its kind is waiting to be sent (so nobody enters it again), and when the outbox sends it the
 * note changes and the host hears `kbs-saved`.
 */
import { expect, test } from 'vitest';
import { openHarness, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

test('queued, reloaded: "waiting to be sent — do not enter it again"; then sent by itself, the host told', async () => {
  const page = await env.browser.newPage();
  const host = '<main id="host"><kbs-eight-week-check></kbs-eight-week-check></main>';
  // The record system stops taking writes (reads still work, so the baby's record is known).
  await page.route(`${env.server.baseUrl}/**`, (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()));
  await openHarness(page, env.server, host);
  const status = await page.evaluate(async () => {
    const check = document.querySelector('kbs-eight-week-check') as HTMLElement & { subjectReady: Promise<void>; ready: Promise<void>; patient?: unknown };
    check.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    check.patient = { reference: 'Patient/demo-baby' };
    await check.subjectReady;
    await check.ready;
    const form = check.shadowRoot!.querySelector('kbs-questionnaire') as unknown as HTMLElement & { submit: () => Promise<{ state: string }> };
    (form.shadowRoot!.querySelector('[data-path="kbs/advice-child-safety"]') as HTMLInputElement).click();
    return (await form.submit()).state;
  });
  expect(status).toBe('queued');

  await page.reload();
  await page.waitForFunction(() => customElements.get('kbs-eight-week-check') !== undefined);
  await page.evaluate(async () => {
    const check = document.querySelector('kbs-eight-week-check') as HTMLElement & { subjectReady: Promise<void>; patient?: unknown };
    (window as unknown as { saved: number }).saved = 0;
    document.addEventListener('kbs-saved', () => void ((window as unknown as { saved: number }).saved += 1));
    check.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    check.patient = { reference: 'Patient/demo-baby' };
    await check.subjectReady;
  });
  const note = () => page.evaluate(() => document.querySelector('kbs-eight-week-check')!.shadowRoot!.querySelector('[part=outbox]')?.textContent ?? '');
  await expect.poll(note, { timeout: 10_000 }).toContain('A record of this kind made on this device is waiting to be sent to the record system');
  expect(await note()).toContain('do not enter it again');

  // The record system takes writes again: the outbox sends it without a click.
  await page.unroute(`${env.server.baseUrl}/**`);
  await expect.poll(note, { timeout: 30_000, interval: 500 }).toContain('have now been saved');
  expect(await page.evaluate(() => (window as unknown as { saved: number }).saved)).toBe(1);
  const [, bundle] = await env.server.request('GET', '/QuestionnaireResponse?subject=Patient/demo-baby');
  expect(((bundle as fhir4.Bundle).entry ?? []).length).toBe(1);
  await page.close();
}, 60_000);
