#!/usr/bin/env node
/**
 * kbs — the command line.
 *   kbs serve [--port 8080] [--host 127.0.0.1] [--data .kbs-data | --memory]   the demo on the embedded FHIR server
 *   kbs deploy --server URL [--token T]     load Questionnaires, ValueSets, CodeSystem, ConceptMap (one idempotent transaction)
 *   kbs validate [files…]                   schema + semantic checks (default: questionnaires/ and valuesets/)
 *   kbs terminology-report [--json]         local concepts and their SNOMED CT mappings
 * Exit codes: 0 ok, 1 the work failed (invalid content, server refused), 2 wrong usage.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadQuestionnaire } from '../engine/index.js';
import * as validators from '../engine/generated/fhir-validators.js';
import type { SchemaValidator } from '../engine/schema-types.js';
import { createClient } from '../fhir/client.js';
import { toGatewayError } from '../fhir/errors.js';
import { contentTransaction, PACKAGE_ROOT, readContent, type ContentResource } from './content.js';
import { loadFhirServer } from './load-server.js';
import { seedDemo } from './seed.js';

const USAGE = `Usage:
  kbs serve [--port 8080] [--host 127.0.0.1] [--data DIR | --memory]
  kbs deploy --server URL [--token TOKEN]
  kbs validate [FILE ...]
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
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, memory: { type: 'boolean' } } });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Not a port: ${values.port}`, 2);
  const dataDir = values.memory ? undefined : resolve(values.data ?? process.env.KBS_DATA_DIR ?? '.kbs-data');
  const { startFhirServer } = await loadFhirServer().catch((e: Error) => fail(e.message));
  const server = await startFhirServer({
    port,
    host: values.host ?? process.env.HOST ?? '127.0.0.1',
    dataDir,
    staticDir: join(PACKAGE_ROOT, 'dist'),
    seed: seedDemo,
    log: (line) => console.log(line),
  });
  console.log(`Keeping Babies Safe demo:  ${server.url}/`);
  console.log(`FHIR R4 endpoint:          ${server.baseUrl}  (${dataDir ? `records kept in ${dataDir}` : 'in memory only'})`);
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
  const client = createClient({ baseUrl: values.server!, token: values.token });
  try {
    const result = (await client.transaction({ body: contentTransaction(content.map((c) => c.resource)) as never })) as unknown as fhir4.Bundle;
    const statuses = (result.entry ?? []).map((e) => e.response?.status ?? '?');
    const created = statuses.filter((s) => s.startsWith('201')).length;
    console.log(`Deployed ${content.length} resources to ${values.server}: ${created} created, ${statuses.length - created} updated or unchanged.`);
    for (const { resource } of content) console.log(`  ${resource.resourceType}/${resource.id}  ${resource.url}|${resource.version}`);
  } catch (e) {
    const error = toGatewayError(e);
    fail(`Not deployed: ${error.message}\n${error.detail}`);
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
  switch (command) {
    case 'serve': return serve(args);
    case 'deploy': return deploy(args);
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
