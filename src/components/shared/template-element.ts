/**
 * What the three template elements share: the bundled questionnaire (overridable), the public API
 * (patient, encounter, author, response, readonly, gateway or fhir-base-url + token), and a
 * <kbs-questionnaire> inside.
 *
 * First paint comes first: a template's content is a small chunk of its own, rendered as soon as it
 * has loaded; the gateway it builds from `fhir-base-url` loads its network code after that paint;
 * the record system's copy of the same canonical url|version is checked in the background, and a
 * copy that differs is the integrator's to hear about (`kbs-load-warning`, the console), not the
 * clinician's: same canonical and version means same content.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { questionnaireCanonical, type Issue, type Questionnaire, type QuestionnaireResponse, type Reference } from '../../engine/renderer.js';
import type { KbsGateway } from '../../fhir/gateway.js';
import { afterNextPaint, createLazyFhirGateway } from '../../fhir/lazy-gateway.js';
import { emit } from '../events.js';
import { SubjectProblem } from './subject.js';
import { TEMPLATES, type TemplateContent, type TemplateName } from '../generated/templates.js';
import { KbsQuestionnaire } from '../questionnaire/kbs-questionnaire.js';
import { tokens } from './tokens.styles.js';

const SUPERSEDED = new Error('superseded');
/** One empty list, so a re-render of the template is not a change of ValueSets to the form. */
const NO_VALUE_SETS: fhir4.ValueSet[] = [];

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
  /** The form is shown only once the questionnaire is settled, so it never swaps under the user. */
  @state() protected resolving = true;
  private resolved: Promise<void> = Promise.resolve();
  private resolvedFor?: unknown;
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

  /** The template this element is: its bundled content (built-in, validated at build time) loads on first connect. */
  protected abstract readonly template: TemplateName;
  /** The bundled questionnaire's canonical and title, known before its content has loaded. */
  protected get bundled(): (typeof TEMPLATES)[TemplateName] {
    return TEMPLATES[this.template];
  }
  /** The bundled questionnaire and the ValueSets it uses, once loaded. */
  @state() protected content?: TemplateContent;
  /** Why the bundled questionnaire could not be loaded, for the clinician. */
  @state() private contentProblem?: string;

  /** Works out the verified subject from the element's inputs; throws SubjectProblem. */
  protected abstract findSubject(gateway: KbsGateway | undefined, now: Date): Promise<Reference>;

  /** The properties whose change means the subject must be worked out again. */
  protected subjectInputs: readonly string[] = ['patient', 'gateway', 'fhirBaseUrl', 'token'];

  /** The gateway in use: the host's, or one built from `fhir-base-url` (the token is read at each request). */
  get effectiveGateway(): KbsGateway | undefined {
    if (this.gateway) return this.gateway;
    if (!this.fhirBaseUrl) return undefined;
    if (this.built?.baseUrl !== this.fhirBaseUrl) {
      this.built = { baseUrl: this.fhirBaseUrl, gateway: createLazyFhirGateway({ baseUrl: this.fhirBaseUrl, token: () => this.token, conceptMaps: () => import('../generated/concept-maps.js').then((m) => m.CONCEPT_MAPS) }) };
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

  /** A save pressed while the record is still being checked waits for the check (briefly), not refused. */
  private beforeSave = () => this.subjectReady;

  /** Said instead of saving while the subject is not verified. */
  protected get saveBlocked(): string | undefined {
    if (this.subjectProblem) return this.subjectProblem;
    if (this.subjectChecking || !this.subject) return "Still checking whose record this is. Try again in a moment.";
    return undefined;
  }

  /**
   * The first requests wait until the element's first content has been painted: a host page's own
   * script usually sets `token`, `patient` and the rest just after the element first renders, and they
   * should go out with what it sets; and the form is on screen before the network code (which the
   * first request loads) is even fetched.
   */
  private painted!: () => void;
  private settled = new Promise<void>((ok) => (this.painted = ok));
  private paintWatched = false;

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
        // The record system could not be reached: check again by itself, waiting longer each time.
        if (error instanceof SubjectProblem && error.transient) this.recheckLater(seq);
      },
    );
  }

  private recheckTimer?: ReturnType<typeof setTimeout>;
  private recheckWait = 5_000;

  private recheckLater(seq: number): void {
    clearTimeout(this.recheckTimer);
    this.recheckTimer = setTimeout(() => {
      if (seq === this.subjectSeq && this.isConnected) this.subjectChecked = this.checkSubject();
    }, this.recheckWait);
    this.recheckWait = Math.min(this.recheckWait * 2, 60_000);
  }

  private onOnline = () => {
    if (this.subjectProblem) {
      this.recheckWait = 5_000;
      this.subjectChecked = this.checkSubject();
    }
  };

  /** Records of this template kept on this device (unsent), and whether one was just sent. */
  @state() protected waiting = 0;
  @state() protected sentFromDevice = false;
  /** A record kept on this device that the record system refused when the outbox sent it. */
  @state() protected refusedFromDevice?: string;
  private stopListening?: () => void;
  private listeningTo?: KbsGateway;

  /** Counts this template's unsent records and hears when the outbox sends one. */
  private async watchOutbox(): Promise<void> {
    await this.settled;
    const gateway = this.effectiveGateway;
    if (!gateway || gateway === this.listeningTo) return;
    this.stopListening?.();
    this.listeningTo = gateway;
    const url = this.bundled.url;
    const mine = async () => (await gateway.pending().catch(() => [])).filter((e) => (e.bundle.entry?.[0]?.resource as QuestionnaireResponse | undefined)?.questionnaire?.split('|')[0] === url).length;
    this.waiting = await mine();
    this.stopListening = gateway.onResult((result) => {
      void mine().then((n) => {
        if (result.state === 'saved' && n < this.waiting) {
          this.sentFromDevice = true;
          // Tell the host, so its record view can refresh: a record this page kept has reached the record system.
          emit(this, 'kbs-saved', { result });
        }
        if (result.state === 'rejected' && n < this.waiting) {
          this.refusedFromDevice = result.message;
          emit(this, 'kbs-save-error', { result });
        }
        this.waiting = n;
      });
    });
  }

  /** A line about records kept on this device: waiting (do not enter them again), or now saved. */
  protected renderOutboxNote(): TemplateResult | typeof nothing {
    if (this.refusedFromDevice) {
      return html`<p class="error-message subject-problem" role="alert" part="outbox">A record kept on this device was not accepted by the record system, so it is not in the record: ${this.refusedFromDevice} Record it again.</p>`;
    }
    if (this.waiting) {
      return html`<p class="hint" role="status" part="outbox">${this.waiting === 1 ? 'A record' : `${this.waiting} records`} of this kind made on this device ${this.waiting === 1 ? 'is' : 'are'} waiting to be sent to the record system. ${this.waiting === 1 ? 'It' : 'They'} will be sent automatically: do not enter ${this.waiting === 1 ? 'it' : 'them'} again.</p>`;
    }
    return this.sentFromDevice ? html`<p class="hint" role="status" part="outbox">Records kept on this device have now been saved to the record system.</p>` : nothing;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    globalThis.addEventListener?.('online', this.onOnline);
    if (this.hasUpdated) void this.watchOutbox();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.removeEventListener?.('online', this.onOnline);
    clearTimeout(this.recheckTimer);
    this.stopListening?.();
    this.stopListening = undefined;
    this.listeningTo = undefined;
  }

  /** The subject changed under the form: answers given for someone else are dropped. */
  protected subjectChanged(): void {
    const form = this.form;
    if (form) void form.reset().then(() => this.afterReset());
  }

  /** After the form started again: templates clear what they derived from the old answers. */
  protected afterReset(): void {}

  /** The inner renderer (after first render). */
  get questionnaireElement(): KbsQuestionnaire | undefined {
    return this.form;
  }

  /** Resolves when the questionnaire is settled and the form has loaded it. */
  get ready(): Promise<void> {
    return this.updateComplete.then(() => this.resolved).then(() => this.updateComplete).then(() => this.form?.ready);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.resolving && !this.paintWatched) {
      this.paintWatched = true;
      void Promise.resolve(this.form?.ready).then(afterNextPaint).then(this.painted, this.painted);
    }
    // A new token (a sign-in after a refusal, a refreshed SMART token): send what waits for it.
    if (changed.has('token') && this.token) void this.effectiveGateway?.flushOutbox();
    if (changed.has('token') && this.token && !this.serverCopyChecked && this.content && !this.questionnaire) void this.checkServerCopy(this.content.QUESTIONNAIRE);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('questionnaire') || this.resolvedFor === undefined) this.resolved = this.resolveQuestionnaire();
    if (this.subjectSeq === 0 || this.subjectInputs.some((name) => (changed as Map<PropertyKey, unknown>).has(name))) {
      this.recheckWait = 5_000;
      this.subjectChecked = this.checkSubject();
    }
    if (this.subjectSeq === 1 || changed.has('gateway') || changed.has('fhirBaseUrl')) void this.watchOutbox();
  }

  /**
   * The host's questionnaire, else the bundled one, on screen at once; the record system's copy of
   * the bundled canonical is then compared in the background (see `checkServerCopy`).
   */
  private async resolveQuestionnaire(): Promise<void> {
    const wanted = this.questionnaire;
    this.resolvedFor = wanted ?? this.bundled;
    const mine = this.resolvedFor;
    if (wanted) {
      this.active = wanted;
      this.resolving = false;
      return;
    }
    try {
      this.content ??= await this.bundled.load();
    } catch (e) {
      // The template's own chunk could not be fetched (offline while the page loaded): said, never a blank form.
      if (this.resolvedFor !== mine) return;
      this.contentProblem = `This form could not be loaded (${(e as Error).message}). Reload the page; if it happens again, record in the usual way and tell your system administrator.`;
      this.resolving = false;
      return;
    }
    if (this.resolvedFor !== mine) return;
    this.contentProblem = undefined;
    this.active = this.content.QUESTIONNAIRE;
    this.resolving = false;
    void this.checkServerCopy(this.content.QUESTIONNAIRE);
  }

  private serverCopyChecked = false;

  /** Tells the integrator when the record system holds a different form under the same canonical url|version. */
  private async checkServerCopy(bundled: Questionnaire): Promise<void> {
    await this.settled;
    const gateway = this.effectiveGateway;
    const canonical = questionnaireCanonical(bundled);
    if (!gateway || !canonical) return;
    const loaded = await gateway.loadQuestionnaire(canonical, bundled).catch(() => undefined);
    // Not answered (not signed in yet, not reachable): asked again when a token is given.
    this.serverCopyChecked = !!loaded && !loaded.unanswered;
    if (!loaded || loaded.source !== 'server' || sameContent(loaded.questionnaire, bundled)) return;
    const issues: Issue[] = [{
      severity: 'warning', location: 'Questionnaire', code: 'server-copy',
      message: `the record system holds a different form under ${canonical}; the copy built into this app is used. Same canonical url and version must mean the same content: give the changed form a new version.`,
    }];
    emit(this, 'kbs-load-warning', { issues });
    console.warn(`${this.localName}: ${issues[0]!.message}`);
  }

  /** The subject problem, shown where the template puts it. */
  protected renderSubjectProblem(): TemplateResult | typeof nothing {
    return this.subjectProblem ? html`<p class="error-message subject-problem" role="alert" part="subject-problem">${this.subjectProblem}</p>` : nothing;
  }

  protected renderForm(encounter: Reference | undefined, options: { hidden?: boolean; afterSlots?: readonly string[]; slotted?: unknown; followUpsFor?: KbsQuestionnaire['followUpsFor'] } = {}): TemplateResult {
    if (this.resolving) return html`<p role="status">Loading form…</p>`;
    if (this.contentProblem) return html`<p class="error-message" role="alert" part="load-problem">${this.contentProblem}</p>`;
    const subject = this.subject;
    return html`<kbs-questionnaire
        ?hidden=${options.hidden === true}
        .questionnaire=${this.active}
        .response=${this.response}
        .patient=${subject}
        .saveBlocked=${this.saveBlocked}
        .beforeSave=${this.beforeSave}
        .afterSlots=${options.afterSlots ?? []}
        .followUpsFor=${options.followUpsFor}
        .encounter=${encounter}
        .author=${this.author}
        .gateway=${this.effectiveGateway}
        .valueSets=${this.content?.VALUE_SETS ?? NO_VALUE_SETS}
        .now=${this.now}
        .newId=${this.newId}
        ?readonly=${this.readonly}
        density=${this.density}
      >${options.slotted ?? nothing}</kbs-questionnaire>`;
  }
}

/** Two copies of a questionnaire are the same form when they agree on everything but server bookkeeping (id, meta, narrative). */
function sameContent(a: Questionnaire, b: Questionnaire): boolean {
  const strip = ({ id: _id, meta: _meta, text: _text, ...rest }: Questionnaire) => rest;
  return stableJson(strip(a)) === stableJson(strip(b));
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

export { KbsQuestionnaire };
