import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
// @ts-expect-error plain ESM script without types
import { lintBoundaries } from '../../scripts/lint-boundaries.mjs';

test('src/ keeps its import boundaries', () => {
  expect(lintBoundaries('src')).toEqual([]);
});

test('the boundary check catches each kind of violation', () => {
  const src = mkdtempSync(join(tmpdir(), 'kbs-boundaries-'));
  const write = (path: string, lines: string[]) => {
    mkdirSync(join(src, path, '..'), { recursive: true });
    writeFileSync(join(src, path), lines.join('\n'));
  };
  write('engine/bad.ts', [
    "import { createFhirGateway } from '../fhir/gateway.js';",
    "import { KbsQuestionnaire } from '../components/questionnaire/kbs-questionnaire.js';",
    "import { startFhirServer } from '../server/fhir-server.js';",
    "import { answersEqual } from './answers.js';", // allowed
  ]);
  write('server/cli.ts', ["import { Client } from 'fhir-kit-client';", "import { createClient } from '../fhir/client.js';"]);
  write('components/x/bad.ts', [
    "import { seedDemo } from '../../server/seed.js';",
    "import { Outbox } from '../../fhir/outbox.js';",
    "import type { KbsGateway } from '../../fhir/gateway.js';", // allowed
    'const r = await fetch("/fhir/Patient");',
    "import Client from 'fhir-kit-client';",
  ]);
  write('demo/page.ts', ['const r = await fetch(`${base}/Task`);', 'const x = new XMLHttpRequest();', "// fetch('/in a comment') is fine"]);
  write('fhir/client.ts', ["import { Client } from 'fhir-kit-client';"]); // allowed
  const problems: string[] = lintBoundaries(src);
  expect(problems.map((p) => p.replace(/^.*kbs-boundaries-[^/]+\//, '').replace(/ \(.*$/, '').replace(/;.*$/, '')).sort()).toEqual([
    'components/x/bad.ts:1: a component imports server/',
    'components/x/bad.ts:2: a component imports fhir/outbox.js',
    'components/x/bad.ts:4: a component does its own network I/O',
    'components/x/bad.ts:5: imports fhir-kit-client outside src/fhir',
    'demo/page.ts:1: the demo does its own network I/O',
    'demo/page.ts:2: the demo does its own network I/O',
    'engine/bad.ts:1: the engine imports fhir/',
    'engine/bad.ts:2: the engine imports components/',
    'engine/bad.ts:3: the engine imports server/',
    'server/cli.ts:1: imports fhir-kit-client outside src/fhir',
  ]);
});
