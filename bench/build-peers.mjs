// Builds the peers for the render benchmark: Smart Forms (React) bundled for the browser with the
// same rollup the product uses. LHC-Forms ships prebuilt files and needs no build.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const requireRoot = createRequire(join(root, 'package.json'));
const requireBench = createRequire(join(here, 'package.json'));
const { rollup } = await import(requireRoot.resolve('rollup'));
const { nodeResolve } = await import(requireRoot.resolve('@rollup/plugin-node-resolve'));
const commonjs = (await import(requireRoot.resolve('@rollup/plugin-commonjs'))).default;
const json = (await import(requireRoot.resolve('@rollup/plugin-json'))).default;
const terser = (await import(requireRoot.resolve('@rollup/plugin-terser'))).default;
const replace = (await import(requireBench.resolve('@rollup/plugin-replace'))).default;

const out = join(here, '.build');
mkdirSync(out, { recursive: true });
if (existsSync(join(here, 'node_modules/@aehrc/smart-forms-renderer'))) {
  const bundle = await rollup({
    input: join(here, 'peers/smart-forms-entry.js'),
    plugins: [
      // Font stylesheets (@fontsource) are left out: the page uses the system fonts, as ours does.
      { name: 'drop-css', load: (id) => (id.endsWith('.css') ? 'export default undefined;' : null) },
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true, preferBuiltins: false, rootDir: here, modulePaths: [join(here, 'node_modules')] }),
      commonjs(),
      json(),
      terser(),
    ],
    onwarn: () => undefined,
  });
  await bundle.write({ dir: join(out, 'smart-forms'), format: 'es', entryFileNames: 'smart-forms.js', chunkFileNames: '[name]-[hash].js' });
  console.log('built bench/.build/smart-forms/smart-forms.js');
} else {
  console.log('Smart Forms is not installed in bench/node_modules: it will be left out');
}
