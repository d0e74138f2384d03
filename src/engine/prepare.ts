/**
 * Preparing a questionnaire to render, with as little code as it needs: a built-in one (validated
 * when the product was built) loads at once; anything else brings in the schema validator and
 * the semantic checks (`check.ts`) first, each a lazy chunk in the browser, and FHIRPath only when
 * the questionnaire has expressions.
 */
import type { LoadResult } from './check.js';
import { loadExpressionSupport } from './expressions.js';
import { needsFhirPathToRender } from './paths.js';
import type { SchemaValidator } from './schema-types.js';
import type { ExpressionEvaluator, Questionnaire } from './types.js';

/**
 * Questionnaires that passed the schema when the product was built (the bundled templates): frozen,
 * so the proof still holds, and loaded without the schema validator.
 */
const BUILT_IN = new WeakSet<object>();

/** Marks a questionnaire validated at build time; it is frozen, deeply, so it cannot change after. */
export function markBuiltIn<T extends object>(questionnaire: T): T {
  BUILT_IN.add(deepFreeze(questionnaire));
  return questionnaire;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The FHIR R4 schema validator for Questionnaires (~370 KB of generated code): loaded only when needed. */
export async function loadSchemaValidator(): Promise<SchemaValidator> {
  return (await import('./generated/questionnaire-validator.js')).validateQuestionnaire as SchemaValidator;
}

/** Loads a questionnaire, bringing in FHIRPath first when it uses expressions. */
export async function prepareQuestionnaire(json: unknown): Promise<LoadResult & { evaluator?: ExpressionEvaluator }> {
  if (typeof json === 'string') {
    // JSON text is read here, so that the search for FHIRPath below sees the questionnaire, not a quoted string.
    try {
      json = JSON.parse(json);
    } catch {
      return (await import('./check.js')).loadQuestionnaireWith(undefined, json);
    }
  }
  const evaluator = needsFhirPathToRender(json) ? loadExpressionSupport() : undefined;
  // A built-in questionnaire carries its build-time proof: the schema when the content was built,
  // the engine's own checks in the content tests (no issues); it loads with neither.
  if (json && typeof json === 'object' && BUILT_IN.has(json)) return { questionnaire: json as Questionnaire, issues: [], evaluator: await evaluator };
  const [{ loadQuestionnaireWith }, validator, loaded] = await Promise.all([import('./check.js'), loadSchemaValidator(), evaluator]);
  return { ...loadQuestionnaireWith(validator, json, loaded), evaluator: loaded };
}
