/**
 * One element per question, in Chromium: a long form is on screen before all of it is made, and
 * `ready` waits for the rest; printing makes the rest at once; an answer re-renders only the items
 * it touched. A template is on screen before its network code loads, and a record system's copy
 * that differs under the same canonical url|version is the integrator's to hear about.
 */
import { describe, expect, test } from 'vitest';
import { QUESTIONNAIRES } from '../../src/components/generated/content.js';
import { openHarness, startServer, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

function synthetic(n: number): fhir4.Questionnaire {
  const item: fhir4.QuestionnaireItem[] = [];
  for (let i = 0; i < n; i += 2) {
    item.push({ linkId: `b${i}`, type: 'boolean', text: `Question ${i}` });
    item.push({ linkId: `d${i}`, type: 'string', text: `Follow-up ${i + 1}`, enableWhen: [{ question: `b${i}`, operator: '=', answerBoolean: true }] });
  }
  return { resourceType: 'Questionnaire', status: 'active', item };
}

/** In the page: how many items exist when the form's items first join its shadow root (before any later slice runs). */
const FIRST_ITEMS = `window.firstItems = (el) => new Promise((ok) => {
  const observer = new MutationObserver(() => {
    const count = el.shadowRoot.querySelectorAll('kbs-form-item').length;
    if (count) { observer.disconnect(); ok(count); }
  });
  observer.observe(el.shadowRoot, { childList: true, subtree: true });
})`;
declare function firstItems(el: HTMLElement): Promise<number>;

/** In the page: a <kbs-questionnaire> given `q`, and how many items it had when they first joined its shadow root. */
const MOUNT = `window.mountLong = async (q) => {
  const el = document.createElement('kbs-questionnaire');
  el.questionnaire = q;
  document.querySelector('#host').append(el);
  return { el, first: await firstItems(el) };
}`;
declare function mountLong(q: fhir4.Questionnaire): Promise<{ el: HTMLElement & { ready: Promise<void> }; first: number }>;

/** In the page: the linkIds of the items of `form` that rendered again while `act` ran. */
const RENDERED_BY = `window.renderedBy = async (form, act) => {
  const renders = () => new Map([...form.shadowRoot.querySelectorAll('kbs-form-item')].map((i) => [i.dataset.linkId, i.renders]));
  const before = renders();
  await act();
  return [...renders()].filter(([id, n]) => n !== before.get(id)).map(([id]) => id).sort();
}`;
declare function renderedBy(form: HTMLElement, act: () => Promise<unknown>): Promise<string[]>;

describe('<kbs-questionnaire> made of one element per item', () => {
  test('a 1,000-item form shows its first screenful first and the rest before ready; one answer re-renders two items', async () => {
    const page = await env.browser.newPage();
    try {
      await openHarness(page, env.server);
      await page.evaluate(FIRST_ITEMS);
      await page.evaluate(MOUNT);
      const counts = await page.evaluate(async (q) => {
        const { el, first } = await mountLong(q);
        await el.ready;
        return { first, all: el.shadowRoot!.querySelectorAll('kbs-form-item').length };
      }, synthetic(1000));
      expect(counts.first).toBeGreaterThan(0);
      expect(counts.first).toBeLessThan(1000);
      expect(counts.all).toBe(1000);

      await page.evaluate(RENDERED_BY);
      const touched = await page.evaluate(async () => {
        const form = document.querySelector('kbs-questionnaire')!;
        const root = form.shadowRoot!;
        const rendered = await renderedBy(form, () => {
          (root.querySelector('input[data-path="b0"][data-option="Yes"]') as HTMLInputElement).click();
          return form.updateComplete;
        });
        return { rendered, dependent: root.querySelector('[data-path="d0"]') !== null };
      });
      expect(touched).toEqual({ rendered: ['b0', 'd0'], dependent: true });
    } finally {
      await page.close();
    }
  });

  test('printing makes every item at once, so the paper copy is whole', async () => {
    const page = await env.browser.newPage();
    try {
      await openHarness(page, env.server);
      await page.evaluate(FIRST_ITEMS);
      await page.evaluate(MOUNT);
      const made = await page.evaluate(async (q) => {
        const { el, first: before } = await mountLong(q);
        window.dispatchEvent(new Event('beforeprint'));
        return { before, after: el.shadowRoot!.querySelectorAll('kbs-form-item').length };
      }, synthetic(2000));
      expect(made.before).toBeLessThan(2000);
      expect(made.after).toBe(2000);
    } finally {
      await page.close();
    }
  });
});

describe('a template element first paints, then connects', () => {
  test('its first question is on screen before the gateway chunk is asked for', async () => {
    const page = await env.browser.newPage();
    try {
      const requested: { url: string; at: number }[] = [];
      page.on('request', (r) => requested.push({ url: r.url(), at: Date.now() }));
      await openHarness(page, env.server);
      const shownAt = await page.evaluate(async (base) => {
        const el = document.createElement('kbs-eight-week-check');
        el.setAttribute('fhir-base-url', base);
        document.querySelector('#host')!.append(el);
        await new Promise<void>((ok) => {
          const tick = () => (el.shadowRoot?.querySelector('kbs-questionnaire')?.shadowRoot?.querySelector('input[data-path="kbs/advice-child-safety"]') ? ok() : requestAnimationFrame(tick));
          tick();
        });
        return Date.now();
      }, `${env.server.url}/fhir`);
      await page.waitForTimeout(500);
      const gateway = requested.find((r) => /\/bundle\/gateway-[^/]*\.js$/.test(r.url));
      expect(gateway, 'the gateway chunk was loaded once the form was on screen').toBeDefined();
      expect(gateway!.at).toBeGreaterThanOrEqual(shownAt);
      expect(requested.filter((r) => /\/bundle\/(bed-sharing-assessment|domestic-abuse-enquiry)-/.test(r.url))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test("a record system's different copy under the same canonical is a warning for the integrator; the bundled form is used", async () => {
    const server = await startServer();
    const page = await env.browser.newPage();
    try {
      // The record system holds the bundled form (the embedded server deploys it); someone changes it there, keeping url and version.
      const { id, url, version } = QUESTIONNAIRES['eight-week-check'];
      const held = await (await fetch(`${server.url}/fhir/Questionnaire/${id}`)).json() as fhir4.Questionnaire;
      expect([held.url, held.version]).toEqual([url, version]);
      const changed = { ...held, title: 'Changed on the server', item: [{ linkId: 'other', type: 'string', text: 'A question only the server has' }] };
      const put = await fetch(`${server.url}/fhir/Questionnaire/${id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(changed) });
      expect(put.status).toBe(200);
      const consoleWarnings: string[] = [];
      page.on('console', (m) => { if (m.type() === 'warning') consoleWarnings.push(m.text()); });
      await openHarness(page, server);
      const seen = await page.evaluate(async (base) => {
        const el = document.createElement('kbs-eight-week-check');
        const codes: string[] = [];
        el.addEventListener('kbs-load-warning', (e) => codes.push(...(e as CustomEvent<{ issues: { code: string }[] }>).detail.issues.map((i) => i.code)));
        el.setAttribute('fhir-base-url', base);
        document.querySelector('#host')!.append(el);
        await el.ready;
        for (let i = 0; i < 50 && !codes.length; i++) await new Promise((ok) => setTimeout(ok, 100));
        const form = el.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!;
        return { codes, bundled: !!form.querySelector('input[data-path="kbs/advice-child-safety"]'), server: !!form.querySelector('[data-path="other"]') };
      }, `${server.url}/fhir`);
      expect(seen).toEqual({ codes: ['server-copy'], bundled: true, server: false });
      expect(consoleWarnings.some((w) => w.includes('different form'))).toBe(true);
    } finally {
      await page.close();
      await server.close();
    }
  });

  test('a template whose own chunk cannot be fetched says so: never a blank form', async () => {
    const page = await env.browser.newPage();
    try {
      await page.route(/\/bundle\/eight-week-check-[^/]*\.js$/, (route) => route.abort());
      await openHarness(page, env.server);
      const text = await page.evaluate(async () => {
        const el = document.createElement('kbs-eight-week-check');
        document.querySelector('#host')!.append(el);
        for (let i = 0; i < 50 && !el.shadowRoot!.querySelector('[part="load-problem"]'); i++) await new Promise((ok) => setTimeout(ok, 50));
        return el.shadowRoot!.querySelector('[part="load-problem"]')?.textContent ?? '';
      });
      expect(text).toMatch(/^This form could not be loaded .*record in the usual way/);
    } finally {
      await page.close();
    }
  });

  test("a template's own re-render (its tally, its outcome notes) does not re-render the form's items", async () => {
    const page = await env.browser.newPage();
    try {
      await openHarness(page, env.server);
      await page.evaluate(RENDERED_BY);
      const rendered = await page.evaluate(async () => {
        const el = document.createElement('kbs-bed-sharing-assessment');
        document.querySelector('#host')!.append(el);
        await el.ready;
        const form = el.shadowRoot!.querySelector('kbs-questionnaire')!;
        return renderedBy(form, async () => {
          (form.shadowRoot!.querySelector('input[data-path="checklist/smoking"][data-option="Yes"]') as HTMLInputElement).click();
          await form.updateComplete;
          await el.updateComplete;
          await form.updateComplete;
        });
      });
      expect(rendered).toContain('smoking');
      for (const untouched of ['contact', 'key-messages', 'key-message-1', 'alcohol']) expect(rendered).not.toContain(untouched);
    } finally {
      await page.close();
    }
  });
});
