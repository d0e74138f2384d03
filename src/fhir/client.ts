/**
 * The one place outside the gateway that constructs fhir-kit-client, and the read-only searches the
 * demo's record panel needs. Everything that talks to a FHIR server goes through src/fhir
 * (checked by scripts/lint-boundaries.mjs).
 */
import { Client } from 'fhir-kit-client';
import { FhirGatewayError, toGatewayError } from './errors.js';

export interface ClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
}

/** A fhir-kit-client for `baseUrl` (trailing slash removed), with the bearer token when given. */
export function createClient({ baseUrl, token }: ClientOptions): Client {
  if (!baseUrl) throw new FhirGatewayError('invalid-input', 'No FHIR base URL was given.');
  return new Client({ baseUrl: baseUrl.replace(/\/$/, ''), ...(token ? { bearerToken: token } : {}) });
}

export interface RecordReader {
  /** One page of a search, as its resources; failures are FhirGatewayErrors with a clear message. */
  search(resourceType: string, searchParams: Record<string, string>): Promise<fhir4.Resource[]>;
}

/** Read-only searches over the same client the gateway uses (pass it in, or the options to make one). */
export function createRecordReader(source: Client | ClientOptions, timeoutMs = 20_000): RecordReader {
  const client = 'search' in source ? source : createClient(source);
  return {
    async search(resourceType, searchParams) {
      try {
        const bundle = (await client.search({ resourceType: resourceType as 'Patient', searchParams, options: { signal: AbortSignal.timeout(timeoutMs) } })) as unknown as fhir4.Bundle;
        return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
      } catch (e) {
        throw toGatewayError(e);
      }
    },
  };
}
