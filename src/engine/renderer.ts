/**
 * The part of the engine a form on screen needs: loading, state, enabling, validation, the
 * response, typed input, population. Not the write-back (extraction and the transaction, in
 * `extract.ts`): the components import this, so a page's first load carries no write code, and
 * the gateway brings that when it loads. `index.ts` is the whole engine.
 */
export * from './constants.js';
export * from './types.js';
export type { SchemaError, SchemaValidator } from './schema-types.js';
export { loadSchemaValidator, markBuiltIn, prepareQuestionnaire } from './prepare.js';
export type { LoadResult } from './check.js';
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
export { isRestricted } from './restricted.js';
export { isValidNhsNumber, normaliseNhsNumber, formatNhsNumber, findInvalidNhsNumber } from './nhs-number.js';
export { ageInYears, subjectKind, BABY_UNDER_YEARS, ADULT_FROM_YEARS, type SubjectKind } from './subject.js';
export { createAudit, suppress, answersAt, auditRows, toCsv, AUDITED, AUDIT_COLUMNS, AUDIT_SECTIONS, type AuditPeriod, type AuditResult, type Rate, type Shown } from './audit.js';
export { parseTypedAnswer, typedTextOf, parseDateParts, datePartsOf, localOffset, typedTextIssues, DATE_PARTS, type DatePart } from './typed-input.js';
export type { StoredTask } from './extract.js';
