/**
 * SDC observation-based extraction with inheritance: `observationExtract` and
 * `observation-extract-category` on the Questionnaire or a group apply to the items below, unless an
 * item sets its own; the category is survey only when nothing sets one.
 */
import { describe, expect, test } from 'vitest';
import {
  extractResources, OBSERVATION_CATEGORY, SDC_OBSERVATION_EXTRACT, SDC_OBSERVATION_EXTRACT_CATEGORY, type Questionnaire, type QuestionnaireResponse,
} from '../../src/engine/index.js';

const S = 'http://example.org/cs';
const extract = (on: boolean): fhir4.Extension => ({ url: SDC_OBSERVATION_EXTRACT, valueBoolean: on });
const category = (code: string): fhir4.Extension => ({ url: SDC_OBSERVATION_EXTRACT_CATEGORY, valueCodeableConcept: { coding: [{ system: OBSERVATION_CATEGORY, code }] } });
const coded = (linkId: string, extension?: fhir4.Extension[]): fhir4.QuestionnaireItem => ({ linkId, type: 'integer', code: [{ system: S, code: linkId }], ...(extension ? { extension } : {}) });

const response = (items: fhir4.QuestionnaireResponseItem[]): QuestionnaireResponse => ({
  resourceType: 'QuestionnaireResponse', status: 'completed', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:00000000-0000-4000-8000-000000000001' },
  subject: { reference: 'Patient/p' }, authored: '2026-01-01T12:00:00Z', item: items,
});
const answered = (linkId: string): fhir4.QuestionnaireResponseItem => ({ linkId, answer: [{ valueInteger: 1 }] });

interface Case { name: string; questionnaire: Omit<Questionnaire, 'resourceType' | 'status'>; response: fhir4.QuestionnaireResponseItem[]; expected: [string, string[]][] }

const cases: Case[] = [
  { name: 'nothing set: nothing extracted', questionnaire: { item: [coded('a')] }, response: [answered('a')], expected: [] },
  { name: 'Questionnaire-level: every coded answer, category survey', questionnaire: { extension: [extract(true)], item: [coded('a'), coded('b')] },
    response: [answered('a'), answered('b')], expected: [['a', ['survey']], ['b', ['survey']]] },
  { name: 'an item turns off what the Questionnaire turns on', questionnaire: { extension: [extract(true)], item: [coded('a', [extract(false)]), coded('b')] },
    response: [answered('a'), answered('b')], expected: [['b', ['survey']]] },
  { name: 'group-level: the items below inherit; items outside do not',
    questionnaire: { item: [{ linkId: 'g', type: 'group', extension: [extract(true)], item: [coded('a'), { linkId: 'inner', type: 'group', item: [coded('b')] }] }, coded('c')] },
    response: [{ linkId: 'g', item: [answered('a'), { linkId: 'inner', item: [answered('b')] }] }, answered('c')], expected: [['a', ['survey']], ['b', ['survey']]] },
  { name: 'a group turns off what the Questionnaire turns on',
    questionnaire: { extension: [extract(true)], item: [{ linkId: 'g', type: 'group', extension: [extract(false)], item: [coded('a'), coded('b', [extract(true)])] }] },
    response: [{ linkId: 'g', item: [answered('a'), answered('b')] }], expected: [['b', ['survey']]] },
  { name: 'category from the Questionnaire', questionnaire: { extension: [extract(true), category('vital-signs')], item: [coded('a')] },
    response: [answered('a')], expected: [['a', ['vital-signs']]] },
  { name: 'category from the nearest group, the item\'s own first',
    questionnaire: { extension: [extract(true), category('social-history')], item: [{ linkId: 'g', type: 'group', extension: [category('exam')], item: [coded('a'), coded('b', [category('laboratory')])] }, coded('c')] },
    response: [{ linkId: 'g', item: [answered('a'), answered('b')] }, answered('c')], expected: [['a', ['exam']], ['b', ['laboratory']], ['c', ['social-history']]] },
  { name: 'an item without a code is not extracted, even when inherited', questionnaire: { extension: [extract(true)], item: [{ linkId: 'a', type: 'integer' }] },
    response: [answered('a')], expected: [] },
];

describe('observationExtract inheritance and observation-extract-category', () => {
  test.each(cases)('$name', ({ questionnaire, response: items, expected }) => {
    const q = { resourceType: 'Questionnaire', status: 'active', ...questionnaire } as Questionnaire;
    const { observations } = extractResources({ questionnaire: q, response: response(items), responseReference: 'urn:uuid:x' });
    expect(observations.map((o) => [o.code.coding![0]!.code, (o.category ?? []).map((c) => c.coding![0]!.code)])).toEqual(expected);
  });
});
