/**
 * Hostile content never runs script, never loads a URL and never reaches the family copy:
 * an XSS corpus in every place a questionnaire can carry text, under the strict CSP *and* with
 * the renderer's own escaping (the CSP is not the only line of defence: see the no-CSP page).
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RENDERING_XHTML } from '../../src/engine/index.js';
import { openHarness, screenshot, shadowText, useBrowserAndServer } from './support.js';

const EVIL = 'http://127.0.0.2:9';
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=1</script>',
  '"><svg onload="window.__xss=1"></svg>',
  `<iframe src="${EVIL}/frame"></iframe>`,
  `<link rel="stylesheet" href="${EVIL}/x.css">`,
  `<style>@import "${EVIL}/y.css";</style>`,
  '<a href="javascript:window.__xss=1">click</a>',
  '${window.__xss=1}',
  '{{constructor.constructor("window.__xss=1")()}}',
];
const hostile = (i: number) => PAYLOADS[i % PAYLOADS.length]!;

function corpus(): fhir4.Questionnaire {
  return {
    resourceType: 'Questionnaire',
    status: 'active',
    title: hostile(0),
    item: [
      { linkId: 'x"><img src=x onerror=window.__xss=1>', type: 'string', text: hostile(1), prefix: hostile(2) },
      {
        linkId: 'choice', type: 'choice', text: hostile(3),
        answerOption: PAYLOADS.map((p, i) => ({ valueCoding: { system: 'urn:x', code: `c${i}`, display: p } })),
        item: [{ linkId: 'help', type: 'display', text: hostile(4), extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl', valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'help' }] } }] }],
      },
      { linkId: 'strings', type: 'open-choice', text: hostile(5), answerOption: PAYLOADS.map((p) => ({ valueString: p })) },
      {
        linkId: 'xhtml', type: 'display', text: 'plain fallback',
        _text: { extension: [{ url: RENDERING_XHTML, valueString: `<b id="allowed-bold">safe bold</b>${PAYLOADS.join('')}<img src="${EVIL}/pixel.png"><form action="${EVIL}/f"><button>go</button></form><a id="js-link" href="javascript:window.__xss=1">js</a>` }] },
      } as fhir4.QuestionnaireItem,
      { linkId: 'unknown', type: 'attachment', text: hostile(6) },
      { linkId: 'group', type: 'group', text: hostile(7), item: [{ linkId: 'inner', type: 'text', text: hostile(8) }] },
    ],
  };
}

const env = useBrowserAndServer();

async function watch(page: Page) {
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r: Request) => requests.push(r.url()));
  return { dialogs, requests };
}

async function render(page: Page): Promise<void> {
  await page.evaluate(async (q) => {
    const el = document.createElement('kbs-questionnaire') as HTMLElement & { questionnaire: unknown; ready: Promise<void> };
    el.questionnaire = q;
    document.getElementById('host')!.append(el);
    await el.ready;
  }, corpus());
}

describe('XSS corpus', () => {
  test('renders hostile text as text: no script, no dialog, no request outside the app', async () => {
    const page = await env.browser.newPage();
    const { dialogs, requests } = await watch(page);
    await openHarness(page, env.server);
    await render(page);
    // Interact: pick options, click the sanitised link, submit.
    await page.evaluate(() => {
      const root = document.querySelector('kbs-questionnaire')!.shadowRoot!;
      root.querySelectorAll<HTMLInputElement>('input[type=radio]').forEach((r) => r.click());
      Array.from(root.querySelectorAll('a')).find((a) => a.textContent === 'js')?.click();
      root.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    });
    await page.waitForTimeout(300);
    const state = await page.evaluate(() => {
      const root = document.querySelector('kbs-questionnaire')!.shadowRoot!;
      return {
        xss: (window as unknown as { __xss?: number }).__xss,
        text: root.textContent ?? '',
        bold: Array.from(root.querySelectorAll('b')).find((b) => b.textContent === 'safe bold')?.tagName,
        ids: root.querySelectorAll('#allowed-bold, #js-link').length,
        scripts: root.querySelectorAll('script, iframe, img, link, style, svg, form:not([part=form])').length,
        jsHref: Array.from(root.querySelectorAll('a')).find((a) => a.textContent === 'js')?.getAttribute('href') ?? null,
      };
    });
    expect(state.xss).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(env.server.url))).toEqual([]);
    expect(requests.map((u) => new URL(u).pathname).filter((p) => p !== '/harness.html' && !p.startsWith('/bundle/'))).toEqual([]);
    expect(state.text).toContain('<script>window.__xss=1</script>'); // shown, not run
    expect(state.text).toContain('Not supported');
    expect(state.bold).toBe('B'); // rendering-xhtml keeps harmless formatting…
    expect(state.ids).toBe(0); // …but not its ids
    expect(state.scripts).toBe(0); // …and nothing active
    expect(state.jsHref).toBeNull();
    await screenshot(page, 'xss-corpus');
    await page.close();
  });

  test('holds without the CSP too (escaping, not policy, is what keeps it safe)', async () => {
    const page = await env.browser.newPage();
    const { dialogs, requests } = await watch(page);
    await page.route('**/nocsp.html', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="en"><head><title>t</title><script type="module" src="/bundle/kbs.js"></script></head><body><main id="host"></main></body></html>' }),
    );
    await page.goto(`${env.server.url}/nocsp.html`);
    await page.waitForFunction(() => customElements.get('kbs-questionnaire') !== undefined);
    await render(page);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(env.server.url))).toEqual([]);
    await page.close();
  });

  test('a malformed questionnaire shows a clear message, not a blank screen', async () => {
    const page = await env.browser.newPage();
    await openHarness(page, env.server);
    const text = await page.evaluate(async () => {
      const el = document.createElement('kbs-questionnaire') as HTMLElement & { questionnaire: unknown; ready: Promise<void> };
      el.questionnaire = '{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"a","type":"boolean","enableWhen":[{"question":"nope","operator":"=","answerBoolean":true}]}]}';
      document.getElementById('host')!.append(el);
      await el.ready;
      return el.shadowRoot!.textContent;
    });
    expect(text).toContain('This form cannot be shown');
    expect(text).toContain('enableWhen refers to question "nope"');
    await page.close();
  });
});

// The family copy prints from its own document: see subject.test.ts ("the family copy prints alone").
