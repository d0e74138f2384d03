/** Starts the embedded server (real HTTP on loopback) seeded with the demo, for integration tests. */
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
