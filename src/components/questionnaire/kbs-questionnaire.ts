/**
 * <kbs-questionnaire>: renders any FHIR R4 Questionnaire the engine supports, NHS.UK style.
 *
 * Conventions: the engine owns the form (answers, enabling, validation, the response); this
 * element loads the questionnaire, fills it from the record, saves it, and gives its items the
 * engine state: each item is a `<kbs-form-item>` (controls/item.ts) that renders itself when what
 * it shows changes, with the controls in controls/. It never builds FHIR JSON itself. Text from a questionnaire is always rendered as text (Lit escapes it); the only HTML
 * path is `rendering-xhtml`, through the allow-list profile in `xhtml.ts`. Errors appear only after a submit attempt.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  allPaths, answerValueSetsOf, buildQuestionnaireResponse, createFormState, createValueSetResolver, unresolvedValueSetIssues, getExtension, addRepeat, removeRepeat,
  applyPopulation, isRestricted, loadExpressionSupport, needsPopulation, nodeAt, populationQueries, prepareQuestionnaire, setAnswers, typedTextIssues, validateAnswers,
  RENDERING_XHTML, type Answer, type FormState, type FormTransition, type Issue, type ItemNode, type ItemPath, type Questionnaire, type QuestionnaireResponse,
  type Reference, type StoredTask,
} from '../../engine/renderer.js';
import type { KbsGateway, SaveStatus, SubmitResult } from '../../fhir/gateway.js';
import { afterNextPaint } from '../../fhir/lazy-gateway.js';
import { emit } from '../events.js';
import { tokens } from '../shared/tokens.styles.js';
import { idFor, isHelp, isHidden } from './controls/context.js';
import { errorSummary } from './controls/error-summary.js';
import { KbsFormItem, type ItemHost } from './controls/item.js';
import { questionnaireStyles } from './kbs-questionnaire.styles.js';
import type { renderingXhtml as RenderingXhtml } from './xhtml.js';

export { idFor } from './controls/context.js';
export { DISABLED_DISPLAY } from './controls/item.js';

/** How long a form waits for remote ValueSet expansions before showing what it has. */
const EXPAND_WAIT_MS = 8_000;
const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);

/** Items made before the first paint (about a screenful), then per slice of the rest, at most SLICE_MS at a time. */
const FIRST_SCREENFUL = 40;
const SLICE_ITEMS = 50;
const SLICE_MS = 8;

/**
 * Renders a FHIR R4 Questionnaire and saves the completed QuestionnaireResponse.
 *
 * @fires kbs-answer-change - The user changed an answer.
 * @fires kbs-response-change - The in-progress response changed (after each answer).
 * @fires kbs-submit - The user asked to save and the answers are valid; cancel it to save yourself.
 * @fires kbs-saved - The record system confirmed the save.
 * @fires kbs-save-error - The save failed or is queued; `detail.result.message` says which.
 * @fires kbs-invalid - The user asked to save but some answers need attention.
 * @fires kbs-load-warning - The questionnaire loaded with warnings for the integrator (`detail.issues`); also written once to the console.
 *
 * @csspart form - The form element.
 * @csspart error-summary - The "There is a problem" box.
 * @csspart form-group - Each question's wrapper.
 * @csspart legend - Group and question legends.
 * @csspart hint - Hint text.
 * @csspart error-message - Inline error text.
 * @csspart submit - The save button.
 * @csspart status - The save status message.
 *
 * @cssprop --kbs-color-text - Text colour (NHS #212b32).
 * @cssprop --kbs-color-primary - Links and secondary buttons (NHS blue #005eb8).
 * @cssprop --kbs-color-focus - Focus highlight (NHS yellow #ffeb3b).
 * @cssprop --kbs-color-error - Errors (NHS red #d5281b).
 * @cssprop --kbs-color-button - Primary button (NHS green #007f3b).
 * @cssprop --kbs-font-family - Font stack (no web fonts are loaded).
 * @cssprop --kbs-font-size - Base font size.
 * @cssprop --kbs-space - Base spacing unit.
 */
@customElement('kbs-questionnaire')
export class KbsQuestionnaire extends LitElement implements ItemHost {
  static override styles = [tokens, questionnaireStyles];

  /** The Questionnaire (object or JSON text). */
  @property({ attribute: false }) questionnaire?: Questionnaire | string;
  /** A stored response to resume (in-progress) or amend (completed). */
  @property({ attribute: false }) response?: QuestionnaireResponse;
  /** The subject: the baby, or the mother for the routine enquiry. */
  @property({ attribute: false }) patient?: Reference;
  @property({ attribute: false }) encounter?: Reference;
  @property({ attribute: false }) author?: Reference;
  /** Shows the answers as a summary, with no controls. */
  @property({ type: Boolean, reflect: true }) readonly = false;
  /** Where saves go; without one, the host handles `kbs-submit`. */
  @property({ attribute: false }) gateway?: KbsGateway;
  /** ValueSets for `answerValueSet` (their expansion, or else their `compose.include.concept`). */
  @property({ attribute: false }) valueSets: fhir4.ValueSet[] = [];
  /**
   * Expands an `answerValueSet` that is neither contained in the questionnaire nor among `valueSets`
   * (for instance through a terminology server). Asked once per canonical when the questionnaire
   * loads; `undefined` (or a failure) shows the clinician a notice in place of the options.
   */
  @property({ attribute: false }) valueSetResolver?: (canonical: string) => fhir4.Coding[] | undefined | Promise<fhir4.Coding[] | undefined>;
  /** `compact` for dense clinical systems. */
  @property({ reflect: true }) density: 'comfortable' | 'compact' = 'comfortable';
  @property({ attribute: 'submit-label' }) submitLabel = 'Save to record';
  @property({ type: Boolean, attribute: 'hide-submit' }) hideSubmit = false;
  /** Clock and id generator (tests pass fixed ones). */
  @property({ attribute: false }) now: () => Date = () => new Date();
  @property({ attribute: false }) newId: () => string = () => globalThis.crypto.randomUUID();

  /**
   * While set, nothing is saved and the clinician is told this sentence instead: a template sets it
   * while it cannot yet be sure whose record the form belongs to. No `kbs-submit` fires either.
   */
  @property({ attribute: false }) saveBlocked?: string;
  /** Awaited before a save is attempted (a template finishing its check of whose record this is). */
  @property({ attribute: false }) beforeSave?: () => Promise<void>;
  /** Open follow-up Tasks a submission of this response answers (the routine enquiry sets it). */
  @property({ attribute: false }) followUpsFor?: (response: QuestionnaireResponse) => StoredTask[];
  /** Item linkIds after which a named slot `after:<linkId>` is rendered (template elements put their own notes there). */
  @property({ attribute: false }) afterSlots: readonly string[] = [];

  /** Reflected when the questionnaire is restricted: it then never prints. */
  @property({ type: Boolean, reflect: true }) restricted = false;

  @state() private form?: FormState;
  @state() private loadIssues: Issue[] = [];
  @state() private warnings: Issue[] = [];
  @state() private issues: Issue[] = [];
  @state() private submitted = false;
  @state() private status?: SaveStatus;
  @state() private announcement = '';
  @state() private loading = false;
  /** What the user typed that is not (yet) a valid value, by `<path>#<part>`. */
  private raw = new Map<string, string>();
  /** How often each path's typed text changed, so its item renders again. */
  private rawVersions = new Map<ItemPath, number>();
  /** What `valueSetResolver` gave for each canonical, at the last load. */
  private resolved = new Map<string, fhir4.Coding[] | undefined>();
  private identifier?: string;
  private stored?: { id?: string; meta?: fhir4.Meta };
  private loadSeq = 0;
  private loaded = Promise.resolve();

  /** Resolves when the current questionnaire has loaded (or failed to). */
  get ready(): Promise<void> {
    // After any pending update first: setting `questionnaire` starts its load only when the update runs.
    // …and after every item of a long form has been made (they are made in slices after the first screenful).
    return this.updateComplete.then(() => this.loaded).then(() => this.updateComplete).then(() => this.items?.done).then(() => undefined);
  }

  /** The engine state, for template elements that add their own controls. */
  get state(): FormState | undefined {
    return this.form;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // "Not saved" because the record was not yet known: no longer true once it is.
    if (changed.has('saveBlocked') && !this.saveBlocked && this.status?.state === 'rejected' && this.status.message.startsWith('Not saved. ')) this.status = undefined;
    if (changed.has('questionnaire') || changed.has('response')) this.loaded = this.load();
    else if ((changed.has('patient') || changed.has('gateway')) && this.form) void this.populate();
    if (changed.has('gateway')) this.listen();
  }

  private populateSeq = 0;
  /** The rendering-xhtml sanitiser, once a questionnaire has needed it (see load). */
  private renderingXhtml?: typeof RenderingXhtml;

  /**
   * SDC population, in the background once the form is on screen: the questionnaire's x-fhir-query
   * variables are run through the gateway, then initialExpressions fill items still unanswered and
   * `suggest-only` items get a suggestion with its source. Never for a resumed or read-only record.
   * A query that fails leaves its items as they are (a load warning says so).
   */
  private async populate(): Promise<void> {
    const seq = ++this.populateSeq;
    const start = this.form;
    if (!start || this.response || this.readonly || !needsPopulation(start.questionnaire)) return;
    const gateway = this.gateway;
    const warn = (issues: Issue[]) => issues.length && this.warn(issues, start.questionnaire);
    if (!gateway?.query) {
      warn([{ severity: 'warning', location: 'Questionnaire.extension (variable)', code: 'population', message: 'asks for data from the record (x-fhir-query), but no record system connection was given; nothing was filled in' }]);
      return;
    }
    // The form is on screen first: FHIRPath and the record's answers come after its first paint.
    await afterNextPaint();
    if (seq !== this.populateSeq) return;
    const evaluator = start.evaluator ?? (await loadExpressionSupport().catch(() => undefined));
    if (!evaluator || seq !== this.populateSeq) return;
    const context = this.launchContext();
    const { queries, issues } = populationQueries({ ...start, evaluator, context: { ...start.context, ...context } });
    const results: Record<string, fhir4.Resource | undefined> = {};
    await Promise.all(queries.map(async ({ name, query }) => {
      try {
        results[name] = await gateway.query!(query);
      } catch (e) {
        results[name] = undefined;
        issues.push({ severity: 'warning', location: `Questionnaire.extension (variable "${name}")`, code: 'population', message: `the query "${query}" failed (${(e as Error).message}); what depends on it stays empty` });
      }
    }));
    // Only for the same form, patient and gateway as when the queries were sent.
    if (seq !== this.populateSeq || !this.form || this.form.questionnaire !== start.questionnaire || this.gateway !== gateway) return;
    warn(issues);
    const current = this.form;
    const populated = applyPopulation({ ...current, evaluator, context: { ...current.context, ...context } }, results);
    let next: FormState = { ...current, context: { ...current.context, ...populated.context }, suggestions: populated.suggestions };
    for (const [path, answers] of populated.answers) {
      if (!current.answers.has(path)) next = setAnswers(next, path, answers).state;
    }
    this.form = next;
  }

  /** What the host gave, as SDC launch context (`%patient`, `%encounter`, `%user`). */
  private launchContext() {
    return { ...(this.patient ? { patient: this.patient } : {}), ...(this.encounter ? { encounter: this.encounter } : {}), ...(this.author ? { user: this.author } : {}) };
  }

  private warn(issues: Issue[], questionnaire: Questionnaire | undefined): void {
    // For the integrator, not the clinician: the form itself shows only what the clinician can act on.
    emit(this, 'kbs-load-warning', { issues });
    console.warn(`kbs-questionnaire: ${issues.length} warning(s) loading "${questionnaire?.title ?? questionnaire?.url ?? 'the questionnaire'}":\n${issues.map((i) => `- ${i.location}: ${i.message}`).join('\n')}`);
  }

  private unlisten?: () => void;

  /** Hears the gateway's later sends of this form's record (the outbox resending it by itself). */
  private listen(): void {
    this.unlisten?.();
    this.unlisten = this.gateway?.onResult((result) => {
      if (!result.id || result.id !== this.identifier || this.status?.state === 'saved') return;
      if (this.status?.state !== 'queued') return; // only a record this form was told is waiting
      this.status = result;
      if (result.state !== 'queued') emit(this, result.state === 'saved' ? 'kbs-saved' : 'kbs-save-error', { result });
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    globalThis.addEventListener?.('beforeprint', this.onBeforePrint);
    if (this.hasUpdated) this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.removeEventListener?.('beforeprint', this.onBeforePrint);
    this.unlisten?.();
    this.unlisten = undefined;
  }

  private async load(): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    let json: unknown = this.questionnaire;
    if (typeof json === 'string') {
      try {
        json = JSON.parse(json);
      } catch (e) {
        json = undefined;
        this.finishLoad(seq, undefined, [{ severity: 'error', location: 'Questionnaire', code: 'schema', message: `not valid JSON: ${(e as Error).message}` }]);
        return;
      }
    }
    if (json === undefined) {
      this.finishLoad(seq, undefined, []);
      return;
    }
    try {
      const [{ questionnaire, evaluator, issues }] = await Promise.all([
        prepareQuestionnaire(json),
        // The XHTML allow-list sanitiser is loaded only for questionnaires that have rendering-xhtml.
        !this.renderingXhtml && JSON.stringify(json).includes(RENDERING_XHTML)
          ? import('./xhtml.js').then((m) => (this.renderingXhtml = m.renderingXhtml))
          : undefined,
      ]);
      if (seq !== this.loadSeq) return;
      if (!questionnaire) {
        this.finishLoad(seq, undefined, issues);
        return;
      }
      this.resolved = await this.resolveRemote(questionnaire);
      if (seq !== this.loadSeq) return;
      const resolve = createValueSetResolver(questionnaire, this.valueSets, (canonical) => this.resolved.get(canonical));
      issues.push(...unresolvedValueSetIssues(questionnaire, resolve));
      const context = this.launchContext();
      const form = createFormState(questionnaire, { evaluator, context, ...(this.response ? { response: this.response } : {}) });
      issues.push(...(form.issues ?? []));
      this.identifier = this.response?.identifier?.value?.replace(/^urn:uuid:/, '') ?? this.newId();
      this.stored = this.response ? { id: this.response.id, meta: this.response.meta } : undefined;
      this.finishLoad(seq, form, issues);
    } catch (e) {
      this.finishLoad(seq, undefined, [{ severity: 'error', location: 'Questionnaire', code: 'schema', message: `could not be loaded: ${(e as Error).message}` }]);
    }
  }

  /**
   * Asks `valueSetResolver` (else the gateway's `$expand`) for every answerValueSet not found
   * locally, all at once, waiting at most a few seconds: what is not back by then shows its notice.
   */
  private async resolveRemote(questionnaire: Questionnaire): Promise<Map<string, fhir4.Coding[] | undefined>> {
    const gateway = this.gateway;
    const resolver = this.valueSetResolver ?? (gateway?.expandValueSet ? (canonical: string) => withTimeout(gateway.expandValueSet!(canonical), EXPAND_WAIT_MS) : undefined);
    const local = createValueSetResolver(questionnaire, this.valueSets);
    const wanted = resolver ? answerValueSetsOf(questionnaire).filter((c) => !local(c)) : [];
    const results = await Promise.all(wanted.map(async (canonical) => {
      try {
        return [canonical, await resolver!(canonical)] as const;
      } catch {
        return [canonical, undefined] as const;
      }
    }));
    return new Map(results);
  }

  private finishLoad(seq: number, form: FormState | undefined, issues: Issue[]): void {
    if (seq !== this.loadSeq) return;
    this.form = form;
    this.restricted = form ? isRestricted(form.questionnaire) : false;
    this.loadIssues = issues.filter((i) => i.severity === 'error');
    this.warnings = issues.filter((i) => i.severity === 'warning');
    this.issues = [];
    this.submitted = false;
    this.status = undefined;
    this.raw.clear();
    this.rawVersions.clear();
    this.savedItems = undefined;
    this.loading = false;
    if (this.warnings.length) this.warn(this.warnings, form?.questionnaire);
    if (form) void this.populate();
  }

  /** Starts again with no answers and a new identifier (for instance when the subject changed). */
  reset(): Promise<void> {
    this.loaded = this.load();
    this.requestUpdate();
    return this.ready;
  }

  /** Sets answers programmatically (no events): for template elements and hosts. */
  setAnswers(path: ItemPath, answers: readonly Answer[]): FormTransition | undefined {
    if (!this.form) return undefined;
    const transition = setAnswers(this.form, path, answers);
    this.form = transition.state;
    if (this.submitted) this.issues = this.validate();
    return transition;
  }

  /** Moves focus to the first enabled question that still needs an answer (or the save button). */
  async focusFirstUnanswered(): Promise<void> {
    await this.updateComplete;
    const first = this.validate().find((i) => i.code === 'required');
    if (first?.path) this.focusPath(first.path);
    else this.renderRoot.querySelector<HTMLElement>('button[type=submit]')?.focus();
  }

  /** All answer problems, including typed text that is not a valid value. */
  validate(): Issue[] {
    if (!this.form) return [];
    const issues = validateAnswers(this.form, (canonical) => this.expansion(canonical));
    issues.push(...typedTextIssues(this.form, this.raw, issues));
    const order = new Map(allPaths(this.form).map((p, i) => [p, i]));
    return issues.sort((a, b) => (order.get(a.path ?? '') ?? 0) - (order.get(b.path ?? '') ?? 0));
  }

  /** The response as it stands (status in-progress unless given). */
  buildResponse(status: QuestionnaireResponse['status'] = 'in-progress'): QuestionnaireResponse | undefined {
    if (!this.form) return undefined;
    const response = buildQuestionnaireResponse(this.form, {
      status: status as 'completed',
      identifier: this.identifier!,
      ...(this.patient ? { subject: this.patient } : {}),
      ...(this.encounter ? { encounter: this.encounter } : {}),
      ...(this.author ? { author: this.author } : {}),
      now: this.now,
    });
    return this.stored?.id ? { ...response, id: this.stored.id, ...(this.stored.meta ? { meta: this.stored.meta } : {}) } : response;
  }

  /** Validates; when valid, fires kbs-submit and (unless cancelled) saves through the gateway. */
  async submit(): Promise<SubmitResult | undefined> {
    if (!this.form) return undefined;
    this.submitted = true;
    this.issues = this.validate();
    if (this.issues.length) {
      emit(this, 'kbs-invalid', { issues: this.issues });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.error-summary')?.focus();
      return undefined;
    }
    if (this.beforeSave) {
      this.status = { state: 'saving', message: 'Checking whose record this is…' };
      await this.beforeSave().catch(() => undefined);
      this.status = undefined;
    }
    if (this.saveBlocked) {
      this.status = { state: 'rejected', message: `Not saved. ${this.saveBlocked}` };
      emit(this, 'kbs-save-error', { result: { state: 'rejected', message: this.status.message } });
      return undefined;
    }
    const amending = this.response?.status === 'completed' || this.response?.status === 'amended';
    const response = this.buildResponse(amending ? 'amended' : 'completed')!;
    if (this.savedItems !== undefined && this.savedItems !== JSON.stringify(response.item ?? [])) {
      // Sent again under the same identifier, changed answers would be taken as the record already
      // stored (a conditional create finds it): the screen would say "Saved" while the record is unchanged.
      this.status = { state: 'rejected', message: 'Not saved: this record is already in the record system, and a change made here would not reach it. Open the saved record to amend it.' };
      emit(this, 'kbs-save-error', { result: { state: 'rejected', message: this.status.message } });
      return undefined;
    }
    if (!emit(this, 'kbs-submit', { response }, { cancelable: true })) return undefined;
    if (!this.gateway) {
      this.status = { state: 'rejected', message: 'Could not be saved: this page has no connection to a record system.' };
      emit(this, 'kbs-save-error', { result: { state: 'rejected', message: this.status.message } });
      return undefined;
    }
    if (isRestricted(this.form.questionnaire) && !this.patient) {
      this.status = { state: 'rejected', message: "Could not be saved: the mother's record is not known, so nothing was saved." };
      return undefined;
    }
    const followUps = this.followUpsFor?.(response) ?? [];
    const result = await this.gateway.submit({
      questionnaire: this.form.questionnaire,
      response,
      ...(followUps.length ? { followUps } : {}),
      label: this.form.questionnaire.title,
      onStatus: (status) => (this.status = status),
    });
    this.status = result;
    if (result.state === 'saved') this.savedItems = JSON.stringify(response.item ?? []);
    emit(this, result.state === 'saved' ? 'kbs-saved' : 'kbs-save-error', { result });
    return result;
  }

  // ---- user input ----------------------------------------------------------------------------

  /** The user changed an item's answers (a control calls this): the engine, then the announcement and the host's listeners. */
  userSet(path: ItemPath, answers: readonly Answer[]): void {
    const transition = this.setAnswers(path, answers);
    if (!transition || !this.form) return;
    const form = this.form;
    const name = (p: ItemPath) => {
      const item = nodeAt(form, p)?.item;
      return item ? (item.text ?? item.linkId).slice(0, 80) : p;
    };
    const visible = (p: ItemPath) => !isHidden(nodeAt(form, p)?.item) && nodeAt(form, p)?.item.type !== 'display';
    const shown = transition.shown.filter(visible).map(name);
    const hidden = transition.hidden.filter(visible).map(name);
    this.announcement = [shown.length ? `Now showing: ${shown.join('; ')}.` : '', hidden.length ? `No longer showing: ${hidden.join('; ')}.` : ''].filter(Boolean).join(' ');
    const node = nodeAt(form, path)!;
    emit(this, 'kbs-answer-change', { linkId: node.item.linkId, path, answers: form.answers.get(path) ?? [] });
    this.emitResponseChange();
  }

  /** The response is built only if a listener reads it: a large form pays nothing per keystroke otherwise. */
  private emitResponseChange(): void {
    const build = () => this.buildResponse()!;
    let built: QuestionnaireResponse | undefined;
    emit(this, 'kbs-response-change', { get response() { return (built ??= build()); } });
  }

  addRepeat(parent: ItemPath | undefined, linkId: string): void {
    this.form = addRepeat(this.form!, parent, linkId).state;
    this.announcement = 'Added another section.';
    this.emitResponseChange();
  }

  removeRepeat(path: ItemPath): void {
    this.form = removeRepeat(this.form!, path).state;
    this.announcement = 'Section removed.';
    this.emitResponseChange();
  }

  // ---- what the items are given (ItemHost) ---------------------------------------------------

  /** @internal */
  get host(): HTMLElement {
    return this;
  }

  /** @internal The engine state the items render (always set while items exist). */
  get formState(): FormState {
    return this.form!;
  }

  /** @internal */
  issueFor(path: ItemPath): Issue | undefined {
    return this.submitted ? this.issuesByPath.get(path) : undefined;
  }

  /** The answers of the record this form saved (confirmed), if it has. */
  private savedItems?: string;
  private issuesByPath = new Map<ItemPath, Issue>();
  private issuesIndexed?: Issue[];

  /** @internal */
  typed(key: string): string | undefined {
    return this.raw.get(key);
  }

  /** @internal */
  typedVersion(path: ItemPath): number {
    return this.rawVersions.get(path) ?? 0;
  }

  /** @internal */
  setTyped(key: string, value: string): void {
    this.raw.set(key, value);
    this.bumpTyped(key);
  }

  /** @internal */
  clearTyped(key: string): void {
    if (this.raw.delete(key)) this.bumpTyped(key);
  }

  private bumpTyped(key: string): void {
    const path = key.slice(0, key.lastIndexOf('#'));
    this.rawVersions.set(path, (this.rawVersions.get(path) ?? 0) + 1);
    this.requestUpdate();
  }

  private resolverFor?: { questionnaire: Questionnaire; valueSets: fhir4.ValueSet[]; resolved: Map<string, fhir4.Coding[] | undefined>; resolve: (c: string) => fhir4.Coding[] | undefined };

  /** The codes of an answerValueSet: contained, given in `valueSets`, or from `valueSetResolver`. */
  private expansion(canonical: string): fhir4.Coding[] | undefined {
    if (!this.form) return undefined;
    const cached = this.resolverFor;
    if (!cached || cached.questionnaire !== this.form.questionnaire || cached.valueSets !== this.valueSets || cached.resolved !== this.resolved) {
      const resolved = this.resolved;
      this.resolverFor = {
        questionnaire: this.form.questionnaire, valueSets: this.valueSets, resolved,
        resolve: createValueSetResolver(this.form.questionnaire, this.valueSets, (c) => resolved.get(c)),
      };
    }
    return this.resolverFor!.resolve(canonical);
  }

  /** @internal */
  options(item: fhir4.QuestionnaireItem): Answer[] {
    if (item.answerOption?.length) return item.answerOption.map(({ initialSelected: _i, extension: _e, ...value }) => value as Answer);
    if (item.answerValueSet) return (this.expansion(item.answerValueSet) ?? []).map((coding) => ({ valueCoding: coding }));
    return [];
  }

  /** @internal */
  textOf(item: fhir4.QuestionnaireItem): TemplateResult | string {
    const xhtml = getExtension((item as { _text?: fhir4.Element })._text, RENDERING_XHTML)?.valueString;
    if (xhtml && this.renderingXhtml) return html`${this.renderingXhtml(xhtml)}`;
    return item.text ?? '';
  }

  // ---- rendering -----------------------------------------------------------------------------

  /** The items of the current form: their container, the items made so far, and the roots still to make. */
  private items?: { index: FormState['index']; element: HTMLDivElement; subscribers: KbsFormItem[]; pending: ItemNode[]; done: Promise<void> };

  /** @internal Changes when every item must render again. */
  generation: unknown = {};
  private generationOf: unknown[] = [];

  /** @internal */
  subscribe(item: KbsFormItem): void {
    this.items?.subscribers.push(item);
  }

  /**
   * The container of the questions, made once per questionnaire: the first screenful at once, the
   * rest in slices between frames, so a long form is on screen and answers input from the start.
   * Items are built off the document and join it a batch at a time: Chromium re-checks a form's
   * controls each time one is inserted, so inserting a thousand one by one grows with the square.
   */
  private itemsContainer(form: FormState): HTMLDivElement {
    if (this.items?.index === form.index) return this.items.element;
    const element = document.createElement('div');
    element.className = 'items';
    const roots = form.index.roots.filter((n) => !isHidden(n.item) && !isHelp(n));
    const items = { index: form.index, element, subscribers: [] as KbsFormItem[], pending: roots, done: Promise.resolve() };
    this.items = items;
    this.makeItems(items, FIRST_SCREENFUL, element);
    items.done = new Promise<void>((resolve) => {
      const slice = () => {
        if (this.items !== items) return resolve();
        const started = performance.now();
        const batch = document.createDocumentFragment();
        while (items.pending.length && performance.now() - started < SLICE_MS) this.makeItems(items, SLICE_ITEMS, batch);
        element.append(batch);
        if (items.pending.length) setTimeout(slice, 0);
        else resolve();
      };
      if (items.pending.length) setTimeout(slice, 0);
      else resolve();
    });
    return element;
  }

  /** Makes root items (and everything under them) until about `count` items exist, into `into`. */
  private makeItems(items: NonNullable<typeof this.items>, count: number, into: ParentNode): void {
    const target = items.subscribers.length + count;
    while (items.pending.length && items.subscribers.length < target) into.append(KbsFormItem.create(this, items.pending.shift()!, undefined));
  }

  /** Makes every item still waiting, at once (before printing, focusing or scrolling to one). */
  private makeAllItems(): void {
    const items = this.items;
    if (!items?.pending.length) return;
    const batch = document.createDocumentFragment();
    this.makeItems(items, Infinity, batch);
    items.element.append(batch);
  }

  /** Tells every item the state changed; each renders again only if what it shows did. */
  private refreshItems(): void {
    // By value where hosts pass a new array each render (afterSlots), by reference where a new value means new content.
    const globals = [this.readonly, this.valueSets, this.resolved, this.submitted, this.renderingXhtml, this.afterSlots.join('\n')];
    if (globals.some((g, i) => g !== this.generationOf[i])) {
      this.generationOf = globals;
      this.generation = {};
    }
    if (this.issuesIndexed !== this.issues) {
      // Each item compares its own issue: after a save attempt, a keystroke re-renders the items whose error changed.
      this.issuesIndexed = this.issues;
      this.issuesByPath = new Map();
      for (const issue of this.issues) if (issue.path && !this.issuesByPath.has(issue.path)) this.issuesByPath.set(issue.path, issue);
    }
    for (const item of this.items?.subscribers ?? []) item.refresh();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.form) this.refreshItems();
  }

  private onBeforePrint = () => this.makeAllItems();

  private renderErrorSummary(): TemplateResult | typeof nothing {
    if (!this.submitted || !this.issues.length) return nothing;
    return errorSummary(this.issues, (path) => this.focusPath(path));
  }

  /** Moves focus to the first control of an item. */
  focusPath(path: ItemPath): void {
    this.makeAllItems();
    const root = this.renderRoot as ShadowRoot;
    const target = root.getElementById(`${idFor(path)}-0`) ?? root.getElementById(`${idFor(path)}-day`) ?? root.getElementById(idFor(path));
    const input = target?.matches('input, select, textarea') ? target : target?.querySelector<HTMLElement>('input, select, textarea');
    (input ?? target)?.focus();
    (input ?? target)?.scrollIntoView?.({ block: 'center' });
  }

  private renderStatus(): TemplateResult {
    const status = this.status;
    return html`<div role="status" aria-live="polite" part="status" class=${status ? 'status' : ''} data-state=${status?.state ?? nothing}>
      ${status ? html`<strong>${status.message}</strong>${status.detail ? html`<details><summary>Technical detail</summary><pre>${status.detail}</pre></details>` : nothing}` : nothing}
    </div>`;
  }

  protected override render(): TemplateResult {
    if (this.loadIssues.length) {
      return html`<div class="load-error" role="alert">
        <h2>This form cannot be shown</h2>
        <p>The form definition has problems, so nothing can be recorded with it. Record in the usual way and tell your system administrator.</p>
        <details><summary>Problems found (${this.loadIssues.length})</summary><ul>${this.loadIssues.slice(0, 20).map((i) => html`<li>${i.message.startsWith(i.location) ? i.message : html`<code>${i.location}</code>: ${i.message}`}</li>`)}</ul></details>
      </div>`;
    }
    if (!this.form) return html`<p role="status">${this.loading ? 'Loading form…' : 'No form to show.'}</p>`;
    return html`
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
      ${this.renderErrorSummary()}
      <form part="form" novalidate @submit=${(e: Event) => { e.preventDefault(); void this.submit(); }}>
        <slot name="before"></slot>
        ${this.itemsContainer(this.form)}
        <slot name="after"></slot>
        ${this.readonly || this.hideSubmit ? nothing : html`<button type="submit" part="submit">${this.submitLabel}</button>`}
      </form>
      ${this.renderStatus()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-questionnaire': KbsQuestionnaire;
  }
}
