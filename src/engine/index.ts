/**
 * The questionnaire engine: pure TypeScript, no DOM, no I/O, no Lit. A Questionnaire plus a
 * clinician's answers in; a QuestionnaireResponse (and later, extracted resources) out.
 * Clocks and id generators are passed in.
 */
export * from './renderer.js';
export { loadQuestionnaire } from './load.js';
export { loadQuestionnaireWith, checkQuestionnaire } from './check.js';
export {
  extractResources, buildTransactionBundle, createCodeMapper, extractsObservation, observationCategory, labelForQuestionnaire, responseUuid, RESTRICTED_SECURITY,
  type CodeMapper, type ExtractInput, type Extracted, type ProductInfo, type TransactionOptions,
} from './extract.js';
