/**
 * The README's embedding snippet, taken from README.md as it stands, on a page of its own against a
 * server that requires a bearer token: the token the host sets after the element's first render is
 * the one sent; when the server stops accepting it, the submission is kept (and the clinician asked
 * to sign in again) and is sent once the host gives a new token — exactly once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { STRICT_CSP, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { ROOT } from '../support/content.js';
import { startDemoServer } from '../support/server.js';
import { launch } from './support.js';
import type { Browser } from 'playwright-core';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Embed it in a record system'));
const HTML = /```html\n([\s\S]*?)```/.exec(section)![1]!;
const JS = /```js\n([\s\S]*?)```/.exec(section)![1]!;

let browser: Browser;
let server: RunningFhirServer;
const accepted: string[] = ['token-1'];
const seen: string[] = [];

beforeAll(async () => {
  browser = await launch();
  server = await startDemoServer(undefined, { tokens: accepted });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the README snippet, verbatim, saves against a server that requires a token; a 401 keeps the record until a new token', async () => {
  expect(HTML).toContain('fhir-base-url="https://fhir.example.nhs.uk/R4"');
  expect(JS).toContain('check.token = sessionToken;');
  const page = await browser.newPage();
  page.on('request', (r) => {
    if (r.url().startsWith(`${server.baseUrl}/`) && !r.url().endsWith('/metadata')) seen.push(`${r.method()} ${r.headers().authorization ?? 'none'}`);
  });
  // Only the snippet's placeholders are filled in: the server's address, the patient and the author.
  const html = HTML.replace('https://fhir.example.nhs.uk/R4', server.baseUrl);
  const js = JS.replace("'Patient/123'", "'Patient/demo-baby'").replace("'Practitioner/456'", "'Practitioner/demo-gp'");
  await page.route(`${server.url}/host.html`, (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': STRICT_CSP },
    body: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Host</title><script src="/host-globals.js"></script></head><body>${html}</body></html>`,
  }));
  // What the host page has before the snippet runs: its session token and its own refresh function.
  await page.route(`${server.url}/host-globals.js`, (route) => route.fulfill({
    contentType: 'text/javascript', body: "var sessionToken = 'token-1'; var refreshes = 0; function refreshRecord() { refreshes++; }",
  }));
  await page.route(`${server.url}/your-page.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: js }));
  await page.route(`${server.url}/kbs/**`, (route) => route.fulfill({
    contentType: 'text/javascript', body: readFileSync(join(ROOT, 'dist/bundle', new URL(route.request().url()).pathname.replace(/^\/kbs\//, ''))),
  }));
  await page.goto(`${server.url}/host.html`);

  type Check = HTMLElement & { ready: Promise<void>; subjectReady: Promise<void>; token?: string; recordSubject?: unknown };
  const save = (paths: string[]) => page.evaluate(async (paths) => {
    const check = document.getElementById('check') as Check;
    await check.subjectReady;
    await check.ready;
    const form = check.shadowRoot!.querySelector('kbs-questionnaire')!;
    for (const path of paths) (form.shadowRoot!.querySelector(`[data-path="${path}"]`) as HTMLInputElement).click();
    (form.shadowRoot!.querySelector('button[type=submit]') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 1500));
    return form.shadowRoot!.querySelector('[role=status]')!.textContent ?? '';
  }, paths);
  const responses = async () => {
    const [, bundle] = await server.request('GET', '/QuestionnaireResponse?subject=Patient/demo-baby&_count=100');
    return ((bundle as fhir4.Bundle).entry ?? []).length;
  };

  // 1. The token set by the host's script after the element first rendered is the one sent.
  await page.waitForFunction(() => (document.getElementById('check') as Check | null)?.recordSubject !== undefined, undefined, { timeout: 15_000 });
  const before = await responses();
  expect(await save(['kbs/advice-child-safety'])).toContain('Saved to the record');
  expect(await responses()).toBe(before + 1);
  // Every request carries the token the host set after the first render: the save and every read.
  expect(seen.filter((s) => s.startsWith('POST')).length).toBeGreaterThan(0);
  expect(new Set(seen.map((s) => s.split(' ').slice(1).join(' ')))).toEqual(new Set(['Bearer token-1']));
  expect(await page.evaluate(() => (globalThis as unknown as { refreshes: number }).refreshes)).toBe(1);

  // 2. The server stops accepting the token (a session that expired): the next save is kept, not lost.
  await page.evaluate(async () => {
    const check = document.getElementById('check') as Check & { patient?: unknown };
    check.patient = { reference: 'Patient/demo-baby' }; // the host re-opens the record: a fresh form
    await check.subjectReady;
  });
  accepted.splice(0, accepted.length, 'token-2');
  await page.evaluate(async () => {
    // Start again on a new form instance for the second record.
    const check = document.getElementById('check') as Check & { questionnaireElement?: { reset: () => Promise<void> } };
    await check.questionnaireElement!.reset();
  });
  const status = await save(['kbs/safer-sleep/info-infant-safe-sleeping']);
  expect(status).toContain('did not accept your sign-in');
  expect(status).toContain('Sign in again');
  expect(await responses()).toBe(before + 1);

  // 3. The host gives the new token: the kept record is sent, once.
  seen.length = 0;
  await page.evaluate(() => {
    (document.getElementById('check') as Check).token = 'token-2';
  });
  await expect.poll(responses, { timeout: 15_000 }).toBe(before + 2);
  await expect.poll(() => page.evaluate(() => document.getElementById('check')!.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('[role=status]')!.textContent ?? ''), { timeout: 10_000 }).toContain('Saved to the record');
  expect(seen).toContain('POST Bearer token-2');
  expect(seen.filter((s) => s.endsWith('token-1'))).toEqual([]);
  await page.waitForTimeout(1000);
  expect(await responses()).toBe(before + 2);
  await page.close();
}, 90_000);
