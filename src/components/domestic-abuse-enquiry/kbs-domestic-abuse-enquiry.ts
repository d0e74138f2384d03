/**
 * <kbs-domestic-abuse-enquiry>: the routine enquiry with the mother. Before any question shows,
 * "Is it safe to ask now?" (alone, private, professional interpreter if needed). If it is not, the
 * form opens straight at why and the follow-up, so the enquiry cannot be lost. The subject is the
 * mother, never the baby: the element saves nothing until it knows her record. Headings are
 * discreet, a "Hide" button clears the screen at once, and nothing is kept in browser storage.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { KBS_CONCEPTS, type Reference } from '../../engine/index.js';
import { QUESTIONNAIRES, VALUE_SETS } from '../generated/content.js';
import { KbsTemplateElement } from '../shared/template-element.js';
import { tokens } from '../shared/tokens.styles.js';

const GATE = [
  { key: 'alone', text: 'Is she on her own, with no partner or family member present (children under 2 excepted)?', reason: 'not-asked-partner-present' },
  { key: 'private', text: 'Are you somewhere private, where you cannot be overheard?', reason: 'not-asked-no-private-space' },
  { key: 'interpreter', text: 'Is a professional interpreter present, or not needed?', reason: 'not-asked-no-interpreter' },
] as const;

/** The reason's coding, as the questionnaire's ValueSet spells it. */
function reasonCoding(code: string): fhir4.Coding {
  const found = VALUE_SETS.flatMap((vs) => vs.expansion?.contains ?? []).find((c) => c.system === KBS_CONCEPTS && c.code === code);
  return { system: KBS_CONCEPTS, code, ...(found?.display ? { display: found.display } : {}) };
}
type GateKey = (typeof GATE)[number]['key'];

/**
 * @fires kbs-answer-change - The user changed an answer (from the inner kbs-questionnaire; bubbles, composed).
 * @fires kbs-response-change - The in-progress response changed (after each answer).
 * @fires kbs-submit - The user asked to save and the answers are valid; cancel it to save yourself.
 * @fires kbs-saved - The record system confirmed the save.
 * @fires kbs-save-error - The save failed or is queued; `detail.result.message` says which.
 * @fires kbs-invalid - The user asked to save but some answers need attention.
 * @csspart gate - The "Is it safe to ask now?" questions.
 * @csspart hide - The "Hide" button.
 */
@customElement('kbs-domestic-abuse-enquiry')
export class KbsDomesticAbuseEnquiry extends KbsTemplateElement {
  static override styles = [
    tokens,
    css`
      .bar { display: flex; justify-content: space-between; align-items: baseline; gap: var(--_space); }
      .gate fieldset { border: 0; padding: 0; margin: 0 0 var(--_space); }
      .gate legend { font-weight: 600; margin-bottom: 0.25em; }
      .choices { display: flex; gap: 1.5em; }
      .choice { display: flex; gap: 0.5em; align-items: center; }
      .choice input { width: 28px; height: 28px; accent-color: var(--_text); }
      .error-message { color: var(--_error); font-weight: 600; display: block; }
      .hidden-screen { color: var(--_secondary); }
      /* Never in a printout: the family may take the page home. */
      @media print { :host { display: none !important; } }
    `,
  ];
  protected readonly bundled = QUESTIONNAIRES['domestic-abuse-enquiry'];

  /** The mother's Patient reference. Without it, the element finds her through the baby's record. */
  @property({ attribute: false }) mother?: Reference;
  /** An encounter of the mother's (never the baby's). */
  @property({ attribute: false }) motherEncounter?: Reference;

  @state() private gate: Partial<Record<GateKey, boolean>> = {};
  @state() private gateDone = false;
  @state() private gateError = false;
  @state() private hiddenScreen = false;
  @state() private motherProblem?: string;
  private findingMother = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.response) this.gateDone = true; // resuming or amending: the gate was passed when it was started
  }

  protected override updated(): void {
    if (!this.mother && !this.motherProblem && !this.findingMother && this.patient?.reference && this.effectiveGateway) void this.findMother();
  }

  private async findMother(): Promise<void> {
    const gateway = this.effectiveGateway!;
    this.findingMother = true;
    try {
      const baby = await gateway.resolvePatient({ id: this.patient!.reference!.replace(/^Patient\//, '') });
      const mother = await gateway.resolveMother(baby);
      this.mother = { reference: `Patient/${mother.id}` };
    } catch (e) {
      this.motherProblem = `The mother's record could not be found (${(e as Error).message}) Nothing will be saved until it is.`;
    } finally {
      this.findingMother = false;
    }
  }

  private continueFromGate = async () => {
    if (GATE.some((g) => this.gate[g.key] === undefined)) {
      this.gateError = true;
      return;
    }
    this.gateError = false;
    this.gateDone = true;
    await this.updateComplete;
    const form = this.questionnaireElement!;
    await form.ready;
    const notSafe = GATE.filter((g) => this.gate[g.key] === false);
    if (notSafe.length) {
      // Straight to why and the follow-up.
      form.setAnswers('completed', [{ valueBoolean: false }]);
      form.setAnswers('not-completed/reason', notSafe.map((g) => ({ valueCoding: reasonCoding(g.reason) })));
    }
    // The reasons are filled in from the gate; focus goes to what still needs an answer.
    await form.focusFirstUnanswered();
  };

  private renderGate(): TemplateResult {
    return html`<div class="gate" part="gate">
      <h2>Is it safe to ask now?</h2>
      ${this.gateError ? html`<span class="error-message" role="alert"><span class="visually-hidden">Error:</span> Answer each question before you continue</span>` : nothing}
      ${GATE.map((g) => html`<fieldset>
        <legend>${g.text}</legend>
        <div class="choices">
          ${[true, false].map((v) => html`<div class="choice">
            <input type="radio" id="gate-${g.key}-${v}" name="gate-${g.key}" .checked=${this.gate[g.key] === v}
              @change=${() => (this.gate = { ...this.gate, [g.key]: v })} />
            <label for="gate-${g.key}-${v}">${v ? 'Yes' : 'No'}</label></div>`)}
        </div></fieldset>`)}
      <button type="button" @click=${this.continueFromGate}>Continue</button>
    </div>`;
  }

  protected override render(): TemplateResult {
    const bar = html`<div class="bar"><h2>Routine enquiry</h2>
      <button type="button" class="secondary" part="hide" @click=${() => (this.hiddenScreen = !this.hiddenScreen)}>${this.hiddenScreen ? 'Show' : 'Hide'}</button></div>`;
    const showForm = this.gateDone || this.readonly;
    // One structure whatever is shown, so hiding the screen never throws away the answers.
    return html`${bar}
      ${this.hiddenScreen ? html`<p class="hidden-screen">Hidden.</p>` : nothing}
      <div ?hidden=${this.hiddenScreen}>
        ${this.motherProblem ? html`<p class="error-message" role="alert">${this.motherProblem}</p>` : nothing}
        ${showForm ? nothing : this.renderGate()}
      </div>
      ${showForm ? this.renderForm(this.mother, this.motherEncounter, { hidden: this.hiddenScreen }) : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-domestic-abuse-enquiry': KbsDomesticAbuseEnquiry;
  }
}
