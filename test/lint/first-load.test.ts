/**
 * What a page loads before a template's first question: the script-tag bundle and the chunks it
 * imports statically. The schema validator and FHIRPath are lazy chunks (import()), loaded only for
 * questionnaires that need them. Reports the gzip size of the first-load graph.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../support/content.js';

const BUNDLE = join(ROOT, 'dist', 'bundle');
const built = existsSync(join(BUNDLE, 'kbs.js'));
const staticImports = (code: string) => [...code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w${},\s*]+from\s*)?["']\.\/([^"']+)["']/g)].map((m) => m[1]!);
const dynamicImports = (code: string) => [...code.matchAll(/import\(\s*["']\.\/([^"']+)["']\s*\)/g)].map((m) => m[1]!);

function firstLoad(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of staticImports(readFileSync(join(BUNDLE, file), 'utf8'))) visit(next);
  };
  visit(entry);
  return [...seen];
}

describe.skipIf(!built)('the first load of a template (dist/bundle, built by npm test)', () => {
  test('has no schema validator, no FHIRPath and no XHTML sanitiser: each is a chunk loaded by import() only', () => {
    const graph = firstLoad('kbs.js');
    const code = graph.map((f) => readFileSync(join(BUNDLE, f), 'utf8')).join('\n');
    // Marks of the generated validator (its schema's definitions) and of fhirpath.js.
    expect(code.includes('#/definitions/Meta'), 'the schema validator is in the first load').toBe(false);
    expect(graph.filter((f) => f.startsWith('fhirpath') || f.startsWith('questionnaire-validator') || f.startsWith('xhtml'))).toEqual([]);
    expect(code.includes("'selectedcontent'") || code.includes('"selectedcontent"'), 'the XHTML sanitiser is in the first load').toBe(false);
    const lazy = graph.flatMap((f) => dynamicImports(readFileSync(join(BUNDLE, f), 'utf8')));
    expect(lazy.some((f) => f.startsWith('questionnaire-validator'))).toBe(true);
    expect(lazy.some((f) => f.startsWith('fhirpath'))).toBe(true);
    expect(lazy.some((f) => f.startsWith('xhtml'))).toBe(true);
    const validator = readdirSync(BUNDLE).find((f) => f.startsWith('questionnaire-validator') && f.endsWith('.js'))!;
    expect(readFileSync(join(BUNDLE, validator), 'utf8').includes('#/definitions/Meta')).toBe(true);
  });

  test('its size, gzip -9 (a ceiling with some margin: a regression shows here, the measure is in bench/)', () => {
    const graph = firstLoad('kbs.js');
    const gzip = graph.reduce((sum, f) => sum + gzipSync(readFileSync(join(BUNDLE, f)), { level: 9 }).length, 0);
    console.log(`first load of a template: ${graph.join(', ')} = ${(gzip / 1024).toFixed(1)} KB gzip`);
    expect(gzip).toBeLessThan(42 * 1024);
  });

  test('has no network code and no write-back: the gateway, fhir-kit-client and the extraction load after the first paint', () => {
    const graph = firstLoad('kbs.js');
    const code = graph.map((f) => readFileSync(join(BUNDLE, f), 'utf8')).join('\n');
    // Marks of fhir-kit-client, of the write protocol's transaction and of the outbox's IndexedDB store.
    expect(code.includes('fhir-kit-client'), 'fhir-kit-client is in the first load').toBe(false);
    expect(code.includes('ifNoneExist'), 'the transaction builder is in the first load').toBe(false);
    expect(code.includes('indexedDB'), 'the outbox is in the first load').toBe(false);
    const lazy = graph.flatMap((f) => dynamicImports(readFileSync(join(BUNDLE, f), 'utf8')));
    expect(lazy.some((f) => f.startsWith('gateway'))).toBe(true);
  });

  test("carries no template's content: each template's questionnaire is a chunk of its own", () => {
    const graph = firstLoad('kbs.js');
    const code = graph.map((f) => readFileSync(join(BUNDLE, f), 'utf8')).join('\n');
    for (const text of ['Keeping babies safe is a priority', 'Put babies on their back for every sleep.', 'Routine enquiry completed with the mother alone?']) expect(code.includes(text), text).toBe(false);
    const lazy = graph.flatMap((f) => dynamicImports(readFileSync(join(BUNDLE, f), 'utf8')));
    for (const name of ['eight-week-check', 'bed-sharing-assessment', 'domestic-abuse-enquiry']) expect(lazy.some((f) => f.startsWith(name)), name).toBe(true);
  });

  test('the audit is a script of its own: the templates never load it', () => {
    const graph = firstLoad('kbs.js');
    expect(graph).not.toContain('kbs-audit.js');
    expect(graph.map((f) => readFileSync(join(BUNDLE, f), 'utf8')).join('\n').includes('customElement("kbs-audit")')).toBe(false);
  });
});
