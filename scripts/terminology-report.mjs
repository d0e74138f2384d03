// Lists every local concept and its SNOMED CT mapping (or the lack of one), from valuesets/.
// Usage: npm run terminology:report [-- --json]
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function terminologyReport(folder) {
  const files = readdirSync(folder).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')));
  const maps = files.filter((r) => r.resourceType === 'ConceptMap');
  const rows = [];
  for (const cs of files.filter((r) => r.resourceType === 'CodeSystem')) {
    for (const concept of cs.concept ?? []) {
      const targets = maps
        .flatMap((m) => m.group ?? [])
        .filter((g) => g.source === cs.url && g.target === 'http://snomed.info/sct')
        .flatMap((g) => g.element ?? [])
        .filter((e) => e.code === concept.code)
        .flatMap((e) => e.target ?? [])
        .filter((t) => t.code);
      rows.push({ code: concept.code, display: concept.display, snomed: targets.map((t) => ({ code: t.code, display: t.display, equivalence: t.equivalence })) });
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const rows = terminologyReport(join(root, 'valuesets'));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const mapped = rows.filter((r) => r.snomed.length);
    const unmapped = rows.filter((r) => !r.snomed.length);
    const pad = (s, n) => String(s).padEnd(n);
    console.log(`Local concepts: ${rows.length}; mapped to SNOMED CT: ${mapped.length}; unmapped: ${unmapped.length}\n`);
    console.log('MAPPED (only codes from ../shared/terminology/verified-snomed.tsv)');
    console.log(`${pad('local code', 40)}${pad('SNOMED CT', 20)}term (equivalence)`);
    for (const r of mapped) for (const t of r.snomed) console.log(`${pad(r.code, 40)}${pad(t.code, 20)}${t.display} (${t.equivalence})`);
    console.log('\nUNMAPPED (local coding only; fill the ConceptMap slot from your terminology service)');
    console.log(`${pad('local code', 40)}display`);
    for (const r of unmapped) console.log(`${pad(r.code, 40)}${r.display}`);
  }
}
