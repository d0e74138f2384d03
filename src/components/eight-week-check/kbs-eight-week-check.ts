/**
 * <kbs-eight-week-check>: the Keeping Babies Safe messages at the GP 8 week baby check. The six
 * statements on one screen, a tick per section, done by mouse or keyboard in under 30 seconds.
 * Ticks start unticked and there is no "tick all": a message is recorded as given only when the
 * GP ticks it.
 */
import { css, html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Reference } from '../../engine/renderer.js';
import type { KbsGateway } from '../../fhir/gateway.js';
import { findBaby } from '../shared/subject.js';
import { KbsTemplateElement } from '../shared/template-element.js';
import { tokens } from '../shared/tokens.styles.js';

/** The ticks that file a record entry, in order. */
export const EIGHT_WEEK_TICKS = ['kbs/advice-child-safety', 'kbs/safer-sleep/info-infant-safe-sleeping', 'kbs/crying/advice-shaking-babies'] as const;

/**
 * @fires kbs-answer-change - The user changed an answer (from the inner kbs-questionnaire; bubbles, composed).
 * @fires kbs-response-change - The in-progress response changed (after each answer).
 * @fires kbs-submit - The user asked to save and the answers are valid; cancel it to save yourself.
 * @fires kbs-saved - The record system confirmed the save.
 * @fires kbs-save-error - The save failed or is queued; `detail.result.message` says which.
 * @fires kbs-invalid - The user asked to save but some answers need attention.
 * @fires kbs-load-warning - For the integrator: the questionnaire loaded with warnings, or the record system holds a different form under the same canonical url|version (`detail.issues`); also written to the console.
 * @csspart load-problem - Said in place of the form when the form itself could not be loaded.
 * @csspart tally - The "n of 3 messages recorded" line.
 */
@customElement('kbs-eight-week-check')
export class KbsEightWeekCheck extends KbsTemplateElement {
  static override styles = [tokens, css`.tally { color: var(--_secondary); margin: 0 0 var(--_space); }`];
  protected readonly template = 'eight-week-check';
  @state() private ticked = 0;
  /** The ticks are in the record only once a save is confirmed (or when showing a stored record). */
  @state() private saved = false;

  protected findSubject(gateway: KbsGateway | undefined, now: Date): Promise<Reference> {
    return findBaby(gateway, this.patient, now);
  }

  protected override async firstUpdated(): Promise<void> {
    await this.ready;
    this.count();
  }

  private count(): void {
    const state = this.questionnaireElement?.state;
    this.ticked = state ? EIGHT_WEEK_TICKS.filter((p) => state.answers.get(p)?.[0]?.valueBoolean === true).length : 0;
  }

  private onChange = () => {
    this.saved = false;
    this.count();
  };

  private onSaved = () => {
    this.count();
    this.saved = true;
  };

  private tally(): string {
    const of = `${this.ticked} of ${EIGHT_WEEK_TICKS.length} messages`;
    const stored = this.readonly || (this.response !== undefined && this.response.status !== 'in-progress' && !this.changedSinceLoad);
    if (this.saved || stored) return `${of} recorded as given.`;
    return this.ticked ? `${of} ticked — not saved yet.` : `${of} ticked.`;
  }

  private changedSinceLoad = false;

  /** Another baby: nothing ticked, nothing recorded yet. */
  protected override afterReset(): void {
    this.saved = false;
    this.changedSinceLoad = false;
    this.count();
  }

  protected override render(): TemplateResult {
    return html`<div @kbs-answer-change=${() => { this.changedSinceLoad = true; this.onChange(); }} @kbs-response-change=${this.onChange} @kbs-saved=${this.onSaved}>
      ${this.renderSubjectProblem()}
      ${this.renderOutboxNote()}
      ${this.renderForm(this.encounter)}
      <p class="tally" part="tally" aria-live="polite">${this.tally()}</p>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-eight-week-check': KbsEightWeekCheck;
  }
}
