/** The Lit elements; importing this module defines them all. */
export { KbsQuestionnaire, idFor } from './questionnaire/kbs-questionnaire.js';
export { KbsEightWeekCheck, EIGHT_WEEK_TICKS } from './eight-week-check/kbs-eight-week-check.js';
export { KbsBedSharingAssessment } from './bed-sharing-assessment/kbs-bed-sharing-assessment.js';
export { KbsDomesticAbuseEnquiry } from './domestic-abuse-enquiry/kbs-domestic-abuse-enquiry.js';
export { emit, type KbsEventMap } from './events.js';
export { QUESTIONNAIRES, VALUE_SETS, CONCEPT_MAPS } from './generated/content.js';
export { KbsFollowUps, type KbsOpenEnquiryDetail } from './follow-ups/kbs-follow-ups.js';
