// Import boundaries between the layers of src/ (run by `npm run lint`, tested by test/lint/boundaries.test.ts):
//   - the engine imports nothing of fhir/, components/, server/, demo/ (it is pure; lint-engine.mjs checks the rest);
//   - only src/fhir imports fhir-kit-client (the CLI and the demo use src/fhir/client.ts);
//   - components reach a server only through the gateway: no server/ imports, no fetch/XHR/fhir-kit-client,
//     and of src/fhir only gateway.js (its types), lazy-gateway.js and errors.js;
//   - the demo pages do no network I/O of their own (no fetch/XHR): they go through src/fhir.
// Usage: node scripts/lint-boundaries.mjs [srcDir]   (exit 1 and one line per violation when it finds any)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
const NETWORK = /\bfetch\s*\(|\bXMLHttpRequest\b|\bnew\s+WebSocket\b|\bnew\s+EventSource\b|\bsendBeacon\s*\(/;

/** The layer a file belongs to: the first folder under src/ (engine, fhir, components, server, demo) or '' for src/ itself. */
function layerOf(srcDir, file) {
  const rel = relative(srcDir, file);
  if (rel.startsWith('..')) return undefined;
  return rel.includes(sep) ? rel.split(sep)[0] : '';
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : files(path);
    return /\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const codeOf = (line) => line.replace(/\/\/.*$/, '').replace(/^\s*\/?\*.*$/, '');

export function lintBoundaries(srcDir = 'src') {
  const root = resolve(srcDir);
  const problems = [];
  for (const file of files(root)) {
    const layer = layerOf(root, file);
    const where = (i) => `${relative(process.cwd(), file)}:${i + 1}`;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = codeOf(line);
      for (const [, specifier] of code.matchAll(IMPORT)) {
        const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : undefined;
        const targetLayer = target ? layerOf(root, target) : undefined;
        if (layer === 'engine' && ['fhir', 'components', 'server', 'demo'].includes(targetLayer)) {
          problems.push(`${where(i)}: the engine imports ${targetLayer}/ (${specifier})`);
        }
        if (/^fhir-kit-client(\/|$)/.test(specifier) && layer !== 'fhir') {
          problems.push(`${where(i)}: imports fhir-kit-client outside src/fhir (use createClient or the gateway from src/fhir)`);
        }
        if (layer === 'components' && targetLayer === 'server') {
          problems.push(`${where(i)}: a component imports server/ (${specifier}); reach the server through the gateway`);
        }
        if (layer === 'components' && targetLayer === 'fhir' && !/[/\\]fhir[/\\](gateway|lazy-gateway|errors)(\.js|\.ts)?$/.test(target)) {
          problems.push(`${where(i)}: a component imports ${relative(root, target)} (${specifier}); only fhir/gateway.js, fhir/lazy-gateway.js and fhir/errors.js are allowed`);
        }
      }
      if ((layer === 'components' || layer === 'demo') && NETWORK.test(code)) {
        problems.push(`${where(i)}: ${layer === 'demo' ? 'the demo' : 'a component'} does its own network I/O; go through the gateway (src/fhir)`);
      }
    });
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = lintBoundaries(process.argv[2] ?? 'src');
  for (const p of problems) console.error(p);
  console.log(problems.length ? `import boundaries: ${problems.length} problem(s)` : 'import boundaries: clean');
  process.exit(problems.length ? 1 : 0);
}
