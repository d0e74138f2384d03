/**
 * The embedded server's defences over real HTTP and real processes (issue 13): cross-origin and
 * non-JSON writes refused with nothing changed, foreign Host names refused, bodies bounded (413 and
 * memory measured in a separate `kbs serve` process), no listening off loopback without a token,
 * private data files, only the built demo and bundles served, a log without bodies or query values.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFhirServer, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { seedDemo } from '../../src/server/seed.js';
import { ROOT } from '../support/content.js';
import { everything } from '../support/server.js';

const CLI = join(ROOT, 'dist/esm/server/cli.js');
const observation = JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'hardening' }, subject: { reference: 'Patient/demo-baby' } });

/** A raw HTTP request (fetch cannot set Host), resolving with the status as soon as the reply arrives. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | (() => AsyncIterable<Buffer>) }): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e) => fail(e));
    const body = options.body;
    if (typeof body === 'function') {
      void (async () => {
        try {
          for await (const chunk of body()) {
            if (req.destroyed) return;
            if (!req.write(chunk)) await new Promise((r) => { req.once('drain', r); req.once('close', r); });
          }
          req.end();
        } catch {
          // the server closed the connection mid-upload, as it should
        }
      })();
    } else {
      req.end(body);
    }
  });
}

describe('writes from other origins, non-JSON writes, foreign hosts', () => {
  let server: RunningFhirServer;
  const allowed = 'https://ehr.example.nhs.uk';
  beforeAll(async () => {
    server = await startFhirServer({ seed: seedDemo, allowOrigins: [allowed] });
  });
  afterAll(() => server.close());
  const post = (headers: Record<string, string>, body = observation) => fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers, body });

  test('a cross-origin text/plain POST (what a form or a no-cors fetch can send) is refused and nothing changes', async () => {
    const before = await everything(server);
    const transaction = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: { resourceType: 'Questionnaire', id: 'kbs-domestic-abuse-enquiry', status: 'retired' }, request: { method: 'PUT', url: 'Questionnaire/kbs-domestic-abuse-enquiry' } },
      { resource: { resourceType: 'Patient', name: [{ family: 'Injected' }] }, request: { method: 'POST', url: 'Patient' } },
    ] });
    const reply = await fetch(`${server.baseUrl}/`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: transaction });
    expect(reply.status).toBe(403);
    expect(await reply.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(await everything(server)).toEqual(before);
    // Cross-origin with a JSON type: still refused. Same origin with text/plain: 415.
    expect((await post({ 'content-type': 'application/fhir+json', origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'content-type': 'application/fhir+json', origin: 'null' })).status).toBe(403);
    expect((await post({ 'content-type': 'text/plain', origin: server.url })).status).toBe(415);
    expect((await post({ 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post({ 'content-type': 'multipart/form-data; boundary=x' })).status).toBe(415);
    expect(await everything(server)).toEqual(before);
  });

  test('the server\'s own origin and allow-listed origins may write; allow-listed ones get CORS headers', async () => {
    expect((await post({ 'content-type': 'application/fhir+json', origin: server.url })).status).toBe(201);
    expect((await post({ 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
    const preflight = await fetch(`${server.baseUrl}/Observation`, { method: 'OPTIONS', headers: { origin: allowed, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const fromAllowed = await post({ 'content-type': 'application/fhir+json', origin: allowed });
    expect(fromAllowed.status).toBe(201);
    expect(fromAllowed.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  test('a request for another host name (DNS rebinding) is refused', async () => {
    const before = (await everything(server)).length;
    const port = new URL(server.url).port;
    expect((await raw(`${server.baseUrl}/Patient/demo-mother`, { headers: { host: `rebound.example:${port}` } })).status).toBe(403);
    expect((await raw(`${server.baseUrl}/Observation`, { method: 'POST', headers: { host: `rebound.example:${port}`, 'content-type': 'application/fhir+json' }, body: observation })).status).toBe(403);
    expect((await raw(`${server.baseUrl}/Patient/demo-mother`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await everything(server)).length).toBe(before);
  });
});

describe('request bodies are bounded', () => {
  test('over the limit: 413 and nothing stored', async () => {
    const server = await startFhirServer({ seed: seedDemo, maxBodyBytes: 2000 });
    try {
      const before = (await everything(server)).length;
      const big = JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x'.repeat(3000) } });
      expect((await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: big })).status).toBe(413);
      // Chunked, no Content-Length: the limit is counted while reading.
      async function* chunks() { yield Buffer.from(big.slice(0, 1500)); yield Buffer.from(big.slice(1500)); }
      expect((await raw(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: chunks })).status).toBe(413);
      expect((await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: observation })).status).toBe(201);
      expect((await everything(server)).length).toBe(before + 1);
    } finally {
      await server.close();
    }
  });

  describe('a 50 MB body against `kbs serve` (default limit 10 MB)', () => {
    let child: ChildProcess;
    let url: string;
    beforeAll(async () => {
      child = spawn(process.execPath, [CLI, 'serve', '--memory', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      url = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /demo:\s+(http:\/\/\S+)\//.exec(out);
          if (m) ok(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`kbs serve exited ${code}`)));
      });
    });
    afterAll(() => {
      child.kill('SIGTERM');
    });
    const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;

    test('gets 413 without being read whole, and the server\'s memory stays bounded', async () => {
      const before = rssMb();
      const megabyte = Buffer.alloc(1024 * 1024, 0x61);
      async function* fifty() { for (let i = 0; i < 50; i++) yield megabyte; }
      // Declared length and chunked, each 50 MB.
      const declared = await raw(`${url}/fhir/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', 'content-length': String(50 * 1024 * 1024) }, body: fifty });
      const chunked = await raw(`${url}/fhir/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: fifty });
      const after = rssMb();
      console.log(`kbs serve RSS before ${before.toFixed(0)} MB, after two 50 MB bodies ${after.toFixed(0)} MB (growth ${(after - before).toFixed(1)} MB)`);
      expect(declared.status).toBe(413);
      expect(chunked.status).toBe(413);
      expect(after - before).toBeLessThan(25);
      // Still serving.
      expect((await fetch(`${url}/fhir/metadata`)).status).toBe(200);
    });
  });
});

describe('listening off loopback', () => {
  const serve = (...args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((ok) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--memory', '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, KBS_TOKEN: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (/docs\/security\.md/.test(out)) child.kill('SIGTERM'); // it started, and its last line is the warning
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      ok({ code, out, err });
    });
  });

  test('--host 0.0.0.0 without a token refuses to start, with a clear message', async () => {
    const result = await serve('--host', '0.0.0.0');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Refusing to listen on 0\.0\.0\.0 without a token/);
    expect(result.out).not.toMatch(/FHIR R4 endpoint/);
  });

  test('with a token it starts (and says it is reachable from other machines)', async () => {
    const result = await serve('--host', '0.0.0.0', '--token', 'a-long-random-token');
    expect(result.out).toMatch(/bearer token required/);
    expect(result.out).toMatch(/reachable from other machines/);
  });

  test('the library refuses too', async () => {
    await expect(startFhirServer({ host: '0.0.0.0' })).rejects.toThrow(/without a token/);
  });
});

describe('data files', () => {
  test('the data folder is 0700 and the snapshot 0600, even when they existed with wider modes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbs-private-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'resources.json'), '[]', { mode: 0o644 });
    chmodSync(join(dir, 'resources.json'), 0o644);
    const server = await startFhirServer({ dataDir: dir, seed: seedDemo });
    try {
      const created = await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: observation });
      expect(created.status).toBe(201);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'resources.json')).mode & 0o777).toBe(0o600);
    } finally {
      await server.close();
    }
    const fresh = join(mkdtempSync(join(tmpdir(), 'kbs-private-')), 'data');
    const second = await startFhirServer({ dataDir: fresh, seed: seedDemo });
    await second.close();
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(existsSync(join(fresh, 'resources.json'))).toBe(true);
    expect(statSync(join(fresh, 'resources.json')).mode & 0o777).toBe(0o600);
  });
});

describe('static files', () => {
  test('only the built demo and bundles: /src/, compiled modules and source maps are 404 unless --dev', async () => {
    const server = await startFhirServer({ staticDir: join(ROOT, 'dist') });
    const dev = await startFhirServer({ staticDir: join(ROOT, 'dist'), dev: true });
    try {
      for (const path of ['/', '/bundle/kbs.js', '/demo/demo.js', '/demo/demo.css', '/smart/']) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
      }
      for (const path of ['/src/server/fhir-server.ts', '/bundle/kbs.js.map', '/demo/demo.js.map', '/esm/server/fhir-server.js', '/types/index.d.ts', '/esm/server/fhir-server.js.map']) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
      }
      expect((await fetch(`${dev.url}/bundle/kbs.js.map`)).status).toBe(200);
    } finally {
      await server.close();
      await dev.close();
    }
  });
});

describe('request log', () => {
  test('one line per request, with query names but never their values, and never a body', async () => {
    const lines: string[] = [];
    const server = await startFhirServer({ seed: seedDemo, log: (line) => lines.push(line) });
    try {
      const secret = 'Disclosed-abuse-by-partner';
      await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: secret }, subject: { reference: 'Patient/demo-mother' } }) });
      await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Observation', status: secret, code: { text: secret } }) });
      await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: `{"${secret}` });
      await fetch(`${server.baseUrl}/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000026`);
      expect(lines.some((l) => /^POST \/fhir\/Observation 201 \d+ms$/.test(l))).toBe(true);
      expect(lines).toContain(lines.find((l) => l.startsWith('GET /fhir/Patient?identifier=… 200')));
      const all = lines.join('\n');
      expect(all).not.toContain(secret);
      expect(all).not.toContain('9990000026');
    } finally {
      await server.close();
    }
  });
});
