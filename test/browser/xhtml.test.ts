/**
 * The `rendering-xhtml` profile in Chromium: every payload of the hostile corpus is rendered as the
 * label of a text field, a radio group's legend, a tick box's label, a group legend and a display
 * item, under the product's strict CSP. Nothing from a payload may add an id, a class, a form
 * control, a dialog or a custom element to the form, run script, load a URL or raise a CSP
 * violation report; and the field the payload aims at still records what is typed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { RENDERING_XHTML } from '../../src/engine/index.js';
import { EVIL, HARMLESS_XHTML, HIJACK, HOSTILE_XHTML } from '../fixtures/xhtml-hostile.js';
import { openHarness, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();

/** A questionnaire with `markup` in every place the renderer shows item text (plain text when absent). */
function questionnaire(markup?: string): fhir4.Questionnaire {
  const text = (plain: string) => ({ text: plain, ...(markup === undefined ? {} : { _text: { extension: [{ url: RENDERING_XHTML, valueString: markup }] } }) });
  const checkBox = { url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl', valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'check-box' }] } };
  return {
    resourceType: 'Questionnaire',
    status: 'active',
    item: [
      { linkId: HIJACK.linkId, type: 'string', ...text('Given name') },
      { linkId: 'note', type: 'display', ...text('A note') },
      { linkId: 'group', type: 'group', ...text('A group'), item: [{ linkId: 'inner', type: 'boolean', ...text('Inner question') }] },
      { linkId: 'tick', type: 'boolean', extension: [checkBox], ...text('Tick') },
    ],
  } as fhir4.Questionnaire;
}

interface Watch { requests: string[]; dialogs: string[]; consoleCsp: string[] }

function watch(page: Page): Watch {
  const w: Watch = { requests: [], dialogs: [], consoleCsp: [] };
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) w.consoleCsp.push(m.text());
  });
  return w;
}

async function openPage(page: Page, csp: boolean): Promise<void> {
  if (csp) {
    await openHarness(page, env.server);
    return;
  }
  await page.route('**/nocsp.html', (route) => route.fulfill({
    contentType: 'text/html',
    body: '<!doctype html><html lang="en"><head><title>t</title><script type="module" src="/bundle/kbs.js"></script></head><body><main id="host"></main></body></html>',
  }));
  await page.goto(`${env.server.url}/nocsp.html`);
  await page.waitForFunction(() => customElements.get('kbs-questionnaire') !== undefined);
}

/**
 * Renders the plain questionnaire, then each payload in its own form, and returns for each payload
 * what differs from the plain form (ids, classes, names, controls, custom elements), its links and
 * event-handler attributes, and the CSP violation events seen while it rendered.
 */
async function renderCorpus(page: Page, plain: fhir4.Questionnaire, forms: { name: string; questionnaire: fhir4.Questionnaire }[]) {
  return page.evaluate(async ({ plain, forms }) => {
    const seen = new WeakSet<Event>();
    const violations: string[] = [];
    const onViolation = (e: Event) => {
      if (seen.has(e)) return;
      seen.add(e);
      const v = e as SecurityPolicyViolationEvent;
      violations.push(`${v.violatedDirective} ${v.blockedURI}`);
    };
    document.addEventListener('securitypolicyviolation', onViolation, true);
    const WATCHED_ATTRS = ['id', 'class', 'name', 'style', 'slot', 'part', 'exportparts', 'form', 'for', 'popover', 'popovertarget', 'contenteditable', 'tabindex', 'hidden', 'inert', 'is', 'role', 'autofocus', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns'];
    const ACTIVE = new Set(['input', 'textarea', 'select', 'option', 'button', 'dialog', 'slot', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed', 'img', 'video', 'audio', 'source', 'track', 'picture', 'svg', 'math', 'style', 'link', 'meta', 'base', 'form', 'script', 'noscript', 'area', 'map', 'details', 'summary', 'label', 'fieldset', 'legend', 'output', 'meter', 'progress', 'marquee', 'body', 'title', 'portal', 'fencedframe', 'xmp', 'plaintext']);
    const elementsOf = (root: ParentNode): Element[] => {
      const all: Element[] = [];
      for (const el of Array.from(root.querySelectorAll('*'))) {
        all.push(el);
        if (el.shadowRoot) all.push(...elementsOf(el.shadowRoot));
      }
      return all;
    };
    /** What a payload could use to take over or mimic the form: must match the plain form exactly. */
    const signature = (root: ShadowRoot) => elementsOf(root)
      .filter((el) => ACTIVE.has(el.localName) || el.localName.includes('-') || WATCHED_ATTRS.some((a) => el.hasAttribute(a)) || Array.from(el.attributes).some((a) => a.name.startsWith('data-')))
      .map((el) => `${el.localName}${WATCHED_ATTRS.filter((a) => el.hasAttribute(a)).map((a) => `[${a}=${el.getAttribute(a)}]`).join('')}${Array.from(el.attributes).filter((a) => a.name.startsWith('data-')).map((a) => `[${a.name}=${a.value}]`).join('')}`)
      .sort();
    const render = async (q: unknown) => {
      const el = document.createElement('kbs-questionnaire') as HTMLElement & { questionnaire: unknown; ready: Promise<void> };
      el.questionnaire = q;
      document.getElementById('host')!.append(el);
      el.shadowRoot?.addEventListener('securitypolicyviolation', onViolation, true);
      await el.ready;
      el.shadowRoot!.addEventListener('securitypolicyviolation', onViolation, true);
      return el;
    };
    const settle = () => new Promise((r) => setTimeout(r, 40));
    const baseline = signature((await render(plain)).shadowRoot!);
    const results = [];
    for (const form of forms) {
      const before = violations.length;
      const el = await render(form.questionnaire);
      await settle();
      const root = el.shadowRoot!;
      const sig = signature(root);
      const extra = sig.filter((s, i, a) => a.indexOf(s) === i && sig.filter((t) => t === s).length > baseline.filter((t) => t === s).length);
      const missing = baseline.filter((s, i, a) => a.indexOf(s) === i && baseline.filter((t) => t === s).length > sig.filter((t) => t === s).length);
      const handlers = elementsOf(root).flatMap((e) => Array.from(e.attributes).filter((a) => a.name.startsWith('on')).map((a) => `${e.localName}[${a.name}]`));
      const links = elementsOf(root).filter((e) => e.localName === 'a').map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), target: a.getAttribute('target'), attrs: a.getAttributeNames().sort().join(' ') }));
      results.push({ name: form.name, extra, missing, handlers, links, violations: violations.slice(before), text: root.textContent ?? '' });
      el.remove();
    }
    await new Promise((r) => setTimeout(r, 500));
    return { results, total: violations.length, xss: (window as unknown as { __xss?: unknown }).__xss };
  }, { plain, forms });
}

describe('rendering-xhtml profile', () => {
  test('the corpus has at least 60 payloads, each with its own name', () => {
    expect(HOSTILE_XHTML.length).toBeGreaterThanOrEqual(60);
    expect(new Set(HOSTILE_XHTML.map((p) => p.name)).size).toBe(HOSTILE_XHTML.length);
  });

  for (const csp of [true, false]) {
    test(`hostile corpus ${csp ? 'under the strict CSP' : 'with no CSP at all'}: nothing added, nothing run, nothing loaded, no violation report`, async () => {
      const page = await env.browser.newPage();
      const w = watch(page);
      await openPage(page, csp);
      const forms = HOSTILE_XHTML.map((p) => ({ name: p.name, questionnaire: questionnaire(p.markup) }));
      const { results, total, xss } = await renderCorpus(page, questionnaire(), forms);
      expect(results).toHaveLength(HOSTILE_XHTML.length);
      const bad = results.flatMap((r) => [
        ...r.extra.map((e) => `${r.name}: adds ${e}`),
        ...r.missing.map((e) => `${r.name}: takes away ${e}`),
        ...r.handlers.map((h) => `${r.name}: keeps ${h}`),
        ...r.violations.map((v) => `${r.name}: CSP violation ${v}`),
        ...r.links.filter((l) => l.target !== null || l.rel !== 'noopener noreferrer' || (l.href !== null && !/^(https?:\/\/|mailto:)/.test(l.href)) || !/^(href )?rel$/.test(l.attrs))
          .map((l) => `${r.name}: link ${JSON.stringify(l)}`),
      ]);
      expect(bad).toEqual([]);
      expect(total).toBe(0);
      expect(w.consoleCsp).toEqual([]);
      expect(xss).toBeUndefined();
      expect(w.dialogs).toEqual([]);
      const own = w.requests.filter((u) => !(u.startsWith(`${env.server.url}/`) && /^\/(harness|nocsp)\.html$|^\/bundle\//.test(new URL(u).pathname)));
      expect(own).toEqual([]);
      expect(w.requests.some((u) => u.startsWith(EVIL))).toBe(false);
      // The text of removed containers is kept where it is harmless, and never their script.
      const byName = new Map(results.map((r) => [r.name, r.text]));
      expect(byName.get('details open ontoggle')).toContain('Hidden text');
      expect(byName.get('template expression text')).toContain('${window.__xss=1}');
      expect(byName.get('deep nesting')).toContain('deep');
      await page.close();
    });
  }

  test('a payload that reuses the real input id does not take over its label: typing there is recorded', async () => {
    const page = await env.browser.newPage();
    await openPage(page, true);
    await page.evaluate(async (q) => {
      const el = document.createElement('kbs-questionnaire') as HTMLElement & { questionnaire: unknown; ready: Promise<void> };
      el.questionnaire = q;
      document.getElementById('host')!.append(el);
      await el.ready;
    }, questionnaire(HOSTILE_XHTML.find((p) => p.name === 'textarea with the real input id')!.markup));
    await page.locator(`kbs-questionnaire label[for="${HIJACK.inputId}"]`).click();
    await page.keyboard.type('Ada');
    const recorded = await page.evaluate(({ linkId, inputId }) => {
      const el = document.querySelector('kbs-questionnaire') as HTMLElement & { buildResponse: () => fhir4.QuestionnaireResponse };
      const root = el.shadowRoot!;
      const active = root.activeElement as HTMLElement | null;
      return {
        focused: `${active?.localName}[data-path=${active?.dataset.path}]`,
        withId: root.querySelectorAll(`[id="${inputId}"]`).length,
        answer: el.buildResponse().item?.find((i) => i.linkId === linkId)?.answer?.[0]?.valueString,
      };
    }, HIJACK);
    expect(recorded).toEqual({ focused: `input[data-path=${HIJACK.linkId}]`, withId: 1, answer: 'Ada' });
    await page.close();
  });

  test('harmless markup keeps its formatting; links open safely', async () => {
    const page = await env.browser.newPage();
    await openPage(page, true);
    const out = await page.evaluate(async (q) => {
      const el = document.createElement('kbs-questionnaire') as HTMLElement & { questionnaire: unknown; ready: Promise<void> };
      el.questionnaire = q;
      document.getElementById('host')!.append(el);
      await el.ready;
      const display = el.shadowRoot!.querySelector('.display')!;
      return {
        tags: Array.from(display.querySelectorAll('*')).map((e) => e.localName),
        links: Array.from(display.querySelectorAll('a')).map((a) => [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')]),
        cell: [display.querySelector('td')!.colSpan, display.querySelector('th')!.getAttribute('scope')],
        abbr: display.querySelector('abbr')!.title,
        text: display.textContent,
      };
    }, { resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'note', type: 'display', text: 'plain', _text: { extension: [{ url: RENDERING_XHTML, valueString: HARMLESS_XHTML.markup }] } }] });
    expect(new Set(out.tags)).toEqual(new Set(HARMLESS_XHTML.tags));
    expect(out.links).toEqual([['https://www.nhs.uk/baby/', 'noopener noreferrer', null], ['mailto:team@example.org', 'noopener noreferrer', null]]);
    expect(out.cell).toEqual([2, 'col']);
    expect(out.abbr).toBe('Sudden infant death syndrome');
    expect(out.text).toContain('Put babies on their back every time.');
    await page.close();
  });
});
