/** Reads the product content (questionnaires/, valuesets/) the way a host bundles it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Questionnaire } from '../../src/engine/index.js';

export const ROOT = join(__dirname, '..', '..');

export function readJsonFiles<T = { resourceType: string }>(folder: 'questionnaires' | 'valuesets'): [file: string, json: T][] {
  return readdirSync(join(ROOT, folder))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(ROOT, folder, f), 'utf8')) as T]);
}

export function questionnaire(slug: string): Questionnaire {
  return JSON.parse(readFileSync(join(ROOT, 'questionnaires', `${slug}.json`), 'utf8'));
}

/** answerValueSet canonical → expansion, from valuesets/. */
export function valueSetResolver(): (canonical: string) => fhir4.Coding[] | undefined {
  const byUrl = new Map(readJsonFiles<fhir4.ValueSet>('valuesets').filter(([, j]) => j.resourceType === 'ValueSet').map(([, vs]) => [vs.url!, vs]));
  return (canonical) => byUrl.get(canonical.split('|')[0]!)?.expansion?.contains?.map(({ system, code, display }) => ({ system, code, display }));
}

/** The source passages the questionnaires quote, with their citation (test/fixtures/source-passages.json). */
export interface SourceDocument {
  id: string;
  /** Where the full document sits when the team's shared folder is beside the repository. */
  source: string;
  title: string;
  author?: string;
  publisher: string;
  sections: { section: string; passages: string[] }[];
}

export const SOURCE_PASSAGES = join(ROOT, 'test', 'fixtures', 'source-passages.json');
export const VERIFIED_SNOMED = join(ROOT, 'test', 'fixtures', 'verified-snomed.tsv');

export function sourceDocuments(): SourceDocument[] {
  return (JSON.parse(readFileSync(SOURCE_PASSAGES, 'utf8')) as { documents: SourceDocument[] }).documents;
}

export const collapseSpace = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Is `quote` (whitespace collapsed) inside one passage of the document? Only the fixture is read. */
export function quotedFrom(documentId: string): (quote: string) => boolean {
  const document = sourceDocuments().find((d) => d.id === documentId);
  if (!document) throw new Error(`no document "${documentId}" in ${SOURCE_PASSAGES}`);
  const passages = document.sections.flatMap((s) => s.passages).map(collapseSpace);
  return (quote) => passages.some((p) => p.includes(collapseSpace(quote)));
}

/** The verified SNOMED CT list (a copy of ../shared/terminology/verified-snomed.tsv, confirmed by source-passages.test.ts). */
export function verifiedSnomed(): Map<string, string> {
  const text = readFileSync(VERIFIED_SNOMED, 'utf8');
  return new Map(text.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split('\t') as [string, string]));
}
