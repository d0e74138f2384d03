/**
 * Every event the components send, typed in one place, and the one `emit()` that sends them
 * (bubbling and composed, so a host page hears them through shadow roots). Events fire for user
 * actions only, never because a host set a property.
 */
import type { Answer, Issue, QuestionnaireResponse } from '../engine/renderer.js';
import type { SaveStatus, SubmitResult } from '../fhir/gateway.js';

export interface KbsAnswerChangeDetail {
  linkId: string;
  path: string;
  answers: readonly Answer[];
}
export interface KbsResponseChangeDetail {
  /** The in-progress response as it stands now. */
  response: QuestionnaireResponse;
}
export interface KbsSubmitDetail {
  /** The completed response; call `preventDefault()` to save it yourself. */
  response: QuestionnaireResponse;
}
export interface KbsSavedDetail {
  result: SubmitResult;
}
export interface KbsSaveErrorDetail {
  result: SubmitResult;
}
export interface KbsInvalidDetail {
  issues: Issue[];
}
export interface KbsLoadWarningDetail {
  /** What the integrator should fix in the questionnaire or the element's set-up; the form still works. */
  issues: Issue[];
}
export interface KbsStatusDetail {
  status: SaveStatus;
}

export interface KbsEventMap {
  'kbs-answer-change': CustomEvent<KbsAnswerChangeDetail>;
  'kbs-response-change': CustomEvent<KbsResponseChangeDetail>;
  'kbs-submit': CustomEvent<KbsSubmitDetail>;
  'kbs-saved': CustomEvent<KbsSavedDetail>;
  'kbs-save-error': CustomEvent<KbsSaveErrorDetail>;
  'kbs-invalid': CustomEvent<KbsInvalidDetail>;
  'kbs-load-warning': CustomEvent<KbsLoadWarningDetail>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends KbsEventMap {}
}

type DetailOf<K extends keyof KbsEventMap> = KbsEventMap[K] extends CustomEvent<infer D> ? D : never;

/** Sends a kbs-* event from `target`; returns false when a listener cancelled it. */
export function emit<K extends keyof KbsEventMap>(target: EventTarget, name: K, detail: DetailOf<K>, options: { cancelable?: boolean } = {}): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }));
}
