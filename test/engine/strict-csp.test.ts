import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SDC_CALCULATED_EXPRESSION, SDC_ENABLE_WHEN_EXPRESSION } from '../../src/engine/index.js';

test('the engine runs with run-time code generation switched off (strict CSP)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-csp-'));
  const plain = join(dir, 'plain.json');
  const expressions = join(dir, 'expressions.json');
  writeFileSync(plain, JSON.stringify({
    resourceType: 'Questionnaire', status: 'active',
    item: [{ linkId: 'a', type: 'boolean', text: 'A' }, { linkId: 'b', type: 'boolean', text: 'B', enableWhen: [{ question: 'a', operator: '=', answerBoolean: true }] }],
  }));
  writeFileSync(expressions, JSON.stringify({
    resourceType: 'Questionnaire', status: 'active',
    item: [
      { linkId: 'a', type: 'boolean', text: 'A' },
      { linkId: 'n', type: 'integer', text: 'N', extension: [{ url: SDC_CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: "%resource.item.where(linkId='a').answer.count()" } }] },
      { linkId: 'c', type: 'boolean', text: 'C', extension: [{ url: SDC_ENABLE_WHEN_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: '%resource.item.count() > 0' } }] },
    ],
  }));
  const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', join(__dirname, '../support/strict-csp-probe.mjs'), plain, expressions], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout);
  // The switch really is on (so this test can fail)…
  expect(result.evalBlocked).toBe(true);
  expect(result.functionBlocked).toBe(true);
  // …and the engine, schema validation and FHIRPath all ran under it.
  expect(result.steps).toEqual([
    { file: plain, errors: 0, items: 2 },
    { file: expressions, errors: 0, items: 3 },
  ]);
});
