/**
 * Renderings that questionnaires from elsewhere ask for: choiceOrientation, entryFormat, regex with
 * its message, and an autocomplete box for long lists. Keyboard, axe and the saved response.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CHOICE_ORIENTATION, ENTRY_FORMAT, QUESTIONNAIRE_ITEM_CONTROL, REGEX } from '../../src/engine/index.js';
import { axeViolations, openHarness, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();
const S = 'http://example.org/cs';
const countries = Array.from({ length: 30 }, (_, i) => ({ valueCoding: { system: S, code: `c${i}`, display: `Country ${String.fromCharCode(65 + (i % 26))}${i}` } }));

const questionnaire: fhir4.Questionnaire = {
  resourceType: 'Questionnaire', status: 'active', title: 'Renderings',
  item: [
    { linkId: 'colour', text: 'Colour', type: 'choice', extension: [{ url: CHOICE_ORIENTATION, valueCode: 'horizontal' }], answerOption: [{ valueString: 'Red' }, { valueString: 'Green' }] },
    { linkId: 'smoker', text: 'Smoker', type: 'boolean', extension: [{ url: CHOICE_ORIENTATION, valueCode: 'vertical' }] },
    { linkId: 'code', text: 'Reference code', type: 'string', required: true, extension: [{ url: REGEX, valueString: '\\d{3}-\\d{3}' }, { url: ENTRY_FORMAT, valueString: 'nnn-nnn' }] },
    { linkId: 'country', text: 'Country', type: 'choice', answerOption: countries },
    { linkId: 'language', text: 'Language', type: 'open-choice', extension: [{ url: QUESTIONNAIRE_ITEM_CONTROL, valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'autocomplete' }] } }], answerOption: [{ valueString: 'English' }, { valueString: 'Welsh' }] },
  ],
};

const shadow = <T>(page: Page, fn: (root: ShadowRoot) => T) =>
  page.evaluate(`(${fn.toString()})(document.querySelector('kbs-questionnaire').shadowRoot)`) as Promise<T>;

async function mount(page: Page): Promise<void> {
  await openHarness(page, env.server);
  await page.evaluate(async (q) => {
    const el = document.createElement('kbs-questionnaire') as unknown as HTMLElement & { questionnaire: unknown; ready: Promise<void> };
    el.questionnaire = q;
    document.querySelector('#host')!.append(el);
    await el.ready;
  }, questionnaire);
}

describe('renderings asked for by questionnaires from elsewhere', () => {
  test('orientation, entry format, regex and autocomplete', async () => {
    const page = await env.browser.newPage();
    try {
      await mount(page);
      const layout = await shadow(page, (root) => ({
        colour: root.querySelector('input[data-path="colour"]')!.closest('.choices')!.className,
        smoker: root.querySelector('input[data-path="smoker"]')!.closest('.choices')!.className,
        placeholder: (root.querySelector('input[data-path="code"]') as HTMLInputElement).placeholder,
        hint: root.querySelector('#q-code-hint')?.textContent ?? [...root.querySelectorAll('.hint')].map((h) => h.textContent).join('|'),
        country: [root.querySelector('input[data-path="country"]')?.getAttribute('list'), root.querySelectorAll('datalist option').length],
        language: root.querySelector('input[data-path="language"]')?.getAttribute('data-control'),
      }));
      expect(layout.colour).toBe('choices choices--inline');
      expect(layout.smoker).toBe('choices');
      expect(layout.placeholder).toBe('nnn-nnn');
      expect(layout.hint).toContain('Format: nnn-nnn');
      expect(layout.country[1]).toBe(32);
      expect(layout.language).toBe('autocomplete');
      expect(await axeViolations(page)).toEqual([]);

      // By keyboard: a code in the wrong format, an exact option label, free text on open-choice.
      await page.locator('input[data-path="code"]').fill('12-345');
      await page.locator('input[data-path="country"]').fill('Country C2');
      await page.locator('input[data-path="language"]').fill('Cornish');
      await page.locator('button[type=submit]').press('Enter');
      await page.waitForFunction(() => document.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('.error-summary'));
      const summary = await shadow(page, (root) => root.querySelector('.error-summary')?.textContent?.replace(/\s+/g, ' ') ?? '');
      expect(summary).toContain('Enter reference code in the right format, like nnn-nnn');
      expect(await axeViolations(page)).toEqual([]);

      await page.locator('input[data-path="code"]').fill('123-456');
      const response = await page.evaluate(() => (document.querySelector('kbs-questionnaire') as unknown as { buildResponse(): fhir4.QuestionnaireResponse }).buildResponse());
      expect(response.item).toEqual([
        { linkId: 'code', text: 'Reference code', answer: [{ valueString: '123-456' }] },
        { linkId: 'country', text: 'Country', answer: [{ valueCoding: { system: S, code: 'c2', display: 'Country C2' } }] },
        { linkId: 'language', text: 'Language', answer: [{ valueString: 'Cornish' }] },
      ]);
    } finally {
      await page.close();
    }
  });

  test('a typed country that is not in the list is refused on save, in words', async () => {
    const page = await env.browser.newPage();
    try {
      await mount(page);
      await page.locator('input[data-path="code"]').fill('123-456');
      await page.locator('input[data-path="country"]').fill('Atlantis');
      await page.locator('button[type=submit]').press('Enter');
      await page.waitForFunction(() => document.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('.error-summary'));
      expect(await shadow(page, (root) => root.querySelector('.error-summary')?.textContent ?? '')).toContain('Select one of the options listed: country');
    } finally {
      await page.close();
    }
  });
});
