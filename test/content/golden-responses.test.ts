/**
 * Golden responses: each template's main scenarios, built by the engine, compared with the files in
 * test/fixtures/responses. Regenerate deliberately with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isEnabled } from '../../src/engine/index.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { ROOT } from '../support/content.js';
import { medplumErrors, schemaErrors } from '../support/fhir-validation.js';
import { completeScenario } from '../support/scenarios.js';

describe.each(SCENARIOS)('$template: $name', (scenario) => {
  const { state, response, issues } = completeScenario(scenario);
  const file = join(ROOT, 'test/fixtures/responses', `${scenario.template}.${scenario.name}.json`);

  test('completes with no validation issues', () => {
    expect(issues).toEqual([]);
  });

  test('matches its golden response', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(response, null, 2)}\n`);
    expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/content`).toBe(true);
    expect(response).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  test('validates against the R4 schema and Medplum', () => {
    expect(schemaErrors(response)).toEqual([]);
    expect(medplumErrors(response)).toEqual([]);
  });

  if (scenario.template === 'bed-sharing-assessment') {
    test('shows exactly one outcome, the right one', () => {
      const advisedNot = isEnabled(state, 'checklist/outcome-advised-not-to-bed-share');
      const noRisk = isEnabled(state, 'checklist/outcome-no-checklist-risk');
      expect([advisedNot, noRisk]).toEqual(scenario.name === 'smoking-yes' ? [true, false] : [false, true]);
    });
  }
});
