/**
 * Every template in real Chromium: completed by keyboard only, saved through the real gateway to the
 * embedded server, and the stored response equals the golden one. axe-core finds no WCAG 2.2 A/AA
 * violation in the empty, error and read-only states. Screenshots at desktop width and 360 px.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GOLDEN_META, SCENARIOS, type Scenario } from '../fixtures/scenarios.js';
import { ROOT } from '../support/content.js';
import { axeViolations, completeByKeyboard, openHarness, screenshot, useBrowserAndServer } from './support.js';

const TAGS = { 'eight-week-check': 'kbs-eight-week-check', 'bed-sharing-assessment': 'kbs-bed-sharing-assessment', 'domestic-abuse-enquiry': 'kbs-domestic-abuse-enquiry' } as const;

const env = useBrowserAndServer();

/** Puts a template on the harness page, wired to the server like a record system would. */
async function mount(page: Page, template: Scenario['template'], options: { identifier?: string; readonly?: boolean; response?: unknown } = {}) {
  await openHarness(page, env.server);
  await page.evaluate(({ tag, meta, identifier, readonly, response }) => {
    const el = document.createElement(tag) as unknown as HTMLElement & Record<string, unknown>;
    el.setAttribute('fhir-base-url', `${location.origin}/fhir`);
    el.now = () => new Date('2026-11-22T10:30:00Z');
    el.newId = () => identifier;
    el.author = meta.author;
    if (tag === 'kbs-domestic-abuse-enquiry') el.mother = meta.mother;
    else {
      el.patient = meta.baby;
      el.encounter = meta.encounter;
    }
    if (readonly) el.readonly = true;
    if (response) el.response = response;
    const events: string[] = [];
    (window as unknown as { kbsEvents: string[] }).kbsEvents = events;
    for (const name of ['kbs-saved', 'kbs-save-error', 'kbs-invalid', 'kbs-submit']) el.addEventListener(name, () => events.push(name));
    document.getElementById('host')!.append(el);
  }, { tag: TAGS[template], meta: { ...GOLDEN_META, now: undefined }, identifier: options.identifier ?? crypto.randomUUID(), readonly: options.readonly ?? false, response: options.response });
  await page.evaluate((tag) => (document.querySelector(tag) as HTMLElement & { ready: Promise<void> }).ready, TAGS[template]);
}

const events = (page: Page) => page.evaluate(() => (window as unknown as { kbsEvents: string[] }).kbsEvents);

describe.each(SCENARIOS)('$template: $name', (scenario) => {
  test('completed by keyboard only, it saves the golden response', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A fresh identifier per run, so a re-run against the same server is a new form instance.
    const identifier = crypto.randomUUID();
    await mount(page, scenario.template, { identifier });
    const gate = scenario.template === 'domestic-abuse-enquiry'
      ? scenario.name === 'not-asked-partner-present' ? { alone: false, private: true, interpreter: true } : { alone: true, private: true, interpreter: true }
      : undefined;
    const answers = scenario.template === 'domestic-abuse-enquiry' && gate?.alone === false
      ? scenario.answers.filter(([p]) => p !== 'completed' && p !== 'not-completed/reason') // set by the gate
      : scenario.answers;
    await completeByKeyboard(page, { answers, gate });
    await page.waitForFunction(() => (window as unknown as { kbsEvents: string[] }).kbsEvents.some((e) => e === 'kbs-saved' || e === 'kbs-save-error' || e === 'kbs-invalid'));
    expect(await events(page)).toEqual(['kbs-submit', 'kbs-saved']);

    const [, found] = await env.server.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|urn:uuid:${identifier}`)}`);
    const entries = (found as fhir4.Bundle).entry ?? [];
    expect(entries).toHaveLength(1);
    const { id: _id, meta, ...stored } = entries[0]!.resource as fhir4.QuestionnaireResponse;
    const golden = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/responses', `${scenario.template}.${scenario.name}.json`), 'utf8'));
    expect(stored).toEqual({ ...golden, identifier: { ...golden.identifier, value: `urn:uuid:${identifier}` } });
    if (scenario.template === 'domestic-abuse-enquiry') expect(meta?.security?.map((s) => s.code)).toEqual(['R', 'SDV']);
    await page.close();
  });
});

describe.each(Object.keys(TAGS) as Scenario['template'][])('%s', (template) => {
  test('has no axe-core WCAG 2.2 A/AA violations: empty, error and read-only; screenshots', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await mount(page, template);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `${template}-desktop-empty`);

    if (template === 'domestic-abuse-enquiry') {
      // Through the gate (all safe) to the questions.
      await page.evaluate(() => {
        const root = document.querySelector('kbs-domestic-abuse-enquiry')!.shadowRoot!;
        for (const key of ['alone', 'private', 'interpreter']) (root.getElementById(`gate-${key}-true`) as HTMLInputElement).click();
        (root.querySelector('.gate button') as HTMLButtonElement).click();
      });
      await page.waitForFunction(() => document.querySelector('kbs-domestic-abuse-enquiry')!.shadowRoot!.querySelector('kbs-questionnaire')?.shadowRoot?.querySelector('form'));
      await page.evaluate(() => (document.querySelector('kbs-domestic-abuse-enquiry') as HTMLElement & { ready: Promise<void> }).ready);
    }
    // Error state: save with nothing answered.
    await page.evaluate((tag) => {
      const inner = document.querySelector(tag)!.shadowRoot!.querySelector('kbs-questionnaire')!;
      (inner.shadowRoot!.querySelector('button[type=submit]') as HTMLButtonElement).click();
    }, TAGS[template]);
    await page.waitForFunction((tag) => document.querySelector(tag)!.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('.error-summary'), TAGS[template]);
    const focusedSummary = await page.evaluate((tag) => document.querySelector(tag)!.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!.activeElement?.className, TAGS[template]);
    // Every template, the 8-week check included: focus moves to the error summary so a screen reader
    // announces it. Guards the mutation "drop the error summary's focus() after a failed submit".
    expect(focusedSummary).toBe('error-summary');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `${template}-desktop-errors`);

    // Read-only: a golden response shown as a summary.
    const scenario = SCENARIOS.find((s) => s.template === template)!;
    const golden = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/responses', `${template}.${scenario.name}.json`), 'utf8'));
    const readonlyPage = await env.browser.newPage({ viewport: { width: 360, height: 800 } });
    await mount(readonlyPage, template, { readonly: true, response: golden });
    expect(await axeViolations(readonlyPage)).toEqual([]);
    await screenshot(readonlyPage, `${template}-360-readonly`);

    const narrow = await env.browser.newPage({ viewport: { width: 360, height: 800 } });
    await mount(narrow, template);
    expect(await axeViolations(narrow)).toEqual([]);
    await screenshot(narrow, `${template}-360-empty`);
    await Promise.all([page.close(), readonlyPage.close(), narrow.close()]);
  });
});

describe('a record saved, then changed on the same screen', () => {
  test('the second save is refused with a reason, never "Saved" over a record that did not change', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const identifier = crypto.randomUUID();
      await mount(page, 'eight-week-check', { identifier });
      const click = (path: string, option: string) => page.evaluate(({ path, option }) => {
        const form = document.querySelector('kbs-eight-week-check')!.shadowRoot!.querySelector('kbs-questionnaire')!;
        (form.shadowRoot!.querySelector(`input[data-path="${path}"][data-option="${option}"]`) as HTMLInputElement).click();
        return form.updateComplete;
      }, { path, option });
      const save = () => page.evaluate(() => document.querySelector('kbs-eight-week-check')!.shadowRoot!.querySelector('kbs-questionnaire')!.submit());
      await click('kbs/advice-child-safety', 'true');
      expect((await save())?.state).toBe('saved');
      await click('kbs/safer-sleep/info-infant-safe-sleeping', 'true');
      expect(await save()).toBeUndefined();
      const status = await page.evaluate(() => document.querySelector('kbs-eight-week-check')!.shadowRoot!.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('[part="status"]')!.textContent!.trim());
      expect(status).toMatch(/^Not saved: this record is already in the record system/);
      expect(await events(page)).toEqual(['kbs-submit', 'kbs-saved', 'kbs-save-error']);
      const [, found] = await env.server.request('GET', `/QuestionnaireResponse?identifier=${encodeURIComponent(`urn:ietf:rfc:3986|urn:uuid:${identifier}`)}`);
      expect((found as fhir4.Bundle).entry).toHaveLength(1);
    } finally {
      await page.close();
    }
  });
});
