/**
 * Restriction by definition: whether a record is restricted comes from the product's own definition
 * of the canonical URL, not from whatever copy a server returns. A copy can add the restriction,
 * never remove it. Guards: make `isRestricted` read only the extension again and the "copy without
 * the extension" rows fail.
 */
import { describe, expect, test } from 'vitest';
import { buildTransactionBundle, createCodeMapper, isRestricted, KBS_RESTRICTED_RECORD, RESTRICTED_QUESTIONNAIRES } from '../../src/engine/index.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { questionnaire } from '../support/content.js';
import { completeScenario } from '../support/scenarios.js';

const withoutRestriction = (q: fhir4.Questionnaire): fhir4.Questionnaire => ({ ...q, extension: (q.extension ?? []).filter((e) => e.url !== KBS_RESTRICTED_RECORD) });
let n = 0;
const newUuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

describe('isRestricted', () => {
  const da = questionnaire('domestic-abuse-enquiry');
  test.each([
    ['the bundled routine enquiry', da, true],
    ['a server copy of the routine enquiry without the extension', withoutRestriction(da), true],
    ['that copy with another version', { ...withoutRestriction(da), version: '9.9.9' }, true],
    ['the 8-week check', questionnaire('eight-week-check'), false],
    ['the 8-week check with the extension added by a server', { ...questionnaire('eight-week-check'), extension: [{ url: KBS_RESTRICTED_RECORD, valueBoolean: true }] }, true],
    ['another questionnaire that declares itself restricted', { resourceType: 'Questionnaire', status: 'active', url: 'https://example.org/q', extension: [{ url: KBS_RESTRICTED_RECORD, valueBoolean: true }] }, true],
    ['another questionnaire with no url', { resourceType: 'Questionnaire', status: 'active' }, false],
  ] as [string, fhir4.Questionnaire, boolean][])('%s → %s', (_name, q, restricted) => {
    expect(isRestricted(q)).toBe(restricted);
  });

  test('every bundled questionnaire that declares the restriction is in the product definition', () => {
    for (const template of ['eight-week-check', 'bed-sharing-assessment', 'domestic-abuse-enquiry'] as const) {
      const q = questionnaire(template);
      const declares = q.extension?.some((e) => e.url === KBS_RESTRICTED_RECORD && e.valueBoolean === true) ?? false;
      expect(RESTRICTED_QUESTIONNAIRES.has(q.url!)).toBe(declares);
    }
  });
});

describe('a routine enquiry built from a server copy without the restriction', () => {
  test.each(SCENARIOS.filter((s) => s.template === 'domestic-abuse-enquiry').map((s) => [s.name, s] as const))('%s: every resource carries R + SDV', (_name, scenario) => {
    const { response } = completeScenario(scenario);
    const { bundle } = buildTransactionBundle({
      questionnaire: withoutRestriction(questionnaire('domestic-abuse-enquiry')), response, mapCode: createCodeMapper([]), product: { name: 'kbs', version: '0' }, newUuid,
    });
    expect(bundle.entry!.length).toBeGreaterThan(1);
    for (const entry of bundle.entry!) {
      const codes = entry.resource!.meta?.security?.map((s) => s.code);
      expect(codes, entry.resource!.resourceType).toEqual(expect.arrayContaining(['R', 'SDV']));
    }
  });
});
