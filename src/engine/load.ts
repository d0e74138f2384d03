/**
 * `loadQuestionnaire`, synchronous, with the schema validator imported up front: for Node (the CLI,
 * the server, tests). Browser code uses `prepareQuestionnaire`, which loads the validator only for
 * questionnaires that are not built in.
 */
import { loadQuestionnaireWith, type LoadResult } from './check.js';
import { validateQuestionnaire } from './generated/questionnaire-validator.js';
import type { SchemaValidator } from './schema-types.js';
import type { ExpressionEvaluator } from './types.js';

export function loadQuestionnaire(json: unknown, evaluator?: ExpressionEvaluator): LoadResult {
  return loadQuestionnaireWith(validateQuestionnaire as SchemaValidator, json, evaluator);
}
