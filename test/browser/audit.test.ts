/**
 * <kbs-audit> in Chromium against the embedded server holding a year of demo records: every chart
 * has its table, the figures equal those computed here independently from the same records, small
 * routine-enquiry counts show as "< 5", the CSV download holds exactly the table cells, axe finds
 * nothing, no patient identifier is anywhere in it, and a refusal says which role is needed.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { auditCsv, auditTables } from '../../src/components/audit/kbs-audit.js';
import { createAudit } from '../../src/engine/index.js';
import { demoAuditRecords, seedAuditDemo } from '../../src/server/demo-audit.js';
import { demoFollowUp } from '../../src/server/seed.js';
import { axeViolations, deepText, screenshot, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();
const TODAY = new Date('2026-11-20T12:00:00Z');
const PERIOD = { from: '2025-11-21', to: '2026-11-20', asOf: '2026-11-20' };

beforeAll(async () => {
  await seedAuditDemo(env.server, TODAY);
});

async function openAudit(page: Page, attributes = ''): Promise<void> {
  await page.route('**/audit.html', (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8',
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'" },
    body: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Audit</title><script type="module" src="/bundle/kbs-audit.js"></script></head>
      <body><main><h1>Audit</h1><kbs-audit ${attributes} from="${PERIOD.from}" to="${PERIOD.to}"></kbs-audit></main></body></html>`,
  }));
  await page.goto(`${env.server.url}/audit.html`);
  await page.waitForFunction(() => customElements.get('kbs-audit') !== undefined);
  await page.evaluate(async (asOf) => {
    const audit = document.querySelector('kbs-audit') as HTMLElement & { now: () => Date; ready: Promise<void> };
    audit.now = () => new Date(`${asOf}T12:00:00Z`);
    audit.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    await audit.ready;
  }, PERIOD.asOf);
}

/** The tables as a person reads them: caption, headings and cells, from the shadow DOM. */
const tablesOnScreen = (page: Page) => page.evaluate(() => {
  const root = document.querySelector('kbs-audit')!.shadowRoot!;
  return [...root.querySelectorAll('table')].map((t) => ({
    caption: t.caption?.textContent?.trim() ?? '',
    columns: [...t.querySelectorAll('thead th')].map((c) => c.textContent!.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent!.trim())),
  }));
});

describe('<kbs-audit>', () => {
  test('charts with their tables; figures as computed independently; "< 5"; CSV equals the tables; axe clean; no identifiers', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await openAudit(page, 'demo-data');
      const audit = createAudit(PERIOD);
      // Everything the server holds: the year of demo records and the plain demo's own follow-up.
      for (const record of [...demoAuditRecords(TODAY), demoFollowUp()]) audit.add(record);
      const expected = auditTables(audit.result());

      const shown = await tablesOnScreen(page);
      expect(shown).toEqual(expected.map(({ caption, columns, rows }) => ({ caption, columns, rows })));
      expect(Number(shown[0]!.rows[0]![1])).toBeGreaterThan(100);
      // The localities the demo records were made in, from their authors' PractitionerRoles.
      expect(shown.at(-1)!.rows.map((r) => r[0])).toEqual(['All', 'North locality (demo)', 'South locality (demo)', 'not recorded']);
      expect(shown.flatMap((t) => t.rows.flat())).toContain('< 5');

      // Every chart is an image with a text alternative, and sits with its table.
      const charts = await page.evaluate(() => [...document.querySelector('kbs-audit')!.shadowRoot!.querySelectorAll('section')].map((s) => ({
        svg: s.querySelector('svg')?.getAttribute('role'),
        named: (s.querySelector('svg')?.getAttribute('aria-labelledby') ?? '').split(' ').every((id) => !!s.querySelector(`[id="${id}"]`)?.textContent),
        table: !!s.querySelector('table'),
      })));
      expect(charts).toEqual([1, 2, 3, 4].map(() => ({ svg: 'img', named: true, table: true })));
      expect(await axeViolations(page)).toEqual([]);

      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('kbs-audit button', { hasText: 'Download CSV' }).click()]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv).toBe(auditCsv(expected));
      const csvRows = csv.trim().split('\n').map((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((c) => c.replace(/^"|"$/g, '').replace(/""/g, '"')));
      // The same cells as on screen, table by table.
      const fromScreen = shown.flatMap((t) => [['Section', ...t.columns], ...t.rows.map((r) => [t.caption, ...r])]);
      expect(csvRows).toEqual(fromScreen);

      const text = await deepText(page);
      expect(text).toContain('Demo data');
      expect(text).not.toMatch(/\b\d{10}\b|\d{3} \d{3} \d{4}|Patient\/|Example/);
      expect(csv).not.toMatch(/\b\d{10}\b|Patient\/|demo-audit-subject/);
      await screenshot(page, 'audit');
    } finally {
      await page.close();
    }
  });

  test('a refusal says which role the audit needs; a period that ends before it starts says so', async () => {
    const page = await env.browser.newPage();
    try {
      await page.route('**/fhir/QuestionnaireResponse?**', (route) => route.fulfill({ status: 403, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden' }] }) }));
      await openAudit(page);
      const alert = await page.evaluate(() => document.querySelector('kbs-audit')!.shadowRoot!.querySelector('[role=alert]')?.textContent ?? '');
      expect(alert).toContain('HTTP 403');
      expect(alert).toContain("safeguarding lead's audit role");
      await page.unroute('**/fhir/QuestionnaireResponse?**');
      await page.evaluate(async () => {
        const audit = document.querySelector('kbs-audit') as HTMLElement & { from: string; ready: Promise<void> };
        audit.from = '2027-01-01';
        await audit.ready;
      });
      expect(await page.evaluate(() => document.querySelector('kbs-audit')!.shadowRoot!.querySelector('[role=alert]')?.textContent ?? '')).toContain('after its end');
    } finally {
      await page.close();
    }
  });
});
