/**
 * The product content as FHIR: Questionnaires, ValueSets, CodeSystem and ConceptMap from the
 * package's questionnaires/ and valuesets/ folders, as one idempotent transaction (PUT by id).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (works from src/ under tests and from dist/esm/ when installed). */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readdirSync(join(dir, 'questionnaires'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('cannot find the questionnaires/ folder of kbs-record-templates');
})();

export type ContentResource = fhir4.Questionnaire | fhir4.ValueSet | fhir4.CodeSystem | fhir4.ConceptMap;

export function readContent(root = PACKAGE_ROOT): { file: string; resource: ContentResource }[] {
  return ['valuesets', 'questionnaires'].flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ file: join(folder, f), resource: JSON.parse(readFileSync(join(root, folder, f), 'utf8')) as ContentResource })),
  );
}

export function contentTransaction(resources: ContentResource[]): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  };
}
