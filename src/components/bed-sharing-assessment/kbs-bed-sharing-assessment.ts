/**
 * <kbs-bed-sharing-assessment>: the safer sleep assessment for co-sleeping/bed sharing, completed
 * with the family. The outcome shows the moment it applies (declarative enableWhen in the
 * questionnaire), explained without judgement, and a printable copy the family keeps. The family
 * copy is built only from this assessment: it can never contain anything from another template.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { FormState } from '../../engine/index.js';
import { QUESTIONNAIRES } from '../generated/content.js';
import { KbsTemplateElement } from '../shared/template-element.js';
import { tokens } from '../shared/tokens.styles.js';

const RISKS = ['smoking', 'alcohol', 'drugs', 'tiredness', 'early-or-small', 'not-routine'] as const;
const OUTCOME_NOT = 'checklist/outcome-advised-not-to-bed-share';
const OUTCOME_OK = 'checklist/outcome-no-checklist-risk';

/**
 * @fires kbs-answer-change - The user changed an answer (from the inner kbs-questionnaire; bubbles, composed).
 * @fires kbs-response-change - The in-progress response changed (after each answer).
 * @fires kbs-submit - The user asked to save and the answers are valid; cancel it to save yourself.
 * @fires kbs-saved - The record system confirmed the save.
 * @fires kbs-save-error - The save failed or is queued; `detail.result.message` says which.
 * @fires kbs-invalid - The user asked to save but some answers need attention.
 * @csspart explanation - The words that go with the outcome.
 * @csspart family-copy - The printed copy for the family.
 * @csspart print - The "Print a copy for the family" button.
 */
@customElement('kbs-bed-sharing-assessment')
export class KbsBedSharingAssessment extends KbsTemplateElement {
  static override styles = [
    tokens,
    css`
      .explanation { border-left: 8px solid var(--_blue); background: var(--_grey); padding: var(--_space); margin: 0 0 var(--_space); }
      .family-copy { display: none; }
      .family-copy h2 { font-size: 1.4em; }
      .family-copy table { border-collapse: collapse; width: 100%; margin-bottom: var(--_space); }
      .family-copy th, .family-copy td { border: 1px solid #999; padding: 4px 8px; text-align: left; vertical-align: top; }
      @media print {
        .screen { display: none !important; }
        .family-copy { display: block; }
        :host { font-size: 11pt; }
      }
    `,
  ];
  protected readonly bundled = QUESTIONNAIRES['bed-sharing-assessment'];
  @state() private form_?: FormState;

  private onChange = () => (this.form_ = this.questionnaireElement?.state);

  protected override async firstUpdated(): Promise<void> {
    // A resumed or read-only record shows its outcome and family copy without any change.
    await this.ready;
    this.onChange();
  }

  private text(linkId: string): string {
    return this.form_?.index.byLinkId.get(linkId)?.item.text ?? '';
  }

  private answer(path: string): string {
    const v = this.form_?.answers.get(path)?.[0];
    return v?.valueBoolean === true ? 'Yes' : v?.valueBoolean === false ? 'No' : '—';
  }

  /** The printed copy: key messages, safer co-sleeping advice, the checklist as answered, the outcome. */
  private renderFamilyCopy(): TemplateResult | typeof nothing {
    const state = this.form_;
    if (!state) return nothing;
    const children = (linkId: string) => state.index.byLinkId.get(linkId)?.children.map((c) => c.item) ?? [];
    const outcome = state.enabled.has(OUTCOME_NOT) ? this.text('outcome-advised-not-to-bed-share') : state.enabled.has(OUTCOME_OK) ? this.text('outcome-no-checklist-risk') : undefined;
    return html`<section class="family-copy" part="family-copy" aria-hidden="true">
      <h2>${state.questionnaire.title}</h2>
      <h3>${this.text('key-messages')}</h3>
      <ol>${children('key-messages').map((i) => html`<li>${i.text}</li>`)}</ol>
      <h3>${this.text('safer-co-sleeping')}</h3>
      <ul>${children('safer-co-sleeping').map((i) => html`<li>${i.text}</li>`)}</ul>
      <h3>${this.text('checklist')}</h3>
      <p>${this.text('checklist-intro')}</p>
      <table><thead><tr><th>Question</th><th>Your answer</th><th>Why this increases the risk</th></tr></thead>
        <tbody>${RISKS.map((r) => html`<tr><td>${this.text(r)}</td><td>${this.answer(`checklist/${r}`)}</td><td>${this.text(`${r}-why`)}</td></tr>`)}</tbody></table>
      ${outcome ? html`<p><strong>${outcome}</strong></p>` : nothing}
      <p>More information: The Lullaby Trust. Contact your Midwife or Health Visitor if you have any questions.</p>
    </section>`;
  }

  protected override render(): TemplateResult {
    const state = this.form_;
    const advisedNot = state?.enabled.has(OUTCOME_NOT) ?? false;
    const noRisk = state?.enabled.has(OUTCOME_OK) ?? false;
    return html`<div class="screen" @kbs-answer-change=${this.onChange} @kbs-response-change=${this.onChange}>
        ${this.renderForm(this.patient, this.encounter)}
        ${advisedNot || noRisk
          ? html`<div class="explanation" part="explanation" role="note">
              <p>This is about keeping your baby safe, not about blame. Many families share a bed with their baby at some time, planned or not.</p>
              <p>${advisedNot
                ? 'Because of the answer(s) marked yes, sharing a bed would raise the risk of SIDS for your baby right now. Talk with us about a safe sleep space for every sleep, day and night.'
                : 'None of these risks apply now. If you do share a bed, use the safer co-sleeping advice above, and check this list again whenever things change.'}</p>
            </div>`
          : nothing}
        <button type="button" class="secondary" part="print" @click=${() => window.print()}>Print a copy for the family</button>
      </div>
      ${this.renderFamilyCopy()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-bed-sharing-assessment': KbsBedSharingAssessment;
  }
}
