// Browser bundles, built from the tsc output in dist/esm (run `npm run build`, not rollup alone):
// - dist/bundle/kbs.js: the three template elements, <kbs-questionnaire> and <kbs-follow-ups>, for a
//   <script type="module"> tag; FHIRPath is a lazy chunk beside it, loaded only by forms with expressions.
// - dist/bundle/kbs-audit.js: <kbs-audit>, on its own.
// - dist/demo/demo.js: the demo record-system page; dist/demo/smart.js: the SMART on FHIR app.
// - dist/bundle/engine/index.js: the engine alone (for size tracking).
// fhir-kit-client's Node-only agentkeepalive import is aliased to a stub; nothing else of Node ships.
import alias from '@rollup/plugin-alias';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { fileURLToPath } from 'node:url';

const stub = fileURLToPath(new URL('./scripts/browser-stubs/agentkeepalive.js', import.meta.url));

const browser = (input, dir, entryFileNames) => ({
  input,
  output: { dir, format: 'es', sourcemap: true, entryFileNames, chunkFileNames: '[name]-[hash].js' },
  // The engine is pure (scripts/lint-engine.mjs): a module of it that nothing uses is left out whole.
  treeshake: { moduleSideEffects: (id) => !/[/\\]dist[/\\]esm[/\\]engine[/\\]/.test(id) },
  plugins: [
    alias({ entries: [{ find: 'agentkeepalive', replacement: stub }] }),
    nodeResolve({ browser: true, preferBuiltins: false }),
    commonjs(),
    json(),
    terser({ format: { comments: false } }),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
});

export default [
  browser('dist/esm/components/bundle.js', 'dist/bundle', 'kbs.js'),
  // The safeguarding lead's audit: a script of its own, so the templates never load it.
  browser('dist/esm/components/audit/kbs-audit.js', 'dist/bundle', 'kbs-audit.js'),
  browser('dist/esm/demo/demo.js', 'dist/demo', 'demo.js'),
  browser('dist/esm/demo/smart.js', 'dist/demo', 'smart.js'),
  browser('dist/esm/engine/index.js', 'dist/bundle/engine', 'index.js'),
];
