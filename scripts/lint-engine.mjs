// The engine is pure: no DOM, no I/O, no Lit, no FHIR client, no run-time code generation.
// The engine tsconfig (no DOM lib, no Node types) catches globals; this catches imports and eval.
// Usage: node scripts/lint-engine.mjs [dir]   (exit 1 and one line per violation when it finds any)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const RULES = [
  { pattern: /from\s+['"](lit|lit\/[^'"]*|@lit\/[^'"]*)['"]/, why: 'imports Lit' },
  { pattern: /from\s+['"]fhir-kit-client[^'"]*['"]/, why: 'imports the FHIR client' },
  { pattern: /from\s+['"]ajv(?!\/dist\/runtime\/)[^'"]*['"]/, why: "imports ajv's compiler (use the build-time standalone validators)" },
  { pattern: /from\s+['"](node:[^'"]*|fs|path|http|https|net|child_process)['"]/, why: 'imports a Node built-in (I/O)' },
  { pattern: /import\(\s*['"](node:|fs|http)/, why: 'imports a Node built-in (I/O)' },
  { pattern: /\b(document|window|localStorage|sessionStorage|indexedDB|XMLHttpRequest|navigator)\s*[.[]/, why: 'touches a DOM/browser global' },
  { pattern: /\bfetch\s*\(/, why: 'does network I/O' },
  { pattern: /\bnew\s+Function\s*\(|\beval\s*\(/, why: 'generates code at run time (breaks a strict CSP)' },
];

export function lintEngine(dir) {
  const problems = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const file = join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) {
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
          for (const rule of RULES) if (rule.pattern.test(code)) problems.push(`${relative(process.cwd(), file)}:${i + 1}: ${rule.why}`);
        });
      }
    }
  };
  walk(dir);
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'src/engine';
  const problems = lintEngine(dir);
  for (const p of problems) console.error(p);
  console.log(problems.length ? `engine purity: ${problems.length} problem(s)` : 'engine purity: clean');
  process.exit(problems.length ? 1 : 0);
}
