// Browser bundles, built from the tsc output in dist/esm:
// - dist/bundle/kbs-engine.js: the engine alone (size tracking; expressions split out lazily)
// Node-only imports (fhir-kit-client's agentkeepalive) are aliased to a stub for the browser.
import { existsSync } from 'node:fs';
import alias from '@rollup/plugin-alias';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { fileURLToPath } from 'node:url';

const stub = fileURLToPath(new URL('./scripts/browser-stubs/agentkeepalive.js', import.meta.url));

const browser = (input, file) => ({
  input,
  output: { file, format: 'es', sourcemap: true, inlineDynamicImports: false, dir: undefined },
  plugins: [
    alias({ entries: [{ find: 'agentkeepalive', replacement: stub }] }),
    nodeResolve({ browser: true, preferBuiltins: false }),
    commonjs(),
    json(),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
});

const outputs = [
  ['dist/esm/engine/index.js', 'dist/bundle/engine'],
  ['dist/esm/components/index.js', 'dist/bundle/components'],
].filter(([input]) => existsSync(input));

export default outputs.map(([input, dir]) => {
  const config = browser(input, undefined);
  config.output = { dir, format: 'es', sourcemap: true, entryFileNames: 'index.js', chunkFileNames: '[name]-[hash].js' };
  return config;
});
