import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
// @ts-expect-error plain ESM script without types
import { lintEngine } from '../../scripts/lint-engine.mjs';

test('src/engine imports no Lit, FHIR client, ajv compiler or I/O, and touches no DOM', () => {
  expect(lintEngine('src/engine')).toEqual([]);
});

test('the purity check catches each kind of violation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-lint-'));
  writeFileSync(join(dir, 'bad.ts'), [
    "import { html } from 'lit';",
    "import Client from 'fhir-kit-client';",
    "import Ajv from 'ajv';",
    "import { readFileSync } from 'node:fs';",
    'document.title = "x";',
    'await fetch("/x");',
    'new Function("return 1");',
    "import equal from 'ajv/dist/runtime/equal';",
  ].join('\n'));
  const problems: string[] = lintEngine(dir);
  expect(problems.map((p) => p.replace(/^.*bad\.ts:/, ''))).toEqual([
    '1: imports Lit',
    '2: imports the FHIR client',
    "3: imports ajv's compiler (use the build-time standalone validators)",
    '4: imports a Node built-in (I/O)',
    '5: touches a DOM/browser global',
    '6: does network I/O',
    '7: generates code at run time (breaks a strict CSP)',
  ]);
});
