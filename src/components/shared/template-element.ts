/**
 * What the three template elements share: the bundled questionnaire (overridable, or loaded from
 * the record system by canonical URL), the public API (patient, encounter, author, response,
 * readonly, gateway or fhir-base-url + token), and a <kbs-questionnaire> inside.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { questionnaireCanonical, type Questionnaire, type QuestionnaireResponse, type Reference } from '../../engine/index.js';
import { createFhirGateway, type KbsGateway } from '../../fhir/gateway.js';
import { SubjectProblem } from './subject.js';
import { CONCEPT_MAPS, VALUE_SETS } from '../generated/content.js';
import { KbsQuestionnaire } from '../questionnaire/kbs-questionnaire.js';
import { tokens } from './tokens.styles.js';

const SUPERSEDED = new Error('superseded');

export abstract class KbsTemplateElement extends LitElement {
  static override styles = [tokens];

  /** The baby (or, for the routine enquiry, see `mother`). */
  @property({ attribute: false }) patient?: Reference;
  @property({ attribute: false }) encounter?: Reference;
  @property({ attribute: false }) author?: Reference;
  /** Overrides the bundled questionnaire. */
  @property({ attribute: false }) questionnaire?: Questionnaire;
  /** A stored response to resume or amend. */
  @property({ attribute: false }) response?: QuestionnaireResponse;
  @property({ type: Boolean, reflect: true }) readonly = false;
  @property({ attribute: false }) gateway?: KbsGateway;
  /** With `token`, builds a gateway when the host gives none. */
  @property({ attribute: 'fhir-base-url' }) fhirBaseUrl?: string;
  @property({ attribute: false }) token?: string;
  @property({ reflect: true }) density: 'comfortable' | 'compact' = 'comfortable';
  @property({ attribute: false }) now: () => Date = () => new Date();
  @property({ attribute: false }) newId: () => string = () => globalThis.crypto.randomUUID();

  @state() protected active?: Questionnaire;
  @state() protected notice?: string;
  /** The form is shown only once the questionnaire is settled, so it never swaps under the user. */
  @state() protected resolving = true;
  private resolved: Promise<void> = Promise.resolve();
  private resolvedFor?: Questionnaire;
  @query('kbs-questionnaire') protected form?: KbsQuestionnaire;

  /** The record the form files to, once verified (see `findSubject`). */
  @state() protected subject?: Reference;
  /** Why nothing can be saved yet, for the clinician. */
  @state() protected subjectProblem?: string;
  @state() protected subjectChecking = true;
  private subjectSeq = 0;
  private subjectChecked: Promise<void> = Promise.resolve();
  /** The subject the current answers were given for: a different one starts the form again. */
  private answersFor?: string;
  private built?: { baseUrl: string; gateway: KbsGateway };

  /** The questionnaire this element is built around. */
  protected abstract readonly bundled: Questionnaire;

  /** Works out the verified subject from the element's inputs; throws SubjectProblem. */
  protected abstract findSubject(gateway: KbsGateway | undefined, now: Date): Promise<Reference>;

  /** The properties whose change means the subject must be worked out again. */
  protected subjectInputs: readonly string[] = ['patient', 'gateway', 'fhirBaseUrl', 'token'];

  /** The gateway in use: the host's, or one built from `fhir-base-url` (the token is read at each request). */
  get effectiveGateway(): KbsGateway | undefined {
    if (this.gateway) return this.gateway;
    if (!this.fhirBaseUrl) return undefined;
    if (this.built?.baseUrl !== this.fhirBaseUrl) {
      this.built = { baseUrl: this.fhirBaseUrl, gateway: createFhirGateway({ baseUrl: this.fhirBaseUrl, token: () => this.token, conceptMaps: CONCEPT_MAPS }) };
    }
    return this.built.gateway;
  }

  /** The record this form files to: verified, or undefined while it is being checked or cannot be used. */
  get recordSubject(): Reference | undefined {
    return this.subject;
  }

  /** Resolves when the subject has been worked out (or found unusable) for the current inputs. */
  get subjectReady(): Promise<void> {
    return this.updateComplete.then(() => this.subjectChecked).then(() => this.updateComplete).then(() => undefined);
  }

  /** Said instead of saving while the subject is not verified. */
  protected get saveBlocked(): string | undefined {
    if (this.subjectProblem) return this.subjectProblem;
    if (this.subjectChecking || !this.subject) return "Still checking whose record this is. Try again in a moment.";
    return undefined;
  }

  /**
   * The first requests wait one task: a host page's own script usually sets `token`, `patient` and the
   * rest just after the element first renders, and they should go out with what it sets.
   */
  private settled = new Promise<void>((ok) => setTimeout(ok, 0));

  private checkSubject(): Promise<void> {
    const seq = ++this.subjectSeq;
    this.subject = undefined;
    this.subjectProblem = undefined;
    this.subjectChecking = true;
    return this.settled.then(() => (seq === this.subjectSeq ? this.findSubject(this.effectiveGateway, this.now()) : Promise.reject(SUPERSEDED))).then(
      (subject) => {
        if (seq !== this.subjectSeq) return; // a later change of patient has superseded this answer
        this.subject = subject;
        this.subjectChecking = false;
        const key = subject.reference ?? JSON.stringify(subject.identifier);
        if (this.answersFor !== undefined && this.answersFor !== key) this.subjectChanged();
        this.answersFor = key;
      },
      (error: unknown) => {
        if (seq !== this.subjectSeq || error === SUPERSEDED) return;
        this.subjectProblem = error instanceof SubjectProblem ? error.message : `Whose record this is could not be checked (${(error as Error).message}). Nothing will be saved.`;
        this.subjectChecking = false;
      },
    );
  }

  /** The subject changed under the form: answers given for someone else are dropped. */
  protected subjectChanged(): void {
    void this.form?.reset();
  }

  /** The inner renderer (after first render). */
  get questionnaireElement(): KbsQuestionnaire | undefined {
    return this.form;
  }

  /** Resolves when the questionnaire is settled and the form has loaded it. */
  get ready(): Promise<void> {
    return this.resolved.then(() => this.updateComplete).then(() => this.form?.ready);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // A new token (a sign-in after a refusal, a refreshed SMART token): send what waits for it.
    if (changed.has('token') && this.token) void this.effectiveGateway?.flushOutbox();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('questionnaire') || this.resolvedFor === undefined) this.resolved = this.resolveQuestionnaire();
    if (this.subjectSeq === 0 || this.subjectInputs.some((name) => (changed as Map<PropertyKey, unknown>).has(name))) this.subjectChecked = this.checkSubject();
  }

  /** The host's questionnaire, else the record system's copy of the bundled one, else the bundled one. */
  private async resolveQuestionnaire(): Promise<void> {
    const wanted = this.questionnaire ?? this.bundled;
    this.resolvedFor = wanted;
    await this.settled;
    if (this.resolvedFor !== wanted) return;
    const gateway = this.effectiveGateway;
    if (this.questionnaire || !gateway) {
      this.active = wanted;
      this.resolving = false;
      return;
    }
    this.resolving = true;
    const canonical = questionnaireCanonical(wanted)!;
    const loaded = await gateway.loadQuestionnaire(canonical, wanted).catch(() => undefined);
    if (this.resolvedFor !== wanted) return;
    // Only the same canonical url|version is the same form; anything else a server returns is ignored.
    const same = loaded && questionnaireCanonical(loaded.questionnaire) === canonical;
    this.active = same ? loaded.questionnaire : wanted;
    this.notice = loaded?.notice;
    this.resolving = false;
  }

  /** The subject problem, shown where the template puts it. */
  protected renderSubjectProblem(): TemplateResult | typeof nothing {
    return this.subjectProblem ? html`<p class="error-message subject-problem" role="alert" part="subject-problem">${this.subjectProblem}</p>` : nothing;
  }

  protected renderForm(encounter: Reference | undefined, options: { hidden?: boolean; afterSlots?: readonly string[]; slotted?: unknown; followUpsFor?: KbsQuestionnaire['followUpsFor'] } = {}): TemplateResult {
    if (this.resolving) return html`<p role="status">Loading form…</p>`;
    const subject = this.subject;
    return html`${this.notice ? html`<p class="hint" role="note">${this.notice}</p>` : nothing}
      <kbs-questionnaire
        ?hidden=${options.hidden === true}
        .questionnaire=${this.active}
        .response=${this.response}
        .patient=${subject}
        .saveBlocked=${this.saveBlocked}
        .afterSlots=${options.afterSlots ?? []}
        .followUpsFor=${options.followUpsFor}
        .encounter=${encounter}
        .author=${this.author}
        .gateway=${this.effectiveGateway}
        .valueSets=${VALUE_SETS}
        .now=${this.now}
        .newId=${this.newId}
        ?readonly=${this.readonly}
        density=${this.density}
      >${options.slotted ?? nothing}</kbs-questionnaire>`;
  }
}

export { KbsQuestionnaire };
