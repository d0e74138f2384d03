// Builds the peers for the render benchmark, each a production bundle for the browser made with the
// same rollup the product uses: Smart Forms (React + MUI), Medplum's QuestionnaireForm (React + Mantine)
// and Helsenorge Refero (React + redux + the Helsenorge design system). LHC-Forms ships prebuilt files
// and needs no build. A peer that is not installed in bench/node_modules is left out with a message.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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
const installed = (pkg) => existsSync(join(here, 'node_modules', pkg, 'package.json'));
// `node bench/build-peers.mjs medplum refero` builds only those; no arguments builds them all.
const only = process.argv.slice(2);
const wanted = (name) => !only.length || only.includes(name);

/** Stylesheets imported from JS are dropped (Smart Forms: font files; its styles are CSS-in-JS). */
const dropCss = { name: 'drop-css', load: (id) => (id.endsWith('.css') ? 'export default undefined;' : null) };

/**
 * Stylesheets imported from JS are compiled and gathered into one <name>.css next to the bundle, the way
 * an app's bundler would: plain .css as is; .module.css / .module.scss (the Helsenorge design system and
 * react-day-picker ship SCSS/CSS modules) through sass and lightningcss's CSS modules, the class-name map
 * staying in the JS. `extra` are global stylesheets the app includes itself (design tokens).
 */
async function gatherCss(file, extra = []) {
  const sass = requireBench('sass');
  const lightningcss = requireBench('lightningcss');
  const sheets = new Map();
  return {
    name: 'gather-css',
    load(id) {
      const path = id.split('?')[0];
      if (!/\.(s?css)$/.test(path)) return null;
      let css = path.endsWith('.scss') ? sass.compile(path, { loadPaths: [join(here, 'node_modules')], style: 'expanded', silenceDeprecations: ['import', 'global-builtin', 'mixed-decls', 'color-functions'], quietDeps: true, logger: sass.Logger.silent }).css : readFileSync(path, 'utf8');
      let exported = {};
      if (/\.module\.s?css$/.test(path)) {
        const result = lightningcss.transform({ filename: path, code: Buffer.from(css), cssModules: true, errorRecovery: true });
        css = result.code.toString();
        exported = Object.fromEntries(Object.entries(result.exports ?? {}).map(([local, e]) => [local, [e.name, ...e.composes.map((c) => c.name)].join(' ')]));
      }
      sheets.set(id, css);
      return `export default ${JSON.stringify(exported)};`;
    },
    generateBundle(_, bundle) {
      // In the order the modules run, as the bundler would inject them.
      const order = Object.values(bundle).filter((c) => c.type === 'chunk').flatMap((c) => Object.keys(c.modules));
      const used = [...new Set([...order.filter((id) => sheets.has(id)), ...sheets.keys()])];
      const css = [...extra.map((f) => readFileSync(f, 'utf8')), ...used.map((id) => sheets.get(id))].join('\n');
      const { code } = lightningcss.transform({ filename: file, code: Buffer.from(css), minify: true, errorRecovery: true });
      this.emitFile({ type: 'asset', fileName: file, source: code });
    },
  };
}

/** Refero imports "@helsenorge/datepicker/components/DatePicker/" (trailing slash), which Vite accepts and node-resolve does not. */
const trailingSlash = {
  name: 'trailing-slash',
  resolveId(source, importer, options) {
    return /^[@\w][^:]*\/$/.test(source) ? this.resolve(source.slice(0, -1), importer, { ...options, skipSelf: true }) : null;
  },
};

async function build(name, entry, file, cssPlugin) {
  rmSync(join(out, name), { recursive: true, force: true });
  const missing = new Set();
  const bundle = await rollup({
    input: join(here, 'peers', entry),
    plugins: [
      trailingSlash,
      cssPlugin,
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true, preferBuiltins: false, rootDir: here, modulePaths: [join(here, 'node_modules')] }),
      commonjs(),
      json(),
      terser(),
    ],
    // Quiet, except an import that is missing or left unresolved, which would break the page.
    onwarn: (w) => { if (w.code === 'MISSING_EXPORT' || w.code === 'UNRESOLVED_IMPORT') missing.add(w.message); },
  });
  await bundle.write({ dir: join(out, name), format: 'es', entryFileNames: file, chunkFileNames: '[name]-[hash].js' });
  for (const m of missing) console.warn(`  warning: ${m}`);
  console.log(`built bench/.build/${name}/${file}`);
}

// Smart Forms (@aehrc/smart-forms-renderer). Font stylesheets (@fontsource) are left out: the page uses
// the system fonts, as ours does.
if (!wanted('smart-forms')) { /* not asked for */ } else if (installed('@aehrc/smart-forms-renderer')) await build('smart-forms', 'smart-forms-entry.js', 'smart-forms.js', dropCss);
else console.log('Smart Forms is not installed in bench/node_modules: it will be left out');

// Medplum (@medplum/react QuestionnaireForm on Mantine 7). Mantine 7 styles with static CSS, not CSS-in-JS,
// so its stylesheet and Medplum's are copied next to the bundle for the page to <link> (not counted as JS).
if (!wanted('medplum')) { /* not asked for */ } else if (installed('@medplum/react') && installed('@mantine/core')) {
  await build('medplum', 'medplum-entry.js', 'medplum.js', dropCss);
  copyFileSync(join(here, 'node_modules/@mantine/core/styles.css'), join(out, 'medplum/mantine.css'));
  copyFileSync(join(here, 'node_modules/@medplum/react/dist/esm/index.css'), join(out, 'medplum/medplum.css'));
} else {
  console.log('Medplum (@medplum/react, @mantine/core) is not installed in bench/node_modules: it will be left out');
}

// Refero (@helsenorge/refero). Its components import SCSS modules: compiled into refero.css with the
// design system's tokens (designsystem-react.css, which a Helsenorge app includes globally).
if (!wanted('refero')) { /* not asked for */ } else if (installed('@helsenorge/refero') && installed('sass') && installed('lightningcss')) {
  await build('refero', 'refero-entry.js', 'refero.js', await gatherCss('refero.css', [join(here, 'node_modules/@helsenorge/designsystem-react/lib/designsystem-react.css')]));
  // Refero starts a fhirpath worker from new URL('assets/fhirpath-rpc.worker-….js', import.meta.url), a file
  // Vite would copy into the app's output: copied next to the bundle the same way.
  cpSync(join(here, 'node_modules/@helsenorge/refero/assets'), join(out, 'refero/assets'), { recursive: true });
} else {
  console.log('Refero (@helsenorge/refero, with sass and lightningcss for its styles) is not installed in bench/node_modules: it will be left out');
}
