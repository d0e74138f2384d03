/** Which questionnaires are restricted (the routine enquiry): their records carry R + SDV and go to the mother's record only. */
import { KBS_RESTRICTED_RECORD, RESTRICTED_QUESTIONNAIRES } from './constants.js';
import { getExtension } from './paths.js';
import type { Questionnaire } from './types.js';

/** Restricted by the product's definition of its canonical URL, or by the copy's own extension. */
export function isRestricted(questionnaire: Questionnaire): boolean {
  if (questionnaire.url && RESTRICTED_QUESTIONNAIRES.has(questionnaire.url)) return true;
  return getExtension(questionnaire, KBS_RESTRICTED_RECORD)?.valueBoolean === true;
}
