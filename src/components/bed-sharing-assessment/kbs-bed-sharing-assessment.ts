/**
 * <kbs-bed-sharing-assessment>: the safer sleep assessment for co-sleeping/bed sharing, completed
 * with the family. The outcome shows the moment it applies (declarative enableWhen in the
 * questionnaire), explained beside it without judgement and naming the answers that were yes.
 *
 * The family copy is printed from a document of its own, built only from this assessment: the host
 * page, its record panels and any other template are never part of it, whatever the host's print
 * CSS says (or does not say).
 */
import { css, html, nothing, render, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { FormState, Reference } from '../../engine/renderer.js';
import type { KbsGateway } from '../../fhir/gateway.js';
import { findBaby } from '../shared/subject.js';
import { KbsTemplateElement } from '../shared/template-element.js';
import { tokens } from '../shared/tokens.styles.js';

const RISKS = ['smoking', 'alcohol', 'drugs', 'tiredness', 'early-or-small', 'not-routine'] as const;
const OUTCOME_NOT = 'checklist/outcome-advised-not-to-bed-share';
const OUTCOME_OK = 'checklist/outcome-no-checklist-risk';
/** Who completed the assessment with the family, from the contact it was done at. */
const ROLE_BY_CONTACT: Record<string, string> = {
  'contact-midwife-discharge': 'Midwife',
  'contact-health-visitor-new-birth': 'Health visitor',
};

/** The printed copy's own styles: plain, black on white, A4-friendly. */
const FAMILY_COPY_CSS = `
  @page { margin: 15mm; }
  body { font-family: Arial, 'Helvetica Neue', Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #000; background: #fff; margin: 0; }
  h1 { font-size: 18pt; margin: 0 0 4pt; }
  h2 { font-size: 13pt; margin: 12pt 0 4pt; }
  .meta { margin: 0 0 8pt; }
  table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; }
  th, td { border: 1px solid #666; padding: 3pt 6pt; text-align: left; vertical-align: top; }
  .outcome { border-left: 6pt solid #005eb8; padding: 4pt 8pt; margin: 8pt 0; }
`;

/**
 * @fires kbs-answer-change - The user changed an answer (from the inner kbs-questionnaire; bubbles, composed).
 * @fires kbs-response-change - The in-progress response changed (after each answer).
 * @fires kbs-submit - The user asked to save and the answers are valid; cancel it to save yourself.
 * @fires kbs-saved - The record system confirmed the save.
 * @fires kbs-save-error - The save failed or is queued; `detail.result.message` says which.
 * @fires kbs-invalid - The user asked to save but some answers need attention.
 * @fires kbs-load-warning - For the integrator: the questionnaire loaded with warnings, or the record system holds a different form under the same canonical url|version (`detail.issues`); also written to the console.
 * @csspart load-problem - Said in place of the form when the form itself could not be loaded.
 * @csspart explanation - The words that go with the outcome.
 * @csspart print - The "Print a copy for the family" button.
 * @csspart subject-problem - Why nothing can be saved for this patient.
 */
@customElement('kbs-bed-sharing-assessment')
export class KbsBedSharingAssessment extends KbsTemplateElement {
  static override styles = [
    tokens,
    css`
      .explanation { border-left: 8px solid var(--_blue); background: var(--_grey); padding: var(--_space); margin: 0 0 var(--_space); }
      .explanation ul { margin: 0 0 var(--_space); }
      @media print { .no-print { display: none !important; } }
    `,
  ];
  protected readonly template = 'bed-sharing-assessment';
  @state() private form_?: FormState;
  private printFrame?: HTMLIFrameElement;

  private onChange = () => (this.form_ = this.questionnaireElement?.state);

  protected findSubject(gateway: KbsGateway | undefined, now: Date): Promise<Reference> {
    return findBaby(gateway, this.patient, now);
  }

  /** Another baby: the outcome, its explanation and the family copy come from the new, empty answers. */
  protected override afterReset(): void {
    this.onChange();
  }

  protected override async firstUpdated(): Promise<void> {
    // A resumed or read-only record shows its outcome without any change.
    await this.ready;
    this.onChange();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.printFrame?.remove();
    this.printFrame = undefined;
  }

  private text(linkId: string): string {
    return this.form_?.index.byLinkId.get(linkId)?.item.text ?? '';
  }

  private answer(path: string): string {
    const v = this.form_?.answers.get(path)?.[0];
    return v?.valueBoolean === true ? 'Yes' : v?.valueBoolean === false ? 'No' : 'Not answered';
  }

  /** The checklist questions answered yes, in order. */
  private yesAnswers(): string[] {
    return RISKS.filter((r) => this.form_?.answers.get(`checklist/${r}`)?.[0]?.valueBoolean === true).map((r) => this.text(r));
  }

  private outcome(): 'advised-not' | 'no-risk' | undefined {
    const state = this.form_;
    return state?.enabled.has(OUTCOME_NOT) ? 'advised-not' : state?.enabled.has(OUTCOME_OK) ? 'no-risk' : undefined;
  }

  /** The words beside the outcome, on screen and in the family copy. */
  private explanation(): TemplateResult | typeof nothing {
    const outcome = this.outcome();
    if (!outcome) return nothing;
    const yes = this.yesAnswers();
    return html`<p>This is about keeping your baby safe, not about blame. Many families share a bed with their baby at some time, planned or not.</p>
      ${outcome === 'advised-not'
        ? html`<p>You answered yes to:</p><ul>${yes.map((t) => html`<li>${t}</li>`)}</ul>
            <p>Because of ${yes.length === 1 ? 'this answer' : 'these answers'}, sharing a bed would raise the risk of SIDS for your baby right now. Talk with us about a safe sleep space for every sleep, day and night.</p>`
        : html`<p>None of these risks apply now. If you do share a bed, use the safer co-sleeping advice above, and check this list again whenever things change.</p>`}`;
  }

  /** Who completed it with the family: the author's name where the host gave one, and the role from the contact. */
  private completedBy(): string | undefined {
    const contact = this.form_?.answers.get('contact')?.[0]?.valueCoding?.code;
    const role = contact ? ROLE_BY_CONTACT[contact] : undefined;
    const name = this.author?.display;
    if (name && role) return `${name} (${role})`;
    return name ?? role;
  }

  /** The family copy: key messages, safer co-sleeping advice, the checklist as answered, the outcome and its explanation. */
  familyCopy(): TemplateResult {
    // Always the answers on screen now, never a copy kept from before.
    this.form_ = this.questionnaireElement?.state;
    const state = this.form_;
    const children = (linkId: string) => state?.index.byLinkId.get(linkId)?.children.map((c) => c.item) ?? [];
    const outcome = this.outcome();
    const date = this.now().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
    const by = this.completedBy();
    return html`<main>
      <h1>${state?.questionnaire.title ?? this.bundled.title}</h1>
      <p class="meta">Your copy, ${date}.${by ? html` Completed with you by ${by}.` : nothing}</p>
      <h2>${this.text('key-messages')}</h2>
      <ol>${children('key-messages').map((i) => html`<li>${i.text}</li>`)}</ol>
      <h2>${this.text('safer-co-sleeping')}</h2>
      <ul>${children('safer-co-sleeping').map((i) => html`<li>${i.text}</li>`)}</ul>
      <h2>${this.text('checklist')}</h2>
      <p>${this.text('checklist-intro')}</p>
      <table><thead><tr><th>Question</th><th>Your answer</th><th>Why this increases the risk</th></tr></thead>
        <tbody>${RISKS.map((r) => html`<tr><td>${this.text(r)}</td><td>${this.answer(`checklist/${r}`)}</td><td>${this.text(`${r}-why`)}</td></tr>`)}</tbody></table>
      ${outcome ? html`<div class="outcome"><p><strong>${this.text(outcome === 'advised-not' ? 'outcome-advised-not-to-bed-share' : 'outcome-no-checklist-risk')}</strong></p>${this.explanation()}</div>` : nothing}
      <p>More information: The Lullaby Trust. Contact your Midwife or Health Visitor if you have any questions.</p>
    </main>`;
  }

  /**
   * Prints the family copy from a frame of its own: an empty same-origin document holding only the
   * copy, with its own styles (a constructed stylesheet, so a strict CSP allows it). The host page is
   * never printed by this button.
   */
  printFamilyCopy(): HTMLIFrameElement {
    this.printFrame?.remove();
    const frame = document.createElement('iframe');
    frame.title = 'Family copy for printing';
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    Object.assign(frame.style, { position: 'fixed', left: '-10000px', top: '0', width: '210mm', height: '297mm', border: '0', visibility: 'hidden' });
    document.body.append(frame);
    this.printFrame = frame;
    const win = frame.contentWindow!;
    const doc = frame.contentDocument!;
    doc.documentElement.lang = 'en-GB';
    doc.title = this.bundled.title ?? 'Family copy';
    const sheet = new (win as unknown as typeof globalThis).CSSStyleSheet();
    sheet.replaceSync(FAMILY_COPY_CSS);
    doc.adoptedStyleSheets = [sheet];
    render(this.familyCopy(), doc.body);
    win.focus();
    win.print();
    return frame;
  }

  protected override render(): TemplateResult {
    const outcome = this.outcome();
    const slotted = outcome
      ? html`<div class="explanation" part="explanation" role="note" slot=${outcome === 'advised-not' ? `after:outcome-advised-not-to-bed-share` : `after:outcome-no-checklist-risk`}>${this.explanation()}</div>`
      : nothing;
    return html`<div @kbs-answer-change=${this.onChange} @kbs-response-change=${this.onChange}>
        ${this.renderSubjectProblem()}
        ${this.renderOutboxNote()}
        ${this.renderForm(this.encounter, { afterSlots: ['outcome-advised-not-to-bed-share', 'outcome-no-checklist-risk'], slotted })}
        <button type="button" class="secondary no-print" part="print" @click=${() => this.printFamilyCopy()}>Print a copy for the family</button>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-bed-sharing-assessment': KbsBedSharingAssessment;
  }
}
