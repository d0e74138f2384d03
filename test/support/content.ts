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

export function readSeed(prefix: string): string {
  const dir = join(ROOT, '..', 'shared', 'seeds');
  const file = readdirSync(dir).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`seed ${prefix} not found beside the repository (../shared/seeds)`);
  return readFileSync(join(dir, file), 'utf8');
}

export function verifiedSnomed(): Map<string, string> {
  const text = readFileSync(join(ROOT, '..', 'shared', 'terminology', 'verified-snomed.tsv'), 'utf8');
  return new Map(text.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split('\t') as [string, string]));
}
