/**
 * Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, against the embedded
 * server over loopback serving the built bundles. Pages run under the product's strict CSP.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { STRICT_CSP, startFhirServer, type FhirServerOptions, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { seedDemo } from '../../src/server/seed.js';
import type { Answer } from '../../src/engine/index.js';
import { ROOT } from '../support/content.js';

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export async function launch(): Promise<Browser> {
  if (!existsSync(join(ROOT, 'dist/bundle/kbs.js'))) throw new Error('dist/bundle/kbs.js is missing: run `npm run build` first (npm test does)');
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS, headless: true });
}

/**
 * `options` selects a server test mode; a page served from another origin (another loopback port)
 * must be listed in `allowOrigins`: the server refuses foreign origins by default.
 */
export function startServer(options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  return startFhirServer({ staticDir: join(ROOT, 'dist'), seed: seedDemo, ...options });
}

/** One Chromium and one seeded embedded server for a test file, closed after it. */
export function useBrowserAndServer(): { readonly browser: Browser; readonly server: RunningFhirServer } {
  const env = {} as { browser: Browser; server: RunningFhirServer };
  beforeAll(async () => {
    [env.browser, env.server] = await Promise.all([launch(), startServer()]);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** A plain HTML page on the server's origin that loads the script-tag bundle, under the strict CSP. */
export async function openHarness(page: Page, server: RunningFhirServer, body = '<main id="host"></main>'): Promise<void> {
  await page.route('**/harness.html', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      headers: { 'content-security-policy': STRICT_CSP },
      body: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Harness</title>
        <script type="module" src="/bundle/kbs.js"></script></head><body>${body}</body></html>`,
    }),
  );
  await page.goto(`${server.url}/harness.html`);
  await page.waitForFunction(() => customElements.get('kbs-eight-week-check') !== undefined);
}

/**
 * The text a person sees on the page (or on paper, under `emulateMedia({ media: 'print' })`), through
 * open shadow roots. The page's own innerText stops at each shadow host, so it never contains a
 * component's text and an assertion that something is absent from it always passes.
 * A text node counts when its element is rendered (`checkVisibility` with CSS visibility and opacity):
 * `hidden`, `display: none` on any ancestor across shadow boundaries, unslotted light DOM and
 * `<style>` text are all left out.
 */
export async function shadowText(page: Page, selector = 'body', options: { hidden?: boolean } = {}): Promise<string> {
  return page.evaluate(({ sel, hidden }) => {
    const out: string[] = [];
    const visible = (el: Element) => hidden || el.checkVisibility({ checkVisibilityCSS: true, checkOpacity: true } as CheckVisibilityOptions);
    const walk = (node: Node, host: Element | undefined) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const owner = node.parentElement ?? host;
        const text = node.textContent?.trim();
        if (text && owner && visible(owner)) out.push(text);
        return;
      }
      if (node instanceof Element && node.shadowRoot) walk(node.shadowRoot, node);
      for (const child of node.childNodes) walk(child, node instanceof ShadowRoot ? node.host : host);
    };
    const start = document.querySelector(sel);
    if (!start) throw new Error(`shadowText: nothing matches ${sel}`);
    walk(start, undefined);
    return out.join('\n');
  }, { sel: selector, hidden: options.hidden === true });
}

/** The focused element, through shadow roots. */
export async function focused(page: Page) {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const input = el as HTMLInputElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      type: input?.type ?? '',
      checked: input?.checked ?? false,
      path: (el as HTMLElement | null)?.dataset?.path,
      option: (el as HTMLElement | null)?.dataset?.option,
      part: (el as HTMLElement | null)?.dataset?.part,
      text: el?.textContent?.trim() ?? '',
    };
  });
}

/** The option label an answer selects, as the renderer shows it. */
function labelFor(answer: Answer): string | undefined {
  if (answer.valueBoolean !== undefined) return answer.valueBoolean ? 'Yes' : 'No';
  if (answer.valueCoding) return answer.valueCoding.display ?? answer.valueCoding.code;
  if (answer.valueString !== undefined) return 'Other';
  return undefined;
}

export interface KeyboardPlan {
  answers: [path: string, answers: Answer[]][];
  /** Gate answers for the routine enquiry: key → yes/no. */
  gate?: Record<string, boolean>;
}

/**
 * Completes a form with the keyboard only: Tab through every control, Space to choose, type into
 * text fields, Enter on the button. Returns the buttons pressed, in order.
 */
export async function completeByKeyboard(page: Page, plan: KeyboardPlan, finalButton = 'Save to record'): Promise<string[]> {
  const want = new Map(plan.answers);
  const typed = new Set<string>();
  const pressed: string[] = [];
  await page.keyboard.press('Tab');
  for (let step = 0; step < 400; step++) {
    const f = await focused(page);
    if (f.tag === 'button') {
      if (f.text === 'Continue' && plan.gate) {
        await page.keyboard.press('Enter');
        pressed.push(f.text);
        await page.waitForTimeout(50);
        // Focus moves into the form; go on from there.
        const now = await focused(page);
        if (now.tag === 'input' || now.tag === 'select') continue;
      } else if (f.text === finalButton) {
        await page.keyboard.press('Enter');
        pressed.push(f.text);
        return pressed;
      }
    } else if (f.id.startsWith('gate-') && plan.gate) {
      const [, key, value] = /^gate-(.+)-(true|false)$/.exec(f.id)!;
      const wanted = plan.gate[key!];
      if (wanted !== undefined && String(wanted) !== value) {
        await page.keyboard.press('ArrowRight'); // moves to, and selects, the other option
        continue;
      }
      if (wanted !== undefined && !f.checked) {
        await page.keyboard.press('Space');
        continue;
      }
    } else if (f.path && want.has(f.path)) {
      const answers = want.get(f.path)!;
      if (f.part === 'day' || f.part === 'month' || f.part === 'year') {
        const [y, m, d] = answers[0]!.valueDate!.split('-');
        const value = { day: String(Number(d)), month: String(Number(m)), year: y! }[f.part];
        if (!typed.has(`${f.path}#${f.part}`)) {
          await page.keyboard.type(value);
          typed.add(`${f.path}#${f.part}`);
        }
      } else if (f.part === 'other-text') {
        if (!typed.has(`${f.path}#other`)) {
          await page.keyboard.type(answers.find((a) => a.valueString !== undefined)!.valueString!);
          typed.add(`${f.path}#other`);
        }
      } else if (f.type === 'checkbox' && f.option === 'true') {
        if (!f.checked && answers[0]?.valueBoolean === true) await page.keyboard.press('Space');
      } else if (f.type === 'radio' || f.type === 'checkbox') {
        const labels = answers.map(labelFor);
        if (labels.includes(f.option) && !f.checked) {
          await page.keyboard.press('Space');
          continue;
        }
        if (f.type === 'radio' && !labels.includes(f.option)) {
          // Within a radio group the arrow keys move between options; Tab leaves the group.
          const before = f.id;
          for (let i = 0; i < 12; i++) {
            await page.keyboard.press('ArrowDown');
            const g = await focused(page);
            if (g.id === before || labels.includes(g.option)) break;
          }
          const g = await focused(page);
          if (labels.includes(g.option) && !g.checked) await page.keyboard.press('Space');
        }
      } else if (f.tag === 'input' || f.tag === 'textarea') {
        if (!typed.has(f.path)) {
          const a = answers[0]!;
          await page.keyboard.type(String(a.valueString ?? a.valueInteger ?? a.valueDecimal ?? ''));
          typed.add(f.path);
        }
      }
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`never reached "${finalButton}" by Tab`);
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core with the WCAG 2.0/2.1/2.2 A and AA rules; returns violations as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] } });
  });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Every text node under `body`, hidden or not, through open shadow roots: what is in the DOM at all. */
export async function deepText(page: Page): Promise<string> {
  return (await shadowText(page, 'body', { hidden: true })).replace(/\s+/g, ' ');
}

/** The text of a PDF (as Chromium printed it), page by page, through pdf.js. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: new Uint8Array(pdf), disableFontFace: true, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await doc.destroy();
  return pages.join('\n').replace(/\s+/g, ' ');
}

export const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
export const KBS = 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts';
export const MTH = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH' }] }];

/** Stores test records (a family) by id on the server. */
export async function putAll(server: RunningFhirServer, resources: fhir4.Resource[]): Promise<void> {
  for (const resource of resources) {
    const [outcome] = await server.request('PUT', `/${resource.resourceType}/${resource.id}`, resource);
    if (outcome.issue?.some((i) => i.severity === 'error')) throw new Error(`could not store ${resource.resourceType}/${resource.id}: ${JSON.stringify(outcome)}`);
  }
}

/** A patient and, optionally, the RelatedPerson (MTH) that names her as `baby`'s mother. */
export const patient = (id: string, nhs: string | undefined, birthDate: string | undefined): fhir4.Patient => ({
  resourceType: 'Patient', id, ...(nhs ? { identifier: [{ system: NHS, value: nhs }] } : {}), ...(birthDate ? { birthDate } : {}),
});
export const motherLink = (id: string, baby: string, motherNhs: string): fhir4.RelatedPerson => ({
  resourceType: 'RelatedPerson', id, patient: { reference: `Patient/${baby}` }, identifier: [{ system: NHS, value: motherNhs }], relationship: MTH,
});

/** "Completed, no disclosure", after the birth. */
export const COMPLETED_NO_DISCLOSURE: [string, unknown[]][] = [
  ['stage', [{ valueCoding: { system: KBS, code: 'stage-postnatal', display: 'After the birth (postnatal)' } }]],
  ['completed', [{ valueBoolean: true }]],
  ['enquiry/disclosure', [{ valueCoding: { system: KBS, code: 'disclosure-none', display: 'No disclosure' } }]],
];

export interface EnquiryOutcome {
  /** The clinician's status line after saving. */
  status: string;
  /** Why nothing can be saved for this patient, if shown. */
  problem: string;
  /** Her record as shown after the gate (follow-ups, earlier enquiries). */
  shown: string;
  /** The verified subject. */
  subject?: string;
}

/**
 * In the page: waits for the routine enquiry to know whose record it is, answers the safe-to-ask
 * gate (all yes unless said), gives `answers` and saves.
 */
export async function completeEnquiry(page: Page, options: { selector?: string; gate?: Partial<Record<'alone' | 'private' | 'interpreter', boolean>>; answers?: [string, unknown[]][] } = {}): Promise<EnquiryOutcome> {
  return page.evaluate(async ({ selector, gate, answers }) => {
    type Enquiry = HTMLElement & { ready: Promise<void>; subjectReady: Promise<void>; recordSubject?: { reference?: string } };
    const da = document.querySelector(selector) as Enquiry;
    await da.subjectReady;
    await da.ready;
    const root = da.shadowRoot!;
    for (const key of ['alone', 'private', 'interpreter'] as const) (root.getElementById(`gate-${key}-${gate[key] ?? true}`) as HTMLInputElement | null)?.click();
    (root.querySelector('.gate button') as HTMLButtonElement | null)?.click();
    await new Promise((r) => setTimeout(r, 600));
    await da.ready;
    const form = root.querySelector('kbs-questionnaire') as unknown as HTMLElement & { setAnswers: (p: string, a: unknown[]) => void; submit: () => Promise<unknown>; updateComplete: Promise<void> };
    for (const [path, value] of answers) form.setAnswers(path, value);
    const shown = root.querySelector('[part=record]')?.textContent?.replace(/\s+/g, ' ') ?? '';
    await form.submit();
    await form.updateComplete;
    return {
      status: form.shadowRoot!.querySelector('[role=status]')!.textContent ?? '',
      problem: root.querySelector('[part=subject-problem]')?.textContent ?? '',
      shown,
      subject: da.recordSubject?.reference,
    };
  }, { selector: options.selector ?? 'kbs-domestic-abuse-enquiry', gate: options.gate ?? {}, answers: options.answers ?? COMPLETED_NO_DISCLOSURE });
}
