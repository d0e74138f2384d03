// Soak benchmark: N submissions through the real gateway and a fault-injecting HTTP proxy in front of
// the embedded server (all on loopback). Faults: 500, 503, 429 (Retry-After), connection dropped
// before the server saw the request, dropped after it committed, and replies slower than the
// gateway's timeout. Counts lost and duplicated records at the end (targets: 0 and 0).
// Server modes (as `kbs serve` test modes): --mode atomic (default) | independent | none | max-entries-8 |
// server-ids-only | require-token, or --mode all to run each in its own process and write one report.
// Usage: npm run build && node bench/soak.mjs [--mode all] [--n 1000] [--fault-rate 0.35] [--seed 1] [--out FILE]
import { execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startFhirServer } = await import(join(root, 'dist/esm/server/fhir-server.js'));
const { seedDemo } = await import(join(root, 'dist/esm/server/seed.js'));
const { createFhirGateway, MemoryStore, Outbox } = await import(join(root, 'dist/esm/fhir/index.js'));
const engine = await import(join(root, 'dist/esm/engine/index.js'));
const readJson = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));
const QUESTIONNAIRES = Object.fromEntries(['eight-week-check', 'bed-sharing-assessment', 'domestic-abuse-enquiry'].map((slug) => [slug, readJson(`questionnaires/${slug}.json`)]));
const CONCEPT_MAPS = [readJson('valuesets/kbs-to-snomed.conceptmap.json')];

const { values } = parseArgs({ options: {
  n: { type: 'string', default: '1000' }, 'fault-rate': { type: 'string', default: '0.35' }, seed: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '4' },
  mode: { type: 'string', default: 'atomic' }, out: { type: 'string', default: join(root, 'bench/results/soak.md') },
} });
const SOAK_TOKEN = 'soak-bench-token';
/** The embedded server's options for each mode, and the token the gateway must send. */
const MODES = {
  atomic: { server: { transactions: 'atomic' } },
  independent: { server: { transactions: 'independent' } },
  none: { server: { transactions: 'none' } },
  'max-entries-8': { server: { maxTransactionEntries: 8 } },
  'server-ids-only': { server: { serverIdsOnly: true } },
  'require-token': { server: { requireToken: SOAK_TOKEN }, token: SOAK_TOKEN },
};
if (values.mode === 'all') {
  // Each mode in a fresh process (its own server, its own memory), one report.
  const sections = [];
  let failed = false;
  for (const mode of Object.keys(MODES)) {
    const out = join(root, `bench/results/.soak-${mode}.md`);
    const args = [fileURLToPath(import.meta.url), '--mode', mode, '--out', out, '--n', values.n, '--fault-rate', values['fault-rate'], '--seed', values.seed, '--concurrency', values.concurrency];
    try {
      execFileSync(process.execPath, args, { stdio: 'inherit' });
    } catch {
      failed = true;
    }
    try {
      sections.push(readFileSync(out, 'utf8'));
      rmSync(out);
    } catch {
      sections.push(`# Soak, mode ${mode}\n\nThe run did not finish.\n`);
    }
  }
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, sections.join('\n'));
  process.exit(failed ? 1 : 0);
}
const MODE = MODES[values.mode];
if (!MODE) {
  console.error(`Unknown --mode ${values.mode}: one of ${Object.keys(MODES).join(', ')}, all`);
  process.exit(2);
}
const N = Number(values.n);
const FAULT_RATE = Number(values['fault-rate']);
const CONCURRENCY = Number(values.concurrency);

// Deterministic randomness (mulberry32), so a run can be repeated.
let s = Number(values.seed) >>> 0;
const random = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };

const server = await startFhirServer({ seed: seedDemo, ...MODE.server });
const target = new URL(server.url);
const FAULTS = ['500', '503', '429', 'drop-before', 'drop-after', 'slow'];
const injected = Object.fromEntries(FAULTS.map((f) => [f, 0]));
let requests = 0;

const proxy = createServer((req, res) => {
  requests++;
  const fault = random() < FAULT_RATE ? FAULTS[Math.floor(random() * FAULTS.length)] : 'none';
  if (fault !== 'none') injected[fault]++;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const json = (status, headers = {}) => { res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers }); res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', details: { text: 'injected' } }] })); };
    if (fault === '500') return json(500);
    if (fault === '503') return json(503);
    if (fault === '429') return json(429, { 'retry-after': '0' });
    if (fault === 'drop-before') return req.socket.destroy();
    // The server checks Host (DNS rebinding): a reverse proxy sends the upstream's own.
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      const out = [];
      up.on('data', (c) => out.push(c));
      up.on('end', () => {
        if (fault === 'drop-after') return req.socket.destroy(); // the server committed; the client never hears
        const send = () => { if (!res.destroyed) { res.writeHead(up.statusCode, up.headers); res.end(Buffer.concat(out)); } };
        if (fault === 'slow') setTimeout(send, 400); else send();
      });
    });
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  });
});
await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
const proxyUrl = `http://127.0.0.1:${proxy.address().port}/fhir`;

const gateway = createFhirGateway({
  baseUrl: proxyUrl,
  ...(MODE.token ? { token: MODE.token } : {}),
  conceptMaps: CONCEPT_MAPS,
  timeoutMs: 250,
  outbox: new Outbox(new MemoryStore()),
  retry: { attempts: 3, baseDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 50, random, sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)) },
});

// The scenarios: the three templates' main paths.
const KBS = 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts';
const c = (code, display) => ({ valueCoding: { system: KBS, code, display } });
const SCENARIOS = [
  ['eight-week-check', 'Patient/demo-baby', [['kbs/advice-child-safety', [{ valueBoolean: true }]], ['kbs/safer-sleep/info-infant-safe-sleeping', [{ valueBoolean: true }]], ['kbs/crying/advice-shaking-babies', [{ valueBoolean: true }]]]],
  ['bed-sharing-assessment', 'Patient/demo-baby', [...['smoking', 'alcohol', 'drugs', 'tiredness', 'early-or-small', 'not-routine'].map((r, i) => [`checklist/${r}`, [{ valueBoolean: i === 0 }]]), ['sleep-place/sleep-place-night', [c('sleep-place-cot', 'Cot')]], ['sleep-place/sleep-place-day', [c('sleep-place-pram', 'Pram or carrycot')]], ['sleep-place/sleep-place-seen', [{ valueBoolean: true }]], ['participants', [c('participant-mother', 'Mother')]]]],
  ['domestic-abuse-enquiry', 'Patient/demo-mother', [['stage', [c('stage-postnatal', 'After the birth (postnatal)')]], ['completed', [{ valueBoolean: false }]], ['not-completed/reason', [c('not-asked-partner-present', 'Partner present')]], ['not-completed/follow-up-by', [{ valueDate: '2026-12-04' }]], ['not-completed/follow-up-role', [c('follow-up-health-visitor', 'Health visitor')]]]],
];

function build(i) {
  const [slug, subject, answers] = SCENARIOS[i % SCENARIOS.length];
  let state = engine.createFormState(QUESTIONNAIRES[slug]);
  for (const [path, a] of answers) state = engine.setAnswers(state, path, a).state;
  const uuid = crypto.randomUUID();
  const response = engine.buildQuestionnaireResponse(state, { status: 'completed', identifier: uuid, subject: { reference: subject }, author: { reference: 'Practitioner/demo-gp' }, now: () => new Date() });
  // What one complete submission writes: the entries of its transaction (response, extracted, Provenance).
  const expected = engine.buildTransactionBundle({ questionnaire: QUESTIONNAIRES[slug], response, mapCode: engine.createCodeMapper(CONCEPT_MAPS), product: { name: 'x', version: '0' }, newUuid: () => crypto.randomUUID() }).bundle.entry.length;
  return { slug, uuid, response, questionnaire: QUESTIONNAIRES[slug], expected };
}

const told = { saved: 0, queued: 0, rejected: 0 };
const latencies = [];
const submitted = [];
let next = 0;
const started = performance.now();
async function worker() {
  while (next < N) {
    const i = next++;
    const job = build(i);
    submitted.push(job);
    const t0 = performance.now();
    const result = await gateway.submit({ questionnaire: job.questionnaire, response: job.response });
    latencies.push(performance.now() - t0);
    told[result.state]++;
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
// What was queued goes again (as a reload or the connection coming back would), until the outbox is empty.
let flushRounds = 0;
while ((await gateway.pending()).length && flushRounds < 50) {
  flushRounds++;
  await gateway.flushOutbox();
}
const elapsed = (performance.now() - started) / 1000;

// Count what the server holds for each submission.
const all = await server.repo.allResources();
const byUuid = new Map();
for (const r of all) {
  const text = JSON.stringify(r);
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})/.exec(r.resourceType === 'QuestionnaireResponse' ? r.identifier?.value ?? '' : r.resourceType === 'Provenance' ? r.meta?.tag?.[0]?.code ?? '' : r.identifier?.[0]?.value ?? '');
  if (!m || text.includes('demo-baby-gestation')) continue;
  const entry = byUuid.get(m[1]) ?? { responses: 0, total: 0 };
  if (r.resourceType === 'QuestionnaireResponse') entry.responses++;
  entry.total++;
  byUuid.set(m[1], entry);
}
let lost = 0, duplicated = 0, incomplete = 0;
for (const job of submitted) {
  const e = byUuid.get(job.uuid) ?? { responses: 0, total: 0 };
  if (e.responses === 0) lost++;
  else if (e.responses > 1 || e.total > job.expected) duplicated++;
  else if (e.total < job.expected) incomplete++;
}
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(0);
const report = `# Soak, mode ${values.mode}: ${N} submissions with injected faults

Run ${new Date().toISOString()}, seed ${values.seed}, fault rate ${FAULT_RATE} per HTTP request, concurrency ${CONCURRENCY}, gateway timeout 250 ms, 3 attempts per submit, then outbox flushes.

| measure | value |
|---|---|
| submissions | ${N} |
| **lost** (no response stored) | **${lost}** |
| **duplicated** (a second response, or more resources than one set) | **${duplicated}** |
| incomplete (response without all its extracted resources) | ${incomplete} |
| told "Saved to the record" at once | ${told.saved} |
| told "Not saved yet" (queued), later sent from the outbox | ${told.queued} |
| told "Could not be saved" | ${told.rejected} |
| outbox flush rounds needed | ${flushRounds} |
| HTTP requests through the proxy | ${requests} |
| faults injected | ${Object.entries(injected).map(([k, v]) => `${k} ${v}`).join(', ')} |
| submit latency median / p90 / p99 (ms) | ${q(0.5)} / ${q(0.9)} / ${q(0.99)} |
| wall time (s) | ${elapsed.toFixed(1)} |
`;
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, report);
console.log(report);
proxy.close();
await server.close();
process.exit(lost || duplicated || incomplete ? 1 : 0);
