/**
 * The questionnaire engine: pure TypeScript, no DOM, no I/O, no Lit. A Questionnaire plus a
 * clinician's answers in; a QuestionnaireResponse (and later, extracted resources) out.
 * Clocks and id generators are passed in.
 */
export * from './constants.js';
export * from './types.js';
export type { SchemaError, SchemaValidator } from './schema-types.js';
export { loadQuestionnaireWith, loadSchemaValidator, markBuiltIn, prepareQuestionnaire, checkQuestionnaire, type LoadResult } from './check.js';
export { loadQuestionnaire } from './load.js';
export {
  indexQuestionnaire, linkIdOf, parentPathOf, pathsOf, pathsUnder, isRepeatingGroup, getExtension, itemPath, instancePath, escapeLinkId,
  unescapeLinkId, lastSegmentOf,
} from './paths.js';
export {
  createFormState, setAnswer, setAnswers, addRepeat, removeRepeat, isEnabled, getAnswers, getRepeatPaths,
  type CreateFormOptions,
} from './form-state.js';
export { allPaths, nodeAt } from './enable-when.js';
export { needsFhirPathToRender } from './paths.js';
export { loadExpressionSupport } from './expressions.js';
export { applyPopulation, fhirQueryVariables, isPlainSearch, launchContextNames, needsPopulation, populationQueries, type PopulationQuery } from './populate.js';
export { validateAnswers } from './validate.js';
export { codingsOfValueSet, findValueSet, createValueSetResolver, answerValueSetsOf, unresolvedValueSetIssues,
  type ValueSetResolver, } from './valuesets.js';
export { messages, labelOf } from './messages.js';
export { buildQuestionnaireResponse, toQuestionnaireResponse, questionnaireCanonical, URN_IDENTIFIER_SYSTEM, type ResponseMeta } from './response.js';
export { valueOf, codingEquals, answersEqual, isEmptyAnswer } from './answers.js';
export {
  extractResources, buildTransactionBundle, createCodeMapper, extractsObservation, observationCategory, isRestricted, labelForQuestionnaire, responseUuid, RESTRICTED_SECURITY,
  type CodeMapper, type ExtractInput, type Extracted, type ProductInfo, type StoredTask, type TransactionOptions,
} from './extract.js';
export { isValidNhsNumber, normaliseNhsNumber, formatNhsNumber, findInvalidNhsNumber } from './nhs-number.js';
export { ageInYears, subjectKind, BABY_UNDER_YEARS, ADULT_FROM_YEARS, type SubjectKind } from './subject.js';
export { createAudit, suppress, answersAt, auditRows, toCsv, AUDITED, AUDIT_COLUMNS, AUDIT_SECTIONS, type AuditPeriod, type AuditResult, type Rate, type Shown } from './audit.js';
