/**
 * <kbs-domestic-abuse-enquiry>: the routine enquiry with the mother. Before any question shows,
 * "Is it safe to ask now?" (alone, private, professional interpreter if needed). If it is not, the
 * form opens straight at why and the follow-up, so the enquiry cannot be lost. The subject is the
 * mother, never the baby: the element saves nothing until it knows her record. Headings are
 * discreet, a "Hide" button clears the screen at once, and nothing is kept in browser storage.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { answersAt, KBS_CONCEPTS, type QuestionnaireResponse, type Reference, type StoredTask } from '../../engine/renderer.js';
import type { EnquiryRecord, KbsGateway } from '../../fhir/gateway.js';
import { yesNoRadios } from '../questionnaire/controls/boolean.js';
import { findMother } from '../shared/subject.js';
import { KbsTemplateElement } from '../shared/template-element.js';
import { tokens } from '../shared/tokens.styles.js';

const GATE = [
  { key: 'alone', text: 'Is she on her own, with no partner or family member present (children under 2 excepted)?', reason: 'not-asked-partner-present' },
  { key: 'private', text: 'Are you somewhere private, where you cannot be overheard?', reason: 'not-asked-no-private-space' },
  { key: 'interpreter', text: 'Is a professional interpreter present, or not needed?', reason: 'not-asked-no-interpreter' },
] as const;

/** The reason's coding, as the questionnaire's ValueSet spells it. */
function reasonCoding(code: string, valueSets: readonly fhir4.ValueSet[]): fhir4.Coding {
  const found = valueSets.flatMap((vs) => vs.expansion?.contains ?? []).find((c) => c.system === KBS_CONCEPTS && c.code === code);
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
 * @fires kbs-load-warning - For the integrator: the questionnaire loaded with warnings, or the record system holds a different form under the same canonical url|version (`detail.issues`); also written to the console.
 * @csspart load-problem - Said in place of the form when the form itself could not be loaded.
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
      .outstanding { border-left: 8px solid #ffb81c; background: var(--_warning); padding: var(--_space); margin: 0 0 var(--_space); }
      .outstanding h3 { margin: 0 0 0.25em; }
      .record ul { margin: 0 0 var(--_space); }
      /* Never in a printout: the family may take the page home. */
      @media print { :host { display: none !important; } }
    `,
  ];
  protected readonly template = 'domestic-abuse-enquiry';

  /** The mother's Patient reference. Without it, the element finds her through the baby's record. */
  @property({ attribute: false }) mother?: Reference;
  /** An encounter of the mother's (never the baby's). */
  @property({ attribute: false }) motherEncounter?: Reference;

  @state() private gate: Partial<Record<GateKey, boolean>> = {};
  @state() private gateDone = false;
  @state() private gateError = false;
  @state() private hiddenScreen = false;
  /** Her open follow-ups and earlier enquiries: loaded only once the gate is passed. */
  @state() private record?: EnquiryRecord;
  @state() private recordProblem?: string;

  protected override subjectInputs: readonly string[] = ['patient', 'mother', 'gateway', 'fhirBaseUrl', 'token'];

  /** The mother: given, or the context patient when she is an adult, or the baby's recorded mother. */
  protected findSubject(gateway: KbsGateway | undefined, now: Date): Promise<Reference> {
    return findMother(gateway, { mother: this.mother, patient: this.patient }, now);
  }

  /** Another woman: her answers start empty, and the safe-to-ask questions are asked again. */
  protected override subjectChanged(): void {
    super.subjectChanged();
    if (this.response) return;
    this.gate = {};
    this.gateDone = false;
    this.gateError = false;
    this.record = undefined;
    this.recordProblem = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.response) this.gateDone = true; // resuming or amending: the gate was passed when it was started
  }

  private continueFromGate = async () => {
    if (GATE.some((g) => this.gate[g.key] === undefined)) {
      this.gateError = true;
      return;
    }
    this.gateError = false;
    this.gateDone = true;
    void this.loadRecord();
    await this.updateComplete;
    const form = this.questionnaireElement!;
    await form.ready;
    const notSafe = GATE.filter((g) => this.gate[g.key] === false);
    if (notSafe.length) {
      // Straight to why and the follow-up.
      form.setAnswers('completed', [{ valueBoolean: false }]);
      form.setAnswers('not-completed/reason', notSafe.map((g) => ({ valueCoding: reasonCoding(g.reason, this.content?.VALUE_SETS ?? []) })));
    }
    // The reasons are filled in from the gate; focus goes to what still needs an answer.
    await form.focusFirstUnanswered();
  };

  /** Her open follow-ups and enquiry history — asked for only after the gate, never shown before it. */
  private async loadRecord(): Promise<void> {
    await this.subjectReady;
    const gateway = this.effectiveGateway;
    const subject = this.subject;
    if (!gateway || !subject || !this.gateDone) return;
    try {
      const record = await gateway.enquiryRecord(subject, this.bundled.url!);
      if (this.subject === subject && this.gateDone) {
        this.record = record;
        this.recordProblem = undefined;
      }
    } catch (e) {
      this.recordProblem = `Earlier enquiries and follow-ups could not be read (${(e as Error).message}). Check the record before you finish.`;
    }
  }

  private static stageOf(response: QuestionnaireResponse | undefined): string | undefined {
    return answersAt(response?.item, 'stage')[0]?.valueCoding?.code;
  }

  /** The open follow-ups a submission answers: those for the same stage (or whose stage is not known). */
  private followUpsFor = (response: QuestionnaireResponse): StoredTask[] => {
    const stage = KbsDomesticAbuseEnquiry.stageOf(response);
    const byRef = new Map((this.record?.enquiries ?? []).map((r) => [`QuestionnaireResponse/${r.id}`, r]));
    return (this.record?.followUps ?? []).filter((f) => {
      const taskStage = KbsDomesticAbuseEnquiry.stageOf(byRef.get(f.task.focus?.reference ?? ''));
      return !taskStage || !stage || taskStage === stage;
    });
  };

  private renderRecord(): TemplateResult | typeof nothing {
    if (this.recordProblem) return html`<p class="hint" role="note">${this.recordProblem}</p>`;
    const record = this.record;
    if (!record) return nothing;
    const today = this.now().toISOString().slice(0, 10);
    const date = (iso: string | undefined) => (iso ? new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }) : 'not recorded');
    const answer = (r: QuestionnaireResponse, linkId: string) => answersAt(r.item, linkId)[0];
    const stages = [['stage-antenatal', 'Before the birth'], ['stage-postnatal', 'After the birth']] as const;
    const stageLine = stages.map(([code, label]) => {
      const latest = record.enquiries.find((r) => answer(r, 'stage')?.valueCoding?.code === code);
      const done = record.enquiries.find((r) => answer(r, 'stage')?.valueCoding?.code === code && answer(r, 'completed')?.valueBoolean === true);
      return `${label}: ${done ? `completed ${date(done.authored)}` : latest ? `not completed (last tried ${date(latest.authored)})` : 'not recorded'}`;
    }).join(' · ');
    return html`<section class="record" part="record" aria-label="Earlier enquiries">
      <p class="stages"><strong>Routine enquiry so far.</strong> ${stageLine}.</p>
      ${record.followUps.length
        ? html`<div class="outstanding" role="note"><h3>Outstanding follow-up</h3><ul>${record.followUps.map(({ task }) => {
            const due = task.restriction?.period?.end;
            const overdue = !!due && due < today;
            return html`<li><strong>${overdue ? `Overdue since ${date(due)}` : due ? `Due ${date(due)}` : 'No due date'}</strong>.
              ${task.description ?? ''} Opened ${date(task.authoredOn)}${task.performerType?.[0]?.text ? html`; to be followed up by: ${task.performerType[0].text}` : nothing}.</li>`;
          })}</ul></div>`
        : nothing}
      ${record.enquiries.length
        ? html`<details><summary>Earlier enquiries (${record.enquiries.length})</summary><ul>${record.enquiries.map((r) => html`<li>${date(r.authored)}:
            ${answer(r, 'stage')?.valueCoding?.display ?? 'stage not recorded'} —
            ${answer(r, 'completed')?.valueBoolean === true ? 'completed' : answer(r, 'completed')?.valueBoolean === false ? 'not completed' : 'not finished'}${r.author?.display ? `, by ${r.author.display}` : ''}.</li>`)}</ul></details>`
        : html`<p class="hint">No earlier routine enquiry is recorded for her.</p>`}
    </section>`;
  }

  private onSaved = () => void this.loadRecord();

  private renderGate(): TemplateResult {
    return html`<div class="gate" part="gate">
      <h2>Is it safe to ask now?</h2>
      ${this.gateError ? html`<span class="error-message" role="alert"><span class="visually-hidden">Error:</span> Answer each question before you continue</span>` : nothing}
      ${GATE.map((g) => html`<fieldset>
        <legend>${g.text}</legend>
        ${yesNoRadios({ id: `gate-${g.key}`, optionId: (v) => `gate-${g.key}-${v}`, value: this.gate[g.key], onChange: (v) => (this.gate = { ...this.gate, [g.key]: v }) })}
        </fieldset>`)}
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
        ${this.renderSubjectProblem()}
        ${showForm ? nothing : this.renderGate()}
      </div>
      ${showForm && this.gateDone && !this.hiddenScreen ? html`${this.renderOutboxNote()}${this.renderRecord()}` : nothing}
      <div @kbs-saved=${this.onSaved}>${showForm ? this.renderForm(this.motherEncounter, { hidden: this.hiddenScreen, followUpsFor: this.followUpsFor }) : nothing}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-domestic-abuse-enquiry': KbsDomesticAbuseEnquiry;
  }
}
