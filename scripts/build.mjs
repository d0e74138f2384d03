// The build: standalone validators, TypeScript to ESM + types, the generated validators copied
// beside the compiled engine, then rollup for the browser bundles.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const bin = (name) => join(root, 'node_modules', '.bin', name);

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, [join(root, 'scripts/build-validators.mjs')]);
run(process.execPath, [join(root, 'scripts/build-content.mjs')]);
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
cpSync(join(root, 'src/engine/generated'), join(root, 'dist/esm/engine/generated'), { recursive: true });
if (!process.argv.includes('--no-bundle')) {
  run(bin('rollup'), ['-c', '--silent']);
  // The demo page and its stylesheet (no inline script or style: it runs under a strict CSP).
  cpSync(join(root, 'src/demo/index.html'), join(root, 'dist/index.html'));
  cpSync(join(root, 'src/demo/demo.css'), join(root, 'dist/demo/demo.css'));
  mkdirSync(join(root, 'dist/smart'), { recursive: true });
  cpSync(join(root, 'src/demo/smart.html'), join(root, 'dist/smart/index.html'));
  run(bin('cem'), ['analyze', '--litelement', '--globs', 'src/components/**/*.ts', '--exclude', 'src/components/generated/**', '--quiet']);
}
