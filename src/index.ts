/**
 * kbs-record-templates: the engine and the FHIR gateway (safe to import anywhere).
 * The Lit elements are `kbs-record-templates/components` (browser), the script-tag bundle is
 * `kbs-record-templates/bundle`, the embedded server `kbs-record-templates/server` (Node).
 */
export * from './engine/index.js';
export * from './fhir/index.js';
