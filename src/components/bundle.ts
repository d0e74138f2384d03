/**
 * The script-tag bundle (dist/bundle/kbs.js): defines every element. Unlike `index.ts` it does not
 * carry the product content: each template loads its own questionnaire as a small chunk when it
 * first connects, so a page loads only what it shows.
 */
export { KbsQuestionnaire, idFor } from './questionnaire/kbs-questionnaire.js';
export { KbsEightWeekCheck, EIGHT_WEEK_TICKS } from './eight-week-check/kbs-eight-week-check.js';
export { KbsBedSharingAssessment } from './bed-sharing-assessment/kbs-bed-sharing-assessment.js';
export { KbsDomesticAbuseEnquiry } from './domestic-abuse-enquiry/kbs-domestic-abuse-enquiry.js';
export { KbsFollowUps, type KbsOpenEnquiryDetail } from './follow-ups/kbs-follow-ups.js';
export { emit, type KbsEventMap } from './events.js';
