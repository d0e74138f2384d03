/** Starts the embedded server (real HTTP on loopback) seeded with the demo, for integration tests. */
import type { SetupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { startFhirServer, type FhirServerOptions, type RunningFhirServer } from '../../src/server/fhir-server.js';
import { seedDemo } from '../../src/server/seed.js';

/** `options` selects a test mode (`transactions`, `maxTransactionEntries`, `serverIdsOnly`, `requireToken`, …). */
export async function startDemoServer(dataDir?: string, options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  return startFhirServer({ seed: seedDemo, ...(dataDir ? { dataDir } : {}), ...options });
}

/** Counts resources of a type by a search, straight from the router. */
export async function count(server: RunningFhirServer, query: string): Promise<number> {
  const [, bundle] = await server.request('GET', `/${query}${query.includes('?') ? '&' : '?'}_count=1000`);
  return ((bundle as fhir4.Bundle).entry ?? []).length;
}

export async function everything(server: RunningFhirServer): Promise<fhir4.Resource[]> {
  return (await server.repo.allResources()) as fhir4.Resource[];
}

/**
 * For a test file: the demo server, with msw listening in front of it for fault injection (requests
 * msw does not handle go through to the server). `started` is given the running server.
 */
export function useDemoServerBehindMsw(mock: SetupServer, started: (server: RunningFhirServer) => void): void {
  let server: RunningFhirServer | undefined;
  beforeAll(async () => {
    server = await startDemoServer();
    started(server);
    mock.listen({ onUnhandledRequest: 'bypass' });
  });
  afterAll(async () => {
    mock.close();
    await server?.close();
  });
}
