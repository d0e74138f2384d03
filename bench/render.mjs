// Render benchmark: our <kbs-questionnaire> against LHC-Forms, Smart Forms, Medplum's QuestionnaireForm
// and Helsenorge Refero (each peer that is built), same Questionnaires,
// same page scaffold, a fresh browser context per run, headless Debian Chromium, every page served
// from loopback and every other host refused. Medians and spreads of N runs; ratios ours/peer.
// Usage: npm run build && npm ci --prefix bench --legacy-peer-deps && node bench/build-peers.mjs && node bench/render.mjs [--runs 15]
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(join(root, 'package.json'));
const { chromium } = require('playwright-core');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, only: { type: 'string' }, out: { type: 'string', default: 'latest' } } });
const RUNS = Number(values.runs);

// ---- questionnaires -------------------------------------------------------------------------------
const read = (f) => JSON.parse(readFileSync(join(root, f), 'utf8'));
/** Our templates use answerValueSet; peers without a terminology server get the expansion inline. */
function inlineValueSets(q) {
  const sets = Object.fromEntries(
    readdirSync(join(root, 'valuesets')).filter((f) => f.endsWith('.valueset.json')).map((f) => read(`valuesets/${f}`)).map((vs) => [vs.url, vs]),
  );
  const walk = (items) => (items ?? []).map((item) => {
    const copy = { ...item, item: item.item ? walk(item.item) : undefined };
    if (!copy.item) delete copy.item;
    if (item.answerValueSet && sets[item.answerValueSet]) {
      copy.answerOption = sets[item.answerValueSet].expansion.contains.map(({ system, code, display }) => ({ valueCoding: { system, code, display } }));
      delete copy.answerValueSet;
    }
    return copy;
  });
  return { ...q, item: walk(q.item) };
}

function synthetic(n) {
  const item = [];
  for (let i = 0; i < n; i += 2) {
    item.push({ linkId: `b${i}`, type: 'boolean', text: `Question ${i}: is this true?` });
    item.push({ linkId: `d${i}`, type: 'string', text: `Follow-up ${i + 1}: describe`, enableWhen: [{ question: `b${i}`, operator: '=', answerBoolean: true }] });
  }
  return { resourceType: 'Questionnaire', status: 'active', url: `urn:bench:synthetic-${n}`, item };
}

const general = {
  resourceType: 'Questionnaire', status: 'active', url: 'urn:bench:general',
  item: [
    { linkId: 'name', type: 'string', text: 'Full name', required: true },
    { linkId: 'dob', type: 'date', text: 'Date of birth' },
    { linkId: 'weight', type: 'decimal', text: 'Weight in kg' },
    { linkId: 'visits', type: 'integer', text: 'Number of visits' },
    { linkId: 'notes', type: 'text', text: 'Notes' },
    { linkId: 'smoker', type: 'boolean', text: 'Does anyone in the home smoke?' },
    { linkId: 'where', type: 'choice', text: 'Where does the baby sleep?', answerOption: ['Cot', 'Moses basket', 'Bedside crib', 'Parents bed'].map((d, i) => ({ valueCoding: { system: 'urn:bench', code: `s${i}`, display: d } })) },
    { linkId: 'household', type: 'group', text: 'Household', item: [
      { linkId: 'adults', type: 'integer', text: 'Adults in the home' },
      { linkId: 'pets', type: 'boolean', text: 'Pets in the home?' },
      { linkId: 'pet-kind', type: 'string', text: 'Which pets?', enableWhen: [{ question: 'pets', operator: '=', answerBoolean: true }] },
    ] },
    { linkId: 'carer', type: 'group', text: 'Carer', repeats: true, item: [
      { linkId: 'carer-name', type: 'string', text: 'Carer name' },
      { linkId: 'carer-role', type: 'choice', text: 'Role', answerOption: ['Mother', 'Father', 'Grandparent', 'Other'].map((d, i) => ({ valueCoding: { system: 'urn:bench', code: `r${i}`, display: d } })) },
    ] },
  ],
};

const QUESTIONNAIRES = {
  'eight-week-check': { q: inlineValueSets(read('questionnaires/eight-week-check.json')), first: 'Keeping babies safe is a priority' },
  'bed-sharing-assessment': { q: inlineValueSets(read('questionnaires/bed-sharing-assessment.json')), first: 'Put babies on their back for every sleep.' },
  'domestic-abuse-enquiry': { q: inlineValueSets(read('questionnaires/domestic-abuse-enquiry.json')), first: 'Stage' },
  general: { q: general, first: 'Full name' },
  'synthetic-10': { q: synthetic(10), first: 'Question 0: is this true?', click: true },
  'synthetic-100': { q: synthetic(100), first: 'Question 0: is this true?', click: true },
  'synthetic-1000': { q: synthetic(1000), first: 'Question 0: is this true?', click: true },
  // Growth with size: ours only (the peers take tens of seconds a run at these sizes).
  'synthetic-2000': { q: synthetic(2000), first: 'Question 0: is this true?', click: true, oursOnly: true },
  'synthetic-4000': { q: synthetic(4000), first: 'Question 0: is this true?', click: true, oursOnly: true },
  'synthetic-10000': { q: synthetic(10000), first: 'Question 0: is this true?', click: true, oursOnly: true },
};

// ---- pages ----------------------------------------------------------------------------------------
const PROBE = `<script>
// Same probe on every page: the first frame in which the first question's text is on screen.
(() => {
  const find = (node, text) => {
    const stack = [node];
    while (stack.length) {
      const n = stack.pop();
      if (n.nodeType === 3 && n.textContent.includes(text)) { const r = n.parentElement?.getClientRects(); if (r && r.length) return n.parentElement; }
      if (n.shadowRoot) stack.push(n.shadowRoot);
      for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
    }
    return null;
  };
  window.__find = find;
  const first = document.currentScript.dataset.first;
  const tick = () => { if (find(document.body || document.documentElement, first)) window.__firstVisible = performance.now(); else requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();
</script>`;

function page(renderer, name) {
  const { q, first } = QUESTIONNAIRES[name];
  const data = `<script type="application/json" id="q">${JSON.stringify(q).replace(/</g, '\\u003c')}</script>`;
  const probe = PROBE.replace('<script>', `<script data-first="${first.replace(/"/g, '&quot;')}">`);
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${renderer}</title>${data}${probe}`;
  if (renderer === 'ours') {
    // Our three templates as a record system uses them: the template element with its bundled
    // questionnaire (validated at build time); anything else through <kbs-questionnaire>.
    // (The routine enquiry's element opens on its safe-to-ask gate, so it is measured as a questionnaire.)
    // The template elements are connected to a record system (this server's /fhir, which holds nothing),
    // as in use: their gateway and its network code load after the first paint.
    const template = { 'eight-week-check': 'kbs-eight-week-check', 'bed-sharing-assessment': 'kbs-bed-sharing-assessment' }[name];
    return `${head}<script type="module">
      import '/ours/kbs.js';
      const el = document.createElement('${template ?? 'kbs-questionnaire'}');
      ${template ? "el.setAttribute('fhir-base-url', location.origin + '/fhir');" : "el.questionnaire = JSON.parse(document.getElementById('q').textContent);"}
      document.getElementById('form').append(el);
    </script></head><body><div id="form"></div></body></html>`;
  }
  if (renderer === 'lhc-forms') {
    return `${head}<link rel="stylesheet" href="/lforms/webcomponent/styles.css">
      <script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
      <script src="/lforms/webcomponent/runtime.js" type="module"></script>
      <script src="/lforms/webcomponent/polyfills.js" type="module"></script>
      <script src="/lforms/webcomponent/main.js" type="module"></script>
      <script src="/lforms/fhir/R4/lformsFHIR.min.js" defer></script>
      <script type="module">
        await customElements.whenDefined('wc-lhc-form');
        LForms.Util.addFormToPage(JSON.parse(document.getElementById('q').textContent), 'form', { fhirVersion: 'R4' });
      </script></head><body><div id="form"></div></body></html>`;
  }
  if (renderer === 'medplum') {
    // Mantine 7 and Medplum style with static stylesheets, loaded as an app loads them.
    return `${head}<link rel="stylesheet" href="/medplum/mantine.css"><link rel="stylesheet" href="/medplum/medplum.css">
      <script type="module">
      import '/medplum/medplum.js';
      window.renderMedplumForm(JSON.parse(document.getElementById('q').textContent), document.getElementById('form'));
    </script></head><body><div id="form"></div></body></html>`;
  }
  if (renderer === 'refero') {
    // The design system's SCSS modules, compiled by build-peers.mjs into one stylesheet.
    return `${head}<link rel="stylesheet" href="/refero/refero.css">
      <script type="module">
      import '/refero/refero.js';
      window.renderRefero(JSON.parse(document.getElementById('q').textContent), document.getElementById('form'));
    </script></head><body><div id="form"></div></body></html>`;
  }
  return `${head}<script type="module">
      import '/sf/smart-forms.js';
      window.renderSmartForm(JSON.parse(document.getElementById('q').textContent), document.getElementById('form'));
    </script></head><body><div id="form"></div></body></html>`;
}

const MOUNTS = {
  '/ours/': join(root, 'dist/bundle'),
  '/lforms/': join(here, 'node_modules/lforms/dist/lforms'),
  '/sf/': join(here, '.build/smart-forms'),
  '/medplum/': join(here, '.build/medplum'),
  '/refero/': join(here, '.build/refero'),
};
const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.svg': 'image/svg+xml' };

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/fhir/')) {
    // A record system that holds nothing: every search finds nothing, every read is not found.
    const search = req.method === 'GET' && !/\/fhir\/[A-Za-z]+\/[^/]+$/.test(url.pathname);
    res.writeHead(search ? 200 : 404, { 'content-type': 'application/fhir+json' });
    return res.end(JSON.stringify(search ? { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] } : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
  }
  const floor = /^\/floor\/([^/]+)$/.exec(url.pathname);
  if (floor) {
    // The floor: the same probe on a page that has the first question's text and no script at all.
    const { first } = QUESTIONNAIRES[floor[1]];
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title>${PROBE.replace('<script>', `<script data-first="${first.replace(/"/g, '&quot;')}">`)}</head><body><p>${first}</p></body></html>`);
  }
  const m = /^\/page\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (m) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(page(m[1], m[2]));
  }
  for (const [prefix, dir] of Object.entries(MOUNTS)) {
    if (!url.pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file.startsWith(dir) || !existsSync(file)) break;
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    return res.end(readFileSync(file));
  }
  res.writeHead(404);
  res.end();
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const built = (prefix, file, name) => (existsSync(join(MOUNTS[prefix], file)) ? [name] : []);
const RENDERERS = ['ours', 'lhc-forms', ...built('/sf/', 'smart-forms.js', 'smart-forms'), ...built('/medplum/', 'medplum.js', 'medplum'), ...built('/refero/', 'refero.js', 'refero')];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

/** Clicks the first "Yes" (radio or checkbox label) and times until the dependent item is on screen. */
async function clickToDependent(p, renderer) {
  return p.evaluate(async (renderer) => {
    const deep = (root, sel) => {
      const out = [];
      const stack = [root];
      while (stack.length) {
        const n = stack.pop();
        if (n.querySelectorAll) out.push(...n.querySelectorAll(sel));
        if (n.shadowRoot) stack.push(n.shadowRoot);
        if (n.children) for (const c of n.children) stack.push(c);
      }
      return out;
    };
    let target;
    if (renderer === 'ours') target = deep(document.body, 'input[data-path="b0"][data-option="Yes"]')[0];
    // Medplum (Mantine) and Refero (Helsenorge design system) show a boolean as one checkbox named after its linkId.
    else if (renderer === 'medplum' || renderer === 'refero') target = deep(document.body, 'input[type=checkbox][name="b0"]')[0];
    else {
      // The first control of the first question: LHC-Forms and Smart Forms show a boolean as a checkbox or Yes/No radios.
      const labels = deep(document.body, 'label, span, input[type=checkbox], input[type=radio]');
      target = labels.find((l) => l.tagName === 'LABEL' && l.textContent.trim() === 'Yes') ?? labels.find((l) => l.tagName === 'INPUT');
    }
    if (!target) return null;
    const t0 = performance.now();
    target.click();
    return new Promise((ok) => {
      const tick = () => (window.__find(document.body, 'Follow-up 1: describe') ? ok(performance.now() - t0) : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
      setTimeout(() => ok(null), 20000);
    });
  }, renderer);
}

/**
 * Answers every question by real clicks (each "Yes", one frame apart) and takes the
 * QuestionnaireResponse out through each renderer's own API. Returns the time and the booleans answered.
 */
async function answerAll(p, renderer) {
  return p.evaluate(async (renderer) => {
    const deep = (root, sel) => {
      const out = [];
      const walk = (n) => {
        if (n.matches?.(sel)) out.push(n);
        if (n.shadowRoot) walk(n.shadowRoot);
        for (const c of n.children ?? []) walk(c);
      };
      walk(root);
      return out;
    };
    const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
    const t0 = performance.now();
    if (renderer === 'medplum' || renderer === 'refero') {
      // One checkbox per boolean: tick each that is not ticked yet (the click test above ticked the first).
      const unticked = () => deep(document.body, 'input[type=checkbox]').filter((c) => /^b\d+$/.test(c.name) && !c.checked);
      for (let guard = 0; unticked().length && guard < 100; guard++) {
        unticked()[0].click();
        await frame();
      }
    } else {
      const yes = () => (renderer === 'ours' ? deep(document.body, 'input[data-option="Yes"]') : deep(document.body, 'label').filter((l) => l.textContent.trim() === 'Yes'));
      for (let i = 0; i < yes().length; i++) {
        yes()[i].click();
        await frame();
      }
    }
    let response;
    if (renderer === 'ours') response = document.querySelector('kbs-questionnaire').buildResponse('completed');
    else if (renderer === 'lhc-forms') response = window.LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4');
    else if (renderer === 'medplum') response = window.medplumResponse();
    else if (renderer === 'refero') response = window.referoResponse();
    else response = await window.smartFormResponse();
    const elapsed = performance.now() - t0;
    const answers = [];
    const collect = (items) => (items ?? []).forEach((it) => { for (const a of it.answer ?? []) answers.push([it.linkId, a]); collect(it.item); for (const a of it.answer ?? []) collect(a.item); });
    collect(response?.item);
    return { elapsed, trues: answers.filter(([l, a]) => l.startsWith('b') && a.valueBoolean === true).length, other: answers.filter(([l, a]) => !(l.startsWith('b') && a.valueBoolean === true)).map(([l, a]) => `${l}=${JSON.stringify(a)}`) };
  }, renderer);
}

async function run(renderer, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  const p = await context.newPage();
  const js = [];
  const bodies = new Map();
  p.on('response', async (r) => {
    if (r.request().resourceType() === 'script' || r.url().endsWith('.js')) {
      try {
        const body = await r.body();
        js.push(body);
        bodies.set(r.url(), body);
      } catch { /* navigation ended */ }
    }
  });
  const cdp = await context.newCDPSession(p);
  await p.goto(`${origin}/page/${renderer}/${name}`);
  await p.waitForFunction(() => window.__firstVisible !== undefined, null, { timeout: 60000 });
  const firstVisible = await p.evaluate(() => window.__firstVisible);
  // JS before the first question: the scripts whose responses had ended when it was first on screen.
  const before = await p.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.responseEnd <= window.__firstVisible).map((e) => e.name));
  await p.waitForTimeout(200); // let late chunks land before counting bytes and heap
  // JS to render: what has loaded by now. Scripts started by the clicks below (Refero's fhirpath worker,
  // started on the first answer) are not counted, so the count does not depend on when the page closes.
  const rendered = js.slice();
  const click = QUESTIONNAIRES[name].click ? await clickToDependent(p, renderer) : undefined;
  const all = name === 'synthetic-10' ? await answerAll(p, renderer) : undefined;
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const raw = rendered.reduce((a, b) => a + b.length, 0);
  const gzip = rendered.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0);
  const firstGzip = before.filter((u) => bodies.has(u)).reduce((a, u) => a + gzipSync(bodies.get(u), { level: 9 }).length, 0);
  await context.close();
  return { firstVisible, click, heap, raw, gzip, firstGzip, answerAll: all?.elapsed, trues: all?.trues, other: all?.other };
}

const median = (xs) => { const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };
const spread = (xs) => { const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b); return s.length ? [s[Math.floor(s.length * 0.1)], s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]] : [NaN, NaN]; };

const results = {};
const names = values.only ? values.only.split(',') : Object.keys(QUESTIONNAIRES);
for (const name of names) {
  for (const renderer of RENDERERS) {
    if (QUESTIONNAIRES[name].oursOnly && renderer !== 'ours') continue;
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      try {
        runs.push(await run(renderer, name));
      } catch (e) {
        runs.push({ error: String(e.message ?? e).split('\n')[0] });
      }
    }
    const ok = runs.filter((r) => !r.error);
    results[`${renderer}|${name}`] = {
      n: ok.length,
      errors: runs.filter((r) => r.error).map((r) => r.error).slice(0, 1),
      firstVisible: median(ok.map((r) => r.firstVisible)), firstSpread: spread(ok.map((r) => r.firstVisible)),
      click: median(ok.map((r) => r.click)), clickSpread: spread(ok.map((r) => r.click)),
      heap: median(ok.map((r) => r.heap)), raw: median(ok.map((r) => r.raw)), gzip: median(ok.map((r) => r.gzip)), firstGzip: median(ok.map((r) => r.firstGzip)),
      answerAll: median(ok.map((r) => r.answerAll)), answerAllSpread: spread(ok.map((r) => r.answerAll)),
      trues: ok[0]?.trues, other: ok[0]?.other,
    };
    const r = results[`${renderer}|${name}`];
    console.log(`${name.padEnd(24)} ${renderer.padEnd(12)} first ${r.firstVisible.toFixed(0)} ms  click ${Number.isNaN(r.click) ? '-' : r.click.toFixed(1)} ms  js ${(r.firstGzip / 1024).toFixed(0)}/${(r.gzip / 1024).toFixed(0)} KB gz  heap ${(r.heap / 1048576).toFixed(1)} MB  (${r.n}/${RUNS} ok${r.errors.length ? `; ${r.errors[0]}` : ''})`);
  }
}
// The floor of "first question visible" here: a page with the text and no script (navigation, first frame).
const floorRuns = [];
const floorOf = names.includes('eight-week-check') ? 'eight-week-check' : undefined;
for (let i = 0; floorOf && i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await context.newPage();
  await p.goto(`${origin}/floor/${floorOf}`);
  await p.waitForFunction(() => window.__firstVisible !== undefined, null, { timeout: 60000 });
  floorRuns.push(await p.evaluate(() => window.__firstVisible));
  await context.close();
}
const floorMs = median(floorRuns);
if (floorOf) console.log(`floor (no script)        first ${floorMs.toFixed(0)} ms`);
await browser.close();
server.close();

// ---- report ---------------------------------------------------------------------------------------
const fmt = (x, d = 0) => (Number.isNaN(x) || x === undefined ? '–' : x.toFixed(d));
const kb = (x) => (Number.isNaN(x) ? '–' : (x / 1024).toFixed(0));
const ratio = (ours, peer) => (Number.isNaN(ours) || Number.isNaN(peer) || !peer ? '–' : `${(peer / ours).toFixed(1)}×`);
const peers = RENDERERS.filter((r) => r !== 'ours');
const JS_COUNTED = {
  ours: 'ours: the script-tag bundle and the chunks it loaded',
  'lhc-forms': 'LHC-Forms: its web component and R4 FHIR library',
  'smart-forms': 'Smart Forms: its React bundle',
  medplum: 'Medplum: its React + Mantine bundle (@medplum/react QuestionnaireForm, @medplum/core)',
  refero: 'Refero: its React + redux bundle and the design-system icon chunks it loads (not its fhirpath worker, 1.4 MB raw, which it starts on the first answer)',
};
const CSS_NOTE = {
  ours: 'ours carries its styles in JS',
  'lhc-forms': 'LHC-Forms links its styles.css',
  'smart-forms': 'Smart Forms styles in JS (MUI/emotion; font stylesheets left out)',
  medplum: "Medplum links Mantine's and Medplum's stylesheets",
  refero: "Refero links its design system's SCSS modules, compiled to one stylesheet",
};
let md = `# Render benchmark: ours vs ${peers.join(', ')}

Run ${new Date().toISOString()} on this machine (${(await import('node:os')).cpus().length} cores), headless Debian Chromium, ${RUNS} fresh browser contexts per cell, everything on loopback.
Medians; [p10–p90] after first render. "×" = how many times better ours is (peer ÷ ours; above 1 means ours is better).
Ours: the 8-week check and the bed-sharing assessment are their template elements (bundled questionnaire, validated at build time, so no schema validator is loaded); every other row is \`<kbs-questionnaire>\` given the questionnaire as JSON (the schema validator chunk is loaded).
JS before the first question = the scripts whose responses had ended when the first question was first on screen (resource timing). JS to render = every script the page loaded by the end of first render + 200 ms (${RENDERERS.map((r) => JS_COUNTED[r]).join('; ')}), gzip -9.
Stylesheets are not counted: ${RENDERERS.map((r) => CSS_NOTE[r]).join('; ')}.
Heap = V8 used heap after a forced GC. Click = from the click on the first "Yes" (${RENDERERS.filter((r) => r === 'medplum' || r === 'refero').length ? 'Medplum and Refero show a boolean as one checkbox: the click ticks the first question\'s checkbox' : 'a radio or checkbox'}) to the dependent item on screen.

| questionnaire | metric | ours | ${peers.map((p) => `${p} | ours vs ${p}`).join(' | ')} |
|---|---|--:|${peers.map(() => '--:|--:').join('|')}|
`;
for (const name of names.filter((n) => !QUESTIONNAIRES[n].oursOnly)) {
  const o = results[`ours|${name}`];
  const rows = [
    ['first question visible (ms)', (r) => `${fmt(r.firstVisible)} [${fmt(r.firstSpread[0])}–${fmt(r.firstSpread[1])}]`, (r) => r.firstVisible],
    ['JS before the first question, gzip (KB)', (r) => kb(r.firstGzip), (r) => r.firstGzip],
    ['JS to render, gzip (KB)', (r) => kb(r.gzip), (r) => r.gzip],
    ['JS to render, raw (KB)', (r) => kb(r.raw), (r) => r.raw],
    ['JS heap after render (MB)', (r) => fmt(r.heap / 1048576, 1), (r) => r.heap],
  ];
  if (QUESTIONNAIRES[name].click) rows.push(['click → dependent visible (ms)', (r) => `${fmt(r.click, 1)} [${fmt(r.clickSpread[0], 1)}–${fmt(r.clickSpread[1], 1)}]`, (r) => r.click]);
  if (name === 'synthetic-10') {
    rows.push(['answer all 5 questions by clicks → response out (ms)', (r) => `${fmt(r.answerAll)} [${fmt(r.answerAllSpread[0])}–${fmt(r.answerAllSpread[1])}]`, (r) => r.answerAll]);
    rows.push(['response: booleans answered true (of 5) / other answers', (r) => `${r.trues ?? '–'} / ${r.other?.length ? r.other.join('; ') : 'none'}`, () => NaN]);
  }
  for (const [label, show, value] of rows) {
    md += `| ${name} | ${label} | ${show(o)} | ${peers.map((p) => { const r = results[`${p}|${name}`]; return `${r.n ? show(r) : `failed: ${r.errors[0] ?? ''}`} | ${r.n ? ratio(value(o), value(r)) : '–'}`; }).join(' | ')} |\n`;
  }
}

// Leanest peer: the least JS (gzip) to render each questionnaire.
const leanest = (name) => peers.map((p) => [p, results[`${p}|${name}`]]).filter(([, r]) => r?.n).sort((a, b) => a[1].gzip - b[1].gzip)[0];
const lean = names.filter((n) => !QUESTIONNAIRES[n].oursOnly).map((n) => [n, leanest(n)]).filter(([, l]) => l);
if (lean.length) md += `\nLeanest peer (least JS, gzip): ${lean.map(([n, [p, r]]) => `${n} ${p} ${kb(r.gzip)} KB (ours ${kb(results[`ours|${n}`].gzip)} KB)`).join('; ')}.\n`;

// Growth with size, ours: each step's time against the one before, and against the number of items.
const grown = [1000, 2000, 4000, 10000].filter((n) => results[`ours|synthetic-${n}`]);
if (grown.length > 1) {
  md += `\n## First render against size (ours)\n\n| items | first question visible (ms) | click → dependent (ms) | heap (MB) | time ÷ previous | items ÷ previous |\n|--:|--:|--:|--:|--:|--:|\n`;
  grown.forEach((n, i) => {
    const r = results[`ours|synthetic-${n}`];
    const prev = i ? results[`ours|synthetic-${grown[i - 1]}`] : undefined;
    md += `| ${n} | ${fmt(r.firstVisible)} | ${fmt(r.click, 1)} | ${fmt(r.heap / 1048576, 1)} | ${prev ? (r.firstVisible / prev.firstVisible).toFixed(2) : '–'} | ${prev ? (n / grown[i - 1]).toFixed(1) : '–'} |\n`;
  });
  md += `\nNo worse than linear means "time ÷ previous" at or below "items ÷ previous".\n`;
}

// Against the targets of the performance issue.
const t = (name) => results[`ours|${name}`];
if (t('eight-week-check') && t('synthetic-1000')) {
  // The best peer on the same measure (least JS, quickest, smallest heap), for scale.
  const best = (name, key, show) => {
    const [p, r] = peers.map((q) => [q, results[`${q}|${name}`]]).filter(([, r]) => r?.n && Number.isFinite(r[key])).sort((a, b) => a[1][key] - b[1][key])[0] ?? [];
    return p ? `${p} ${show(r[key])}` : '–';
  };
  const row = (what, value, target, unit, ok, peer) => `| ${what} | ${value} ${unit} | ${target} ${unit} | ${ok ? 'met' : 'missed'} | ${peer} |\n`;
  md += `\n## Targets\n\n| target | ours | target | | best peer |\n|---|--:|--:|---|---|\n`;
  md += row('JS loaded before the first question, gzip (8-week check)', kb(t('eight-week-check').firstGzip), '≤ 40', 'KB', t('eight-week-check').firstGzip <= 40 * 1024, best('eight-week-check', 'firstGzip', (v) => `${kb(v)} KB`));
  md += row('first question visible, 8-week check', fmt(t('eight-week-check').firstVisible), '≤ 60', 'ms', t('eight-week-check').firstVisible <= 60, best('eight-week-check', 'firstVisible', (v) => `${fmt(v)} ms`));
  if (!Number.isNaN(floorMs)) md += `| the floor: the same text on a page with no script at all | ${fmt(floorMs)} ms | | | |\n`;
  md += row('first question visible, 1,000 items', fmt(t('synthetic-1000').firstVisible), '≤ 250', 'ms', t('synthetic-1000').firstVisible <= 250, best('synthetic-1000', 'firstVisible', (v) => `${fmt(v)} ms`));
  md += row('click → dependent painted, 1,000 items', fmt(t('synthetic-1000').click, 1), '≤ 16', 'ms', t('synthetic-1000').click <= 16, best('synthetic-1000', 'click', (v) => `${fmt(v, 1)} ms`));
  md += row('JS heap after render, 8-week check', fmt(t('eight-week-check').heap / 1048576, 1), '≤ 2', 'MB', t('eight-week-check').heap <= 2 * 1048576, best('eight-week-check', 'heap', (v) => `${fmt(v / 1048576, 1)} MB`));
}

// Plot: first render time against item count.
const sizes = [10, 100, 1000].filter((n) => names.includes(`synthetic-${n}`));
const colours = { ours: '#005eb8', 'lhc-forms': '#d5281b', 'smart-forms': '#007f3b', medplum: '#7c2855', refero: '#ed8b00' };
const W = 640, H = 400, L = 70, B = 50, T = 20, R = 150;
const maxY = Math.max(...RENDERERS.flatMap((r) => sizes.map((n) => results[`${r}|synthetic-${n}`]?.firstVisible ?? 0)).filter(Number.isFinite)) * 1.1 || 1;
const x = (n) => L + ((Math.log10(n) - 1) / 2) * (W - L - R);
const y = (v) => H - B - (v / maxY) * (H - B - T);
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="Arial" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>
<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">items in the questionnaire (log scale)</text>
<text transform="translate(15 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">first question visible, median ms</text>
${sizes.map((n) => `<text x="${x(n)}" y="${H - B + 18}" text-anchor="middle">${n}</text>`).join('')}
${[0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${L - 8}" y="${y(f * maxY) + 4}" text-anchor="end">${(f * maxY).toFixed(0)}</text><line x1="${L}" x2="${W - R}" y1="${y(f * maxY)}" y2="${y(f * maxY)}" stroke="#eee"/>`).join('')}
`;
RENDERERS.forEach((r, i) => {
  const pts = sizes.map((n) => [x(n), y(results[`${r}|synthetic-${n}`]?.firstVisible)]).filter(([, v]) => Number.isFinite(v));
  svg += `<polyline fill="none" stroke="${colours[r]}" stroke-width="2.5" points="${pts.map((p) => p.join(',')).join(' ')}"/>`;
  svg += pts.map(([a, b]) => `<circle cx="${a}" cy="${b}" r="4" fill="${colours[r]}"/>`).join('');
  svg += `<rect x="${W - R + 15}" y="${T + 20 * i}" width="12" height="12" fill="${colours[r]}"/><text x="${W - R + 32}" y="${T + 20 * i + 11}">${r}</text>`;
});
svg += '</svg>\n';
mkdirSync(join(here, 'results'), { recursive: true });
const svgName = `${values.out === 'latest' ? 'first-render' : `${values.out}-first-render`}.svg`;
if (sizes.length) {
  writeFileSync(join(here, `results/${svgName}`), svg);
  md += `\n![first render against item count](${svgName})\n`;
}
writeFileSync(join(here, `results/${values.out}.md`), md);
writeFileSync(join(here, `results/${values.out}.json`), JSON.stringify(results, null, 2));
console.log(`\nwrote bench/results/${values.out}.md and .json`);
