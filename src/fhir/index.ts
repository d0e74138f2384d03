/** The FHIR side: the gateway over fhir-kit-client, errors, retries and the outbox. */
export * from './gateway.js';
export * from './lazy-gateway.js';
export * from './client.js';
export * from './errors.js';
export * from './retry.js';
export * from './outbox.js';
export * from './smart.js';
export * from './audit-source.js';
