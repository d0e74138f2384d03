/** kbs-record-templates: the engine, the FHIR gateway and the Lit components. */
export * from './engine/index.js';
