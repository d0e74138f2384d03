/**
 * The fixture of quoted passages (test/fixtures/source-passages.json) and the copy of the verified
 * SNOMED CT list (test/fixtures/verified-snomed.tsv) are confirmed against the full source documents
 * when the team's shared folder sits beside the repository (../shared, as in CI). In a clone on its
 * own the confirmation is skipped, and says so; the content tests still run against the fixture.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { collapseSpace, ROOT, sourceDocuments, VERIFIED_SNOMED } from '../support/content.js';

const SHARED = join(ROOT, '..', 'shared');
const present = existsSync(join(SHARED, 'seeds'));
const SKIPPED = `../shared is not beside the repository (looked in ${SHARED}): the quoted passages and the verified SNOMED CT list are not re-confirmed against their sources in this run`;
if (!present) console.log(`source-passages: skipped, ${SKIPPED}`);

describe('the source fixture', () => {
  test('every passage carries its citation: title, publisher, section', () => {
    for (const document of sourceDocuments()) {
      expect(document.title, document.id).toBeTruthy();
      expect(document.publisher, document.id).toBeTruthy();
      expect(document.sections.length, document.id).toBeGreaterThan(0);
      for (const { section, passages } of document.sections) {
        expect(section).toBeTruthy();
        expect(passages.length, section).toBeGreaterThan(0);
      }
    }
  });

  test.for(sourceDocuments().map((d) => [d.id, d] as const))('%s: every passage is word for word in the full document', ([, document], ctx) => {
    if (!present) return ctx.skip(SKIPPED);
    // The seed files are named by a prefix and a hash; the fixture names the file.
    const file = join(SHARED, 'seeds', basename(document.source));
    const dir = dirname(file);
    expect(existsSync(file), `${file} (have: ${readdirSync(dir).join(', ')})`).toBe(true);
    const full = collapseSpace(readFileSync(file, 'utf8'));
    const missing = document.sections.flatMap((s) => s.passages).filter((p) => !full.includes(collapseSpace(p)));
    expect(missing).toEqual([]);
  });

  test('the verified SNOMED CT list is the shared one, unchanged', (ctx) => {
    if (!present) return ctx.skip(SKIPPED);
    expect(readFileSync(VERIFIED_SNOMED, 'utf8')).toBe(readFileSync(join(SHARED, 'terminology', 'verified-snomed.tsv'), 'utf8'));
  });
});
