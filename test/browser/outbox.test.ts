/**
 * The outbox in a real browser: a routine enquiry that could not be completed is submitted while
 * the record system is down, the page is reloaded, the record system comes back — and exactly one
 * response, its Observations, its follow-up (the mother's open one, updated on the version the
 * restarted server holds) and one Provenance arrive without anyone clicking anything.
 * At no moment does IndexedDB hold clinical content in clear text.
 *
 * The page and the bundle are served from the built files by the test (so they load while the
 * server is down); every FHIR request goes over real HTTP to the embedded server, which is stopped
 * and started again on the same port with the same data folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { STRICT_CSP, startFhirServer, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { seedDemo } from '../../src/server/seed.js';
import { ROOT } from '../support/content.js';
import { launch } from './support.js';

const KBS = 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts';
let browser: Browser;
let server: RunningFhirServer | undefined;
let dataDir: string;
let port: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kbs-outbox-'));
  browser = await launch();
  server = await startFhirServer({ dataDir, seed: seedDemo });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The page and the bundle from dist/, whether or not the server is up. */
async function servePage(page: Page, origin: string): Promise<void> {
  await page.route(`${origin}/harness.html`, (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8',
    headers: { 'content-security-policy': STRICT_CSP },
    body: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Record</title>
      <script type="module" src="/bundle/kbs.js"></script></head><body><main id="host">
      <kbs-domestic-abuse-enquiry fhir-base-url="${origin}/fhir"></kbs-domestic-abuse-enquiry></main>
      <script type="module" src="/page.js"></script></body></html>`,
  }));
  await page.route(`${origin}/page.js`, (route) => route.fulfill({
    contentType: 'text/javascript', body: `document.querySelector('kbs-domestic-abuse-enquiry').mother = { reference: 'Patient/demo-mother' };`,
  }));
  await page.route(`${origin}/bundle/**`, (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/bundle\//, '');
    return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(ROOT, 'dist/bundle', path)) });
  });
}

/** Everything in the outbox's IndexedDB, keys and values, as text (binary as latin1). */
async function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    const out: string[] = [];
    for (const { name } of dbs) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((ok, fail) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()].map((req) => new Promise<unknown[]>((ok) => { req.onsuccess = () => ok(req.result as unknown[]); })));
        const text = (v: unknown): string => {
          if (v instanceof ArrayBuffer) return Array.from(new Uint8Array(v), (b) => String.fromCharCode(b)).join('');
          if (ArrayBuffer.isView(v)) return Array.from(new Uint8Array(v.buffer), (b) => String.fromCharCode(b)).join('');
          if (v instanceof CryptoKey) return `[CryptoKey extractable=${v.extractable}]`;
          if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}:${text(x)}`).join(',');
          return String(v);
        };
        out.push(`${name}/${storeName}: ${keys.map(String).join(' ')} ${values.map(text).join(' ')}`);
      }
      db.close();
    }
    return out.join('\n');
  });
}

const CLEAR_TEXT = ['Partner present', 'partner-present', 'demo-mother', 'Routine enquiry', 'routine-enquiry', 'not-asked', 'QuestionnaireResponse', 'stage-'];

async function mine(uuid: string): Promise<Record<string, number>> {
  const [, bundle] = await server!.request('GET', '/QuestionnaireResponse?_count=1000');
  const responses = ((bundle as fhir4.Bundle).entry ?? []).map((e) => e.resource as fhir4.QuestionnaireResponse).filter((r) => r.identifier?.value === `urn:uuid:${uuid}`);
  const all = (await server!.repo.allResources()) as fhir4.Resource[];
  const derived = all.filter((r) => JSON.stringify(r).includes(uuid));
  return { responses: responses.length, ...derived.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.resourceType]: (acc[r.resourceType] ?? 0) + 1 }), {}) };
}

test('submitted while the server is down, reloaded, server back: sent once, without a click; nothing in clear text at rest', async () => {
  const origin = server!.url;
  const context = await browser.newContext();
  const page = await context.newPage();
  await servePage(page, origin);
  await page.goto(`${origin}/harness.html`);
  // The mother's record is checked while the server is up; then the server goes down.
  const uuid = await page.evaluate(async () => {
    const da = document.querySelector('kbs-domestic-abuse-enquiry') as HTMLElement & { subjectReady: Promise<void>; ready: Promise<void>; recordSubject?: unknown };
    await customElements.whenDefined('kbs-domestic-abuse-enquiry');
    await da.subjectReady;
    await da.ready;
    if (!da.recordSubject) throw new Error('the mother was not found');
    const root = da.shadowRoot!;
    (root.getElementById('gate-alone-false') as HTMLInputElement).click();
    for (const key of ['private', 'interpreter']) (root.getElementById(`gate-${key}-true`) as HTMLInputElement).click();
    (root.querySelector('.gate button') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 200));
    const form = root.querySelector('kbs-questionnaire') as unknown as { buildResponse: () => { identifier: { value: string } } };
    return form.buildResponse().identifier.value.replace('urn:uuid:', '');
  });
  await server!.close();
  server = undefined;

  const status = await page.evaluate(async (KBS) => {
    const da = document.querySelector('kbs-domestic-abuse-enquiry')!;
    const form = da.shadowRoot!.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; submit: () => Promise<{ state: string }>; updateComplete: Promise<void> };
    form.setAnswers('stage', [{ valueCoding: { system: KBS, code: 'stage-postnatal', display: 'After the birth (postnatal)' } }]);
    form.setAnswers('not-completed/follow-up-by', [{ valueDate: new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10) }]);
    form.setAnswers('not-completed/follow-up-role', [{ valueCoding: { system: KBS, code: 'follow-up-health-visitor', display: 'Health visitor' } }]);
    const result = await form.submit();
    await form.updateComplete;
    return { state: result?.state, text: form.shadowRoot!.querySelector('[role=status]')!.textContent ?? '' };
  }, KBS);
  expect(status.state, status.text).toBe('queued');
  expect(status.text).toContain('kept encrypted on this device');
  const atRest = await indexedDbText(page);
  expect(atRest).toContain('entry:');
  expect(atRest).toContain('CryptoKey extractable=false');
  for (const word of CLEAR_TEXT) expect(atRest).not.toContain(word);

  // Reload while the server is still down: nothing can be sent, nothing is lost.
  await page.reload();
  await page.waitForFunction(() => customElements.get('kbs-domestic-abuse-enquiry') !== undefined);
  await page.waitForTimeout(1500);
  const afterReload = await indexedDbText(page);
  expect(afterReload).toContain('entry:');
  for (const word of CLEAR_TEXT) expect(afterReload).not.toContain(word);

  // The server comes back on the same address with the same records; nobody clicks anything.
  server = await startFhirServer({ dataDir, port });
  expect(await mine(uuid)).toEqual({ responses: 0 });
  await expect.poll(async () => (await mine(uuid)).responses, { timeout: 90_000, interval: 1000 }).toBe(1);
  // Its follow-up is the demo mother's open one, updated in place (so it carries its own identifier).
  const followUp = async () => {
    const [, bundle] = await server!.request('GET', '/Task?patient=Patient/demo-mother&status=requested');
    return ((bundle as fhir4.Bundle).entry ?? []).map((e) => e.resource as fhir4.Task);
  };
  await expect.poll(async () => mine(uuid), { timeout: 10_000 }).toEqual({ responses: 1, QuestionnaireResponse: 1, Observation: 3, Provenance: 1 });
  const [, found] = await server!.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|urn:uuid:${uuid}`)}`);
  const qrId = ((found as fhir4.Bundle).entry![0]!.resource as fhir4.Resource).id;
  expect((await followUp()).map((t) => t.focus?.reference)).toEqual([`QuestionnaireResponse/${qrId}`]);
  await expect.poll(async () => (await indexedDbText(page)).includes('entry:'), { timeout: 10_000 }).toBe(false);
  // And it stays exactly one.
  await page.waitForTimeout(2000);
  expect(await mine(uuid)).toEqual({ responses: 1, QuestionnaireResponse: 1, Observation: 3, Provenance: 1 });
  expect(await followUp()).toHaveLength(1);
  await context.close();
}, 180_000);
