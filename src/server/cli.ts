#!/usr/bin/env node
/**
 * kbs — the command line.
 *   kbs serve [--port 8080] [--host 127.0.0.1] [--data .kbs-data | --memory] [options]   the demo on the embedded FHIR server
 *   kbs deploy --server URL [--token T]     load Questionnaires, ValueSets, CodeSystem, ConceptMap (conditional update by url|version)
 *   kbs validate [files…]                   schema + semantic checks (default: questionnaires/ and valuesets/)
 *   kbs audit (--server URL [--token T] | --ndjson DIR) --from YYYY-MM-DD --to YYYY-MM-DD [--as-of YYYY-MM-DD] [--format md|csv|json]
 *   kbs terminology-report [--json]         local concepts and their SNOMED CT mappings
 * Exit codes: 0 ok, 1 the work failed (invalid content, server refused), 2 wrong usage.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadQuestionnaire } from '../engine/index.js';
import * as validators from '../engine/generated/fhir-validators.js';
import type { SchemaValidator } from '../engine/schema-types.js';
import { DeployError, deployContent } from '../fhir/deploy.js';
import { PACKAGE_ROOT, readContent, type ContentResource } from './content.js';
import type { TransactionMode } from './fhir-server.js';
import { loadFhirServer } from './load-server.js';
import { seedDemo } from './seed.js';
import { seedAuditDemo } from './demo-audit.js';
import { formatAudit, runAudit } from './audit.js';

const USAGE = `Usage:
  kbs serve [--port 8080] [--host 127.0.0.1] [--data DIR | --memory]
            [--token TOKEN | --require-token TOKEN]   every /fhir request needs "Authorization: Bearer TOKEN" (or KBS_TOKEN);
                                                      required on any address but loopback
            [--allow-origin ORIGIN ...]               another origin allowed to send requests (CORS)
            [--max-body-bytes N]                      larger request bodies get 413 (default 10485760, 10 MB)
            [--dev]                                   also serve source maps and the compiled modules
          test modes, as real servers behave:
            [--transactions=atomic|independent|none]  all or nothing (default) | entries committed one by one | Bundles refused
            [--max-transaction-entries N]             Bundles with more entries refused (400)
            [--server-ids-only]                       PUT to an id that does not exist refused; the server assigns ids
  kbs deploy --server URL [--token TOKEN]
  kbs validate [FILE ...]
  kbs audit (--server URL [--token TOKEN] | --ndjson DIR) --from YYYY-MM-DD --to YYYY-MM-DD [--as-of YYYY-MM-DD] [--format md|csv|json]
  kbs terminology-report [--json]`;

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

/** Problems with one resource: schema for every type, plus the engine's checks for Questionnaires. */
export function validateResourceFile(resource: { resourceType?: string }): string[] {
  const validate = (validators as Record<string, SchemaValidator>)[`validate${resource.resourceType}`];
  if (!validate) return [`resourceType ${String(resource.resourceType)} is not one kbs validates`];
  if (resource.resourceType === 'Questionnaire') return loadQuestionnaire(resource).issues.filter((i) => i.severity === 'error').map((i) => `${i.location}: ${i.message}`);
  return validate(resource) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, memory: { type: 'boolean' },
      token: { type: 'string' }, 'require-token': { type: 'string' }, 'allow-origin': { type: 'string', multiple: true },
      'max-body-bytes': { type: 'string' }, dev: { type: 'boolean' },
      transactions: { type: 'string' }, 'max-transaction-entries': { type: 'string' }, 'server-ids-only': { type: 'boolean' },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Not a port: ${values.port}`, 2);
  const transactions = (values.transactions ?? 'atomic') as TransactionMode;
  if (!['atomic', 'independent', 'none'].includes(transactions)) fail(`--transactions must be atomic, independent or none, not ${values.transactions}`, 2);
  const positive = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    return Number.isInteger(n) && n > 0 ? n : fail(`--${name} must be a positive whole number, not ${value}`, 2);
  };
  const token = values['require-token'] ?? values.token ?? process.env.KBS_TOKEN ?? undefined;
  const dataDir = values.memory ? undefined : resolve(values.data ?? process.env.KBS_DATA_DIR ?? '.kbs-data');
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  // The server's packages are optional peers: loaded only here, with a plain message when absent.
  const { startFhirServer, ServerStartError, isLoopback: isLoopbackHost } = await loadFhirServer().catch((e: Error) => fail(e.message));
  let server: Awaited<ReturnType<typeof startFhirServer>>;
  try {
    server = await startFhirServer({
      port,
      host,
      dataDir,
      staticDir: join(PACKAGE_ROOT, 'dist'),
      // The demo, and a year of made-up records for the safeguarding lead's audit (created once).
      seed: async (running) => {
        await seedDemo(running);
        await seedAuditDemo(running);
      },
      log: (line) => console.log(line),
      ...(token ? { requireToken: token } : {}),
      allowOrigins: values['allow-origin'] ?? [],
      ...(values['max-body-bytes'] !== undefined ? { maxBodyBytes: positive('max-body-bytes', values['max-body-bytes']) } : {}),
      dev: !!values.dev,
      transactions,
      ...(values['max-transaction-entries'] !== undefined ? { maxTransactionEntries: positive('max-transaction-entries', values['max-transaction-entries']) } : {}),
      serverIdsOnly: !!values['server-ids-only'],
    });
  } catch (e) {
    if (e instanceof ServerStartError) fail(`kbs serve: ${e.message}`, 2);
    throw e;
  }
  const modes = [
    token ? 'bearer token required' : '',
    transactions !== 'atomic' ? `transactions ${transactions}` : '',
    values['max-transaction-entries'] ? `at most ${values['max-transaction-entries']} entries per Bundle` : '',
    values['server-ids-only'] ? 'server-assigned ids only' : '',
    values.dev ? 'development (source maps served)' : '',
  ].filter(Boolean);
  console.log(`Keeping Babies Safe demo:  ${server.url}/`);
  console.log(`FHIR R4 endpoint:          ${server.baseUrl}  (${dataDir ? `records kept in ${dataDir}` : 'in memory only'})`);
  if (modes.length) console.log(`Modes:                     ${modes.join(', ')}`);
  if (!isLoopbackHost(host)) console.log(`Listening on ${host}: reachable from other machines, over plain HTTP. This is a demo and test bench, not a record store (docs/security.md).`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function deploy(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { server: { type: 'string' }, token: { type: 'string' } } });
  if (!values.server) fail(`kbs deploy needs --server URL\n${USAGE}`, 2);
  const content = readContent();
  const problems = content.flatMap(({ file, resource }) => validateResourceFile(resource).map((p) => `${file}: ${p}`));
  if (problems.length) fail(`Not deployed: the content has problems:\n${problems.join('\n')}`);
  const token = values.token ?? process.env.KBS_TOKEN;
  try {
    const result = await deployContent(content.map((c) => c.resource), { baseUrl: values.server!, ...(token ? { token } : {}) });
    const counts = (outcome: string) => result.resources.filter((r) => r.outcome === outcome).length;
    for (const r of result.resources) console.log(`  ${r.outcome.padEnd(9)} ${r.resourceType}/${r.id ?? '?'}  ${r.url}|${r.version}`);
    const refused = result.resources.filter((r) => r.outcome === 'refused');
    const summary = `${counts('created')} created, ${counts('updated')} updated, ${counts('unchanged')} unchanged, ${refused.length} refused (${result.method === 'none' ? 'nothing to write' : result.method === 'transaction' ? 'by transaction' : 'one request each'}, ${result.requests} requests)`;
    if (refused.length) {
      fail(`Not deployed completely to ${values.server}: ${summary}.\nRefused:\n${refused.map((r) => `  ${r.resourceType} ${r.url}|${r.version}: ${r.reason}`).join('\n')}`);
    }
    console.log(`Deployed ${content.length} resources to ${values.server}: ${summary}.`);
  } catch (e) {
    if (!(e instanceof DeployError)) throw e;
    fail(`Not deployed: ${e.message}${e.detail ? `\n${e.detail}` : ''}`);
  }
}

async function audit(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { server: { type: 'string' }, token: { type: 'string' }, ndjson: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'as-of': { type: 'string' }, format: { type: 'string' } } });
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!values.server === !values.ndjson) fail(`kbs audit needs either --server URL or --ndjson DIR\n${USAGE}`, 2);
  if (!values.from || !values.to || !date.test(values.from) || !date.test(values.to)) fail(`kbs audit needs --from and --to as YYYY-MM-DD\n${USAGE}`, 2);
  const format = (values.format ?? 'md') as 'md' | 'csv' | 'json';
  if (!['md', 'csv', 'json'].includes(format)) fail(`--format must be md, csv or json, not ${values.format}`, 2);
  const asOf = values['as-of'] ?? new Date().toISOString().slice(0, 10);
  if (!date.test(asOf)) fail('--as-of must be YYYY-MM-DD', 2);
  const token = values.token ?? process.env.KBS_TOKEN;
  try {
    const result = await runAudit({ ...(values.server ? { server: values.server } : {}), ...(values.ndjson ? { ndjson: values.ndjson } : {}), ...(token ? { token } : {}) }, { from: values.from!, to: values.to!, asOf });
    process.stdout.write(formatAudit(result, format));
  } catch (e) {
    fail(`The audit could not be made: ${(e as Error).message}`);
  }
}

function validate(files: string[]): void {
  const targets: { file: string; resource: ContentResource }[] = files.length
    ? files.map((file) => {
        try {
          return { file, resource: JSON.parse(readFileSync(file, 'utf8')) as ContentResource };
        } catch (e) {
          return fail(`${file}: cannot be read as JSON (${(e as Error).message})`);
        }
      })
    : readContent();
  let bad = 0;
  for (const { file, resource } of targets) {
    const problems = validateResourceFile(resource);
    if (problems.length) bad++;
    console.log(problems.length ? `✗ ${file}\n${problems.map((p) => `    ${p}`).join('\n')}` : `✓ ${file}`);
  }
  console.log(`${targets.length - bad} valid, ${bad} with problems`);
  if (bad) process.exit(1);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  // `kbs <command> --help` (or -h) prints the usage instead of an unknown-option error.
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return;
  }
  switch (command) {
    case 'serve': return serve(args);
    case 'deploy': return deploy(args);
    case 'audit': return audit(args);
    case 'validate': return validate(args);
    case 'terminology-report': {
      const { execFileSync } = await import('node:child_process');
      execFileSync(process.execPath, [join(PACKAGE_ROOT, 'scripts/terminology-report.mjs'), ...args], { stdio: 'inherit' });
      return;
    }
    case undefined:
    case '--help':
    case 'help':
      console.log(USAGE);
      return;
    default:
      fail(`Unknown command: ${command}\n${USAGE}`, 2);
  }
}

if (process.argv[1] && resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(join('server', 'cli.js'))) {
  main().catch((e) => fail(`kbs: ${(e as Error).message}`));
}
