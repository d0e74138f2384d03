/**
 * <kbs-questionnaire> on questionnaires written by others, in Chromium: options on integer and
 * date items and of mixed types render as choice lists; a choice question whose options cannot be
 * loaded shows a notice, never an empty list; contained ValueSets and a valueSetResolver give
 * options; load warnings reach the integrator (event and console), not the clinician; JSON text
 * keeps FHIRPath; LHC-Forms style linkIds render and are validated.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { SDC_CALCULATED_EXPRESSION } from '../../src/engine/index.js';
import { openHarness, useBrowserAndServer } from './support.js';

const env = useBrowserAndServer();
const S = 'http://example.org/cs';

const questionnaire: fhir4.Questionnaire = {
  resourceType: 'Questionnaire', status: 'active', title: 'Third-party form',
  contained: [{ resourceType: 'ValueSet', id: 'colours', status: 'active', compose: { include: [{ system: S, concept: [{ code: 'r', display: 'Red' }, { code: 'g', display: 'Green' }] }] } } as fhir4.ValueSet],
  item: [
    { linkId: '/8302-2', text: 'Body height', type: 'decimal', required: true },
    { linkId: 'count', text: 'How many', type: 'integer', answerOption: [{ valueInteger: 1 }, { valueInteger: 2 }] },
    { linkId: 'when', text: 'Which day', type: 'date', answerOption: [{ valueDate: '2026-01-01' }, { valueDate: '2026-02-01' }] },
    { linkId: 'mixed', text: 'Mixed', type: 'choice', answerOption: [{ valueCoding: { system: S, code: 'y', display: 'Coded yes' } }, { valueString: 'Plain text' }, { valueInteger: 3 }] },
    { linkId: 'colour', text: 'Colour', type: 'choice', answerValueSet: '#colours' },
    { linkId: 'loinc', text: 'Answer list', type: 'choice', answerValueSet: 'http://loinc.org/vs/LL1-9' },
    { linkId: 'external', text: 'External', type: 'choice', answerValueSet: 'http://example.org/vs/unknown' },
    { linkId: 'open', text: 'Open', type: 'open-choice', answerValueSet: 'http://example.org/vs/unknown' },
  ],
};

interface Mounted { warnings: { code: string; location: string }[]; consoleWarnings: string[] }

async function mount(page: Page, q: fhir4.Questionnaire | string, withResolver: boolean): Promise<Mounted> {
  const consoleWarnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'warning') consoleWarnings.push(m.text()); });
  await openHarness(page, env.server);
  const warnings = await page.evaluate(async ({ q, withResolver }) => {
    const el = document.createElement('kbs-questionnaire');
    const warnings: { code: string; location: string }[] = [];
    document.addEventListener('kbs-load-warning', (e) => warnings.push(...(e as CustomEvent<{ issues: { code: string; location: string }[] }>).detail.issues.map(({ code, location }) => ({ code, location }))));
    if (withResolver) el.valueSetResolver = async (c) => (c === 'http://loinc.org/vs/LL1-9' ? [{ system: 'http://loinc.org', code: 'LA33-6', display: 'Yes' }] : undefined);
    el.questionnaire = q;
    document.querySelector('#host')!.append(el);
    await el.updateComplete;
    await el.ready;
    return warnings;
  }, { q, withResolver });
  return { warnings, consoleWarnings };
}

const shadow = <T>(page: Page, fn: (root: ShadowRoot) => T) =>
  page.evaluate(`(${fn.toString()})(document.querySelector('kbs-questionnaire').shadowRoot)`) as Promise<T>;

describe('<kbs-questionnaire> on third-party questionnaires', () => {
  test('options render as choice lists; unresolved ones show a notice; warnings go to the integrator', async () => {
    const page = await env.browser.newPage();
    try {
      const { warnings, consoleWarnings } = await mount(page, questionnaire, true);
      const labels = await shadow(page, (root) => {
        const byPath = (p: string) => [...root.querySelectorAll(`input[data-path="${p}"]`)].map((i) => (i as HTMLInputElement).dataset.option);
        return { count: byPath('count'), when: byPath('when'), mixed: byPath('mixed'), colour: byPath('colour'), loinc: byPath('loinc'), height: root.querySelectorAll('input[data-path="%2F8302-2"]').length };
      });
      expect(labels).toEqual({ count: ['1', '2'], when: ['2026-01-01', '2026-02-01'], mixed: ['Coded yes', 'Plain text', '3'], colour: ['Red', 'Green'], loinc: ['Yes'], height: 1 });
      const notices = await shadow(page, (root) => [...root.querySelectorAll('[data-no-options]')].map((n) => [(n as HTMLElement).dataset.noOptions, n.textContent?.replace(/\s+/g, ' ').trim()]));
      expect(notices).toEqual([
        ['external', 'The options for this question could not be loaded. Record the answer in the usual way, and tell your system administrator: http://example.org/vs/unknown'],
        ['open', 'The options for this question could not be loaded. Record the answer in the usual way, and tell your system administrator: http://example.org/vs/unknown'],
      ]);
      // The warnings are for the integrator: in the event and the console, never in the form.
      expect(warnings).toEqual([
        { code: 'value-set-not-resolved', location: 'Questionnaire.item[6].answerValueSet' },
        { code: 'value-set-not-resolved', location: 'Questionnaire.item[7].answerValueSet' },
      ]);
      expect(consoleWarnings.filter((w) => w.startsWith('kbs-questionnaire:'))).toHaveLength(1);
      expect(await shadow(page, (root) => root.textContent?.includes('value-set-not-resolved') ?? false)).toBe(false);

      // Choosing an integer option records it; the LHC-Forms style linkId is required.
      await shadow(page, (root) => (root.querySelector('input[data-path="count"][data-option="2"]') as HTMLInputElement).click());
      await shadow(page, (root) => (root.querySelector('button[type=submit]') as HTMLButtonElement).click());
      await page.waitForFunction(() => document.querySelector('kbs-questionnaire')!.shadowRoot!.querySelector('.error-summary'));
      const summary = await shadow(page, (root) => root.querySelector('.error-summary')?.textContent ?? '');
      expect(summary).toContain('body height');
      const response = await page.evaluate(() => (document.querySelector('kbs-questionnaire') as unknown as { buildResponse(): fhir4.QuestionnaireResponse }).buildResponse());
      expect(response.item).toEqual([{ linkId: 'count', text: 'How many', answer: [{ valueInteger: 2 }] }]);
    } finally {
      await page.close();
    }
  });

  test('without a resolver an external answerValueSet is a notice too; JSON text keeps FHIRPath', async () => {
    const page = await env.browser.newPage();
    try {
      const q: fhir4.Questionnaire = {
        ...questionnaire,
        item: [
          ...questionnaire.item!,
          { linkId: 'two', text: 'Two', type: 'integer', readOnly: true, extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: '1 + 1' } }] },
        ],
      };
      const { warnings } = await mount(page, JSON.stringify(q), false);
      expect(warnings.map((w) => w.location)).toEqual(['Questionnaire.item[5].answerValueSet', 'Questionnaire.item[6].answerValueSet', 'Questionnaire.item[7].answerValueSet']);
      const state = await shadow(page, (root) => ({
        notices: [...root.querySelectorAll('[data-no-options]')].map((n) => (n as HTMLElement).dataset.noOptions),
        two: root.textContent?.replace(/\s+/g, ' ').includes('Two 2') ?? false,
      }));
      expect(state.notices).toEqual(['loinc', 'external', 'open']);
      const response = await page.evaluate(() => (document.querySelector('kbs-questionnaire') as unknown as { buildResponse(): fhir4.QuestionnaireResponse }).buildResponse());
      expect(response.item).toEqual([{ linkId: 'two', text: 'Two', answer: [{ valueInteger: 2 }] }]);
    } finally {
      await page.close();
    }
  });

  test('through the gateway: an external answerValueSet is expanded, and x-fhir-query population fills the form', async () => {
    const page = await env.browser.newPage();
    try {
      await openHarness(page, env.server);
      const result = await page.evaluate(async () => {
        const asked: string[] = [];
        const el = document.createElement('kbs-questionnaire') as unknown as HTMLElement & Record<string, unknown> & { ready: Promise<void>; updateComplete: Promise<boolean>; state?: { answers: Map<string, unknown[]> } };
        el.gateway = {
          onResult: () => () => undefined,
          expandValueSet: async (canonical: string) => {
            asked.push(`expand ${canonical}`);
            if (canonical === 'http://example.org/vs/unknown') throw new Error('not known here');
            return [{ system: 'http://loinc.org', code: 'LA33-6', display: 'Yes' }, { system: 'http://loinc.org', code: 'LA32-8', display: 'No' }];
          },
          query: async (search: string) => {
            asked.push(`query ${search}`);
            return { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', id: 'p1', name: [{ given: ['Ada'] }] } }] };
          },
        };
        el.patient = { reference: 'Patient/p1' };
        el.questionnaire = {
          resourceType: 'Questionnaire', status: 'active',
          extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/variable', valueExpression: { name: 'me', language: 'application/x-fhir-query', expression: 'Patient?_id={{%patient.reference.substring(8)}}' } }],
          item: [
            { linkId: 'loinc', text: 'Answer list', type: 'choice', answerValueSet: 'http://loinc.org/vs/LL1-9' },
            { linkId: 'external', text: 'External', type: 'choice', answerValueSet: 'http://example.org/vs/unknown' },
            { linkId: 'name', text: 'Name', type: 'string', extension: [{ url: 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression', valueExpression: { language: 'text/fhirpath', expression: '%me.entry.resource.name.given.first()' } }] },
          ],
        };
        document.querySelector('#host')!.append(el);
        await el.ready;
        for (let i = 0; i < 50 && !el.state?.answers.get('name'); i++) await new Promise((r) => setTimeout(r, 20));
        await el.updateComplete;
        const root = el.shadowRoot!;
        return {
          asked: asked.sort(),
          loinc: [...root.querySelectorAll('input[data-path="loinc"]')].map((i) => (i as HTMLInputElement).dataset.option),
          notices: [...root.querySelectorAll('[data-no-options]')].map((n) => (n as HTMLElement).dataset.noOptions),
          name: (root.querySelector('input[data-path="name"]') as HTMLInputElement | null)?.value,
        };
      });
      expect(result).toEqual({
        asked: ['expand http://example.org/vs/unknown', 'expand http://loinc.org/vs/LL1-9', 'query Patient?_id=p1'],
        loinc: ['Yes', 'No'], notices: ['external'], name: 'Ada',
      });
    } finally {
      await page.close();
    }
  });
});
