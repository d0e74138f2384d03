/**
 * <kbs-questionnaire>: renders any FHIR R4 Questionnaire the engine supports, NHS.UK style.
 *
 * Conventions: the engine owns the form (answers, enabling, validation, the response); this
 * element only turns engine state into DOM and user input into engine calls. It never builds FHIR
 * JSON itself. Text from a questionnaire is always rendered as text (Lit escapes it); the only HTML
 * path is `rendering-xhtml`, through the allow-list profile in `xhtml.ts`. Errors appear only after a submit attempt.
 */
import { html, LitElement, nothing, render as renderInto, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { live } from 'lit/directives/live.js';
import {
  allPaths, answersEqual, answerValueSetsOf, buildQuestionnaireResponse, createFormState, createValueSetResolver, unresolvedValueSetIssues, getExtension, getRepeatPaths, addRepeat, removeRepeat,
  applyPopulation, isRestricted, itemPath, labelOf, loadExpressionSupport, messages, needsPopulation, nodeAt, populationQueries, prepareQuestionnaire, setAnswers, validateAnswers, valueOf, ItemControl, QUESTIONNAIRE_HIDDEN,
  CHOICE_ORIENTATION, ENTRY_FORMAT, QUESTIONNAIRE_ITEM_CONTROL, QUESTIONNAIRE_UNIT, RENDERING_XHTML, SUPPORTED_ITEM_TYPES, type Answer, type FormState,
  type FormTransition, type Issue, type ItemNode, type ItemPath, type Questionnaire, type QuestionnaireResponse,
  type Reference, type StoredTask, type Suggestion,
} from '../../engine/index.js';
import type { KbsGateway, SaveStatus, SubmitResult } from '../../fhir/gateway.js';
import { emit } from '../events.js';
import { tokens } from '../shared/tokens.styles.js';
import { questionnaireStyles } from './kbs-questionnaire.styles.js';
import type { renderingXhtml as RenderingXhtml } from './xhtml.js';

/** How long a form waits for remote ValueSet expansions before showing what it has. */
const EXPAND_WAIT_MS = 8_000;
const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);

/** Single-answer lists longer than this are shown as an autocomplete box. */
const AUTOCOMPLETE_FROM = 20;
const orientation = (item: fhir4.QuestionnaireItem) => getExtension(item, CHOICE_ORIENTATION)?.valueCode;

/** R5 `disabledDisplay`, as its R4 cross-version extension. */
export const DISABLED_DISPLAY = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Questionnaire.item.disabledDisplay';

function itemControl(item: fhir4.QuestionnaireItem): string | undefined {
  return getExtension(item, QUESTIONNAIRE_ITEM_CONTROL)?.valueCodeableConcept?.coding?.[0]?.code;
}

/** A DOM id from an item path (paths contain / and [ ]). */
export function idFor(path: ItemPath): string {
  return `q-${path.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

const isValidDate = (y: number, m: number, d: number) => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The local (Europe/London for UK users) offset of a wall-clock time, e.g. +01:00 in BST. */
function localOffset(y: number, m: number, d: number, h: number, min: number): string {
  const minutes = -new Date(y, m - 1, d, h, min).getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

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
export class KbsQuestionnaire extends LitElement {
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
  /** What the user typed that is not (yet) a valid value, by path and part. */
  private raw = new Map<string, string>();
  /** Bumped whenever `raw` changes, so guarded items that show typed text re-render. */
  private rawVersion = 0;

  private setRaw(key: string, value: string): void {
    this.raw.set(key, value);
    this.rawVersion++;
  }

  private deleteRaw(key: string): void {
    if (this.raw.delete(key)) this.rawVersion++;
  }
  /** What `valueSetResolver` gave for each canonical, at the last load. */
  private resolved = new Map<string, fhir4.Coding[] | undefined>();
  private identifier?: string;
  private stored?: { id?: string; meta?: fhir4.Meta };
  private loadSeq = 0;
  private loaded = Promise.resolve();

  /** Resolves when the current questionnaire has loaded (or failed to). */
  get ready(): Promise<void> {
    // After any pending update first: setting `questionnaire` starts its load only when the update runs.
    return this.updateComplete.then(() => this.loaded).then(() => this.updateComplete).then(() => undefined);
  }

  /** The engine state, for template elements that add their own controls. */
  get state(): FormState | undefined {
    return this.form;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
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
    if (this.hasUpdated) this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
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
    this.rawVersion++;
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
    const resolve = (canonical: string) => this.expansion(canonical);
    const issues = validateAnswers(this.form, resolve);
    for (const [key, text] of this.raw) {
      const [path] = key.split('#') as [string];
      if (!text.trim() || !this.form.enabled.has(path) || issues.some((i) => i.path === path)) continue;
      const item = nodeAt(this.form, path)?.item;
      if (!item || (this.form.answers.get(path)?.length ?? 0) > 0) continue;
      const what = item.type === 'integer' ? 'a whole number' : item.type === 'decimal' || item.type === 'quantity' ? 'a number' : item.type === 'time' ? 'a time, like 14:30' : item.type.startsWith('date') ? 'a real date' : 'a valid answer';
      issues.push({ severity: 'error', location: path, linkId: item.linkId, path, code: 'invalid-value', message: messages.invalidValue(item, what) });
    }
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
    if (!emit(this, 'kbs-submit', { response }, { cancelable: true })) return undefined;
    if (!this.gateway) {
      this.status = { state: 'rejected', message: 'Could not be saved: this page has no connection to a record system.' };
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
    emit(this, result.state === 'saved' ? 'kbs-saved' : 'kbs-save-error', { result });
    return result;
  }

  // ---- user input ----------------------------------------------------------------------------

  private userSet(path: ItemPath, answers: readonly Answer[]): void {
    const transition = this.setAnswers(path, answers);
    if (!transition || !this.form) return;
    const name = (p: ItemPath) => {
      const item = nodeAt(this.form!, p)?.item;
      return item ? (item.text ?? item.linkId).slice(0, 80) : p;
    };
    const visible = (p: ItemPath) => !this.isHidden(nodeAt(this.form!, p)?.item) && nodeAt(this.form!, p)?.item.type !== 'display';
    const shown = transition.shown.filter(visible).map(name);
    const hidden = transition.hidden.filter(visible).map(name);
    this.announcement = [shown.length ? `Now showing: ${shown.join('; ')}.` : '', hidden.length ? `No longer showing: ${hidden.join('; ')}.` : ''].filter(Boolean).join(' ');
    const node = nodeAt(this.form, path)!;
    emit(this, 'kbs-answer-change', { linkId: node.item.linkId, path, answers: this.form.answers.get(path) ?? [] });
    this.emitResponseChange();
  }

  /** The response is built only if a listener reads it: a large form pays nothing per keystroke otherwise. */
  private emitResponseChange(): void {
    const build = () => this.buildResponse()!;
    let built: QuestionnaireResponse | undefined;
    emit(this, 'kbs-response-change', { get response() { return (built ??= build()); } });
  }

  private onText(path: ItemPath, node: ItemNode, text: string, index = 0): void {
    const item = node.item;
    this.setRaw(`${path}#${index}`, text);
    const trimmed = text.trim();
    let answer: Answer | undefined;
    if (trimmed) {
      switch (item.type) {
        case 'integer':
          answer = /^[-+]?\d+$/.test(trimmed) ? { valueInteger: Number(trimmed) } : undefined;
          break;
        case 'decimal':
          answer = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? { valueDecimal: Number(trimmed) } : undefined;
          break;
        case 'quantity': {
          const unit = getExtension(item, QUESTIONNAIRE_UNIT)?.valueCoding;
          answer = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(trimmed)
            ? { valueQuantity: { value: Number(trimmed), ...(unit ? { unit: unit.display ?? unit.code, system: unit.system, code: unit.code } : {}) } }
            : undefined;
          break;
        }
        case 'time':
          answer = /^([01]?\d|2[0-3]):[0-5]\d$/.test(trimmed) ? { valueTime: `${pad(Number(trimmed.split(':')[0]))}:${trimmed.split(':')[1]}:00` } : undefined;
          break;
        case 'url':
          answer = { valueUri: trimmed };
          break;
        case 'reference':
          answer = { valueReference: { reference: trimmed } };
          break;
        default:
          answer = { valueString: text };
      }
    }
    if (answer) this.deleteRaw(`${path}#${index}`);
    const current = [...(this.form?.answers.get(path) ?? [])];
    if (item.repeats) {
      if (answer) current[index] = answer;
      else current.splice(index, 1);
      this.userSet(path, current.filter(Boolean));
    } else {
      this.userSet(path, answer ? [answer] : []);
    }
  }

  private onDatePart(path: ItemPath, node: ItemNode, part: 'day' | 'month' | 'year' | 'time', value: string): void {
    this.setRaw(`${path}#${part}`, value);
    const get = (p: string) => (this.raw.get(`${path}#${p}`) ?? '').trim();
    const [d, m, y] = [Number(get('day')), Number(get('month')), Number(get('year'))];
    const filled = ['day', 'month', 'year'].some((p) => get(p));
    let answer: Answer | undefined;
    if (filled && isValidDate(y, m, d) && /^\d{4}$/.test(get('year'))) {
      const date = `${y}-${pad(m)}-${pad(d)}`;
      if (node.item.type === 'date') answer = { valueDate: date };
      else {
        const time = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(get('time'));
        if (time) answer = { valueDateTime: `${date}T${pad(Number(time[1]))}:${time[2]}:00${localOffset(y, m, d, Number(time[1]), Number(time[2]))}` };
      }
    }
    // The typed parts stay as typed; they count as an error only while no valid value stands.
    this.userSet(path, answer ? [answer] : []);
  }

  // ---- rendering -----------------------------------------------------------------------------

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

  private options(item: fhir4.QuestionnaireItem): Answer[] {
    if (item.answerOption?.length) return item.answerOption.map(({ initialSelected: _i, extension: _e, ...value }) => value as Answer);
    if (item.answerValueSet) return (this.expansion(item.answerValueSet) ?? []).map((coding) => ({ valueCoding: coding }));
    return [];
  }

  /** A choice question whose options cannot be shown says so, in place of the options: never an empty list. */
  private renderNoOptions(item: fhir4.QuestionnaireItem, path: ItemPath): TemplateResult {
    const source = item.answerValueSet ?? 'no answerOption or answerValueSet in the form definition';
    return html`<div class="notice" role="note" id="${idFor(path)}-0" data-no-options=${item.linkId}>The options for this question could not be loaded. Record the answer in the usual way, and tell your system administrator: <code>${source}</code></div>`;
  }

  private optionLabel(option: Answer): string {
    const v = valueOf(option);
    if (!v) return '';
    if (v.key === 'valueCoding') return (v.value as fhir4.Coding).display ?? (v.value as fhir4.Coding).code ?? '';
    if (v.key === 'valueReference') return (v.value as fhir4.Reference).display ?? (v.value as fhir4.Reference).reference ?? '';
    return String(v.value);
  }

  private isHidden(item: fhir4.QuestionnaireItem | undefined): boolean {
    return !item || getExtension(item, QUESTIONNAIRE_HIDDEN)?.valueBoolean === true;
  }

  private textOf(item: fhir4.QuestionnaireItem): TemplateResult | string {
    const xhtml = getExtension((item as { _text?: fhir4.Element })._text, RENDERING_XHTML)?.valueString;
    if (xhtml && this.renderingXhtml) return html`${this.renderingXhtml(xhtml)}`;
    return item.text ?? '';
  }

  private prefixOf(item: fhir4.QuestionnaireItem) {
    return item.prefix ? html`<span class="prefix">${item.prefix}</span>` : nothing;
  }

  private issueFor(path: ItemPath): Issue | undefined {
    return this.submitted ? this.issues.find((i) => i.path === path) : undefined;
  }

  private helpFor(node: ItemNode): string | undefined {
    const help = node.children.filter((c) => c.item.type === 'display' && itemControl(c.item) === ItemControl.help);
    return help.length ? help.map((c) => c.item.text).join(' ') : undefined;
  }

  private renderItems(nodes: readonly ItemNode[], parent: ItemPath | undefined): unknown[] {
    return nodes.flatMap((node) => this.renderNode(node, parent));
  }

  private renderNode(node: ItemNode, parent: ItemPath | undefined): unknown[] {
    const { item } = node;
    if (this.isHidden(item)) return [];
    if (item.type === 'display' && itemControl(item) === ItemControl.help) return []; // shown as the parent's hint
    if (item.type === 'group' && item.repeats) return [this.renderRepeatingGroup(node, parent)];
    const path = itemPath(parent, item.linkId);
    const enabled = this.form!.enabled.has(path);
    if (!enabled) {
      const protectedDisplay = getExtension(item, DISABLED_DISPLAY)?.valueCode === 'protected';
      return protectedDisplay ? [html`<div class="protected" aria-disabled="true">${item.text}</div>`] : [];
    }
    // A question whose answers, error and typed text are unchanged is not re-rendered: one answer
    // change in a 1,000-item form re-renders the items it touched, not all of them.
    const leaf = node.children.every((c) => c.item.type === 'display' && itemControl(c.item) === ItemControl.help);
    const answers = this.form!.answers.get(path);
    const deps = [node, path, answers, this.form!.suggestions?.get(path), this.issueFor(path), this.rawVersion, this.readonly, this.valueSets, this.resolved, this.submitted];
    const rendered = !leaf || item.type === 'group' ? this.renderEnabled(node, path) : guard(deps, () => this.renderEnabled(node, path));
    return this.afterSlots.includes(item.linkId) ? [rendered, html`<slot name="after:${item.linkId}"></slot>`] : [rendered];
  }

  private renderRepeatingGroup(node: ItemNode, parent: ItemPath | undefined): TemplateResult {
    const paths = getRepeatPaths(this.form!, parent, node.item.linkId).filter((p) => this.form!.enabled.has(p));
    return html`${paths.map((path, i) => html`
      <fieldset class="group repeat" part="group">
        <legend class="group-legend" part="legend">${this.prefixOf(node.item)}${this.textOf(node.item)} ${paths.length > 1 ? `(${i + 1})` : ''}</legend>
        ${this.renderItems(node.children, path)}
        ${this.readonly || paths.length < 2 ? nothing : html`<button type="button" class="secondary" @click=${() => this.onRemoveRepeat(path)}>Remove ${node.item.text ?? ''} ${i + 1}</button>`}
      </fieldset>`)}
      ${this.readonly ? nothing : html`<button type="button" class="secondary" @click=${() => this.onAddRepeat(parent, node.item.linkId)}>Add another ${(node.item.text ?? '').toLowerCase()}</button>`}`;
  }

  private onAddRepeat(parent: ItemPath | undefined, linkId: string) {
    const t = addRepeat(this.form!, parent, linkId);
    this.form = t.state;
    this.announcement = 'Added another section.';
    this.emitResponseChange();
  }

  private onRemoveRepeat(path: ItemPath) {
    this.form = removeRepeat(this.form!, path).state;
    this.announcement = 'Section removed.';
    this.emitResponseChange();
  }

  private renderEnabled(node: ItemNode, path: ItemPath): TemplateResult {
    const { item } = node;
    if (!SUPPORTED_ITEM_TYPES.has(item.type)) {
      return html`<div class="notice" role="note" id=${idFor(path)}><strong>Not supported:</strong> the question "${item.text ?? item.linkId}" is of type "${item.type}", which this form cannot show yet. Record it in the usual way.</div>`;
    }
    if (item.type === 'group') {
      const issue = this.issueFor(path);
      return html`<fieldset class="group${issue ? ' form-group--error' : ''}" part="group" id=${idFor(path)}>
        ${item.text ? html`<legend class="group-legend" part="legend">${this.prefixOf(item)}${this.textOf(item)}</legend>` : nothing}
        ${issue ? html`<span class="error-message" part="error-message"><span class="visually-hidden">Error:</span> ${issue.message}</span>` : nothing}
        ${this.renderItems(node.children, path)}
      </fieldset>`;
    }
    if (item.type === 'display') {
      const control = itemControl(item);
      if (control === ItemControl.warning) return html`<div class="warning" role="note"><span class="callout-heading">Important</span>${this.textOf(item)}</div>`;
      if (control === ItemControl.inset) return html`<div class="inset">${this.textOf(item)}</div>`;
      return html`<p class="display">${this.prefixOf(item)}${this.textOf(item)}</p>`;
    }
    if (this.readonly) return this.renderSummaryRow(node, path);
    if (item.readOnly) return this.renderReadOnly(node, path);
    const issue = this.issueFor(path);
    const id = idFor(path);
    const format = item.type !== 'boolean' && item.type !== 'choice' ? getExtension(item, ENTRY_FORMAT)?.valueString : undefined;
    const hint = [this.helpFor(node), format ? `Format: ${format}` : undefined].filter(Boolean).join(' ') || undefined;
    const suggestion = this.form!.suggestions?.get(path);
    const describedBy = [hint ? `${id}-hint` : '', suggestion ? `${id}-suggestion` : '', issue ? `${id}-error` : ''].filter(Boolean).join(' ') || nothing;
    const hintHtml = [hint ? html`<span class="hint" id="${id}-hint" part="hint">${hint}</span>` : nothing, suggestion ? this.renderSuggestion(suggestion, `${id}-suggestion`) : nothing];
    const errorHtml = issue ? html`<span class="error-message" id="${id}-error" part="error-message"><span class="visually-hidden">Error:</span> ${issue.message}</span>` : nothing;
    const required = item.required ? html` <span class="required">(required)</span>` : nothing;
    const nested = node.children.filter((c) => !(c.item.type === 'display' && itemControl(c.item) === ItemControl.help));
    const children = nested.length ? this.renderItems(nested, path) : nothing;
    const groupClass = `form-group${issue ? ' form-group--error' : ''}`;

    if (item.type === 'boolean' && itemControl(item) === ItemControl.checkBox) {
      // A single tick: its label is the question, so no legend repeats it.
      return html`<div class=${groupClass} part="form-group" id=${id}>${hintHtml}${errorHtml}${this.renderChoices(node, path, issue !== undefined, describedBy)}${children}</div>`;
    }
    if (item.type === 'boolean' || item.type === 'choice' || item.type === 'open-choice' || item.answerOption?.length) {
      return html`<div class=${groupClass} part="form-group">
        <fieldset aria-describedby=${describedBy} id=${id}>
          <legend part="legend">${this.prefixOf(item)}${this.textOf(item)}${required}</legend>
          ${hintHtml}${errorHtml}${this.renderChoices(node, path, issue !== undefined)}
        </fieldset>${children}</div>`;
    }
    if (item.type === 'date' || item.type === 'dateTime') {
      return html`<div class=${groupClass} part="form-group">
        <fieldset aria-describedby=${describedBy} id=${id}>
          <legend part="legend">${this.prefixOf(item)}${this.textOf(item)}${required}</legend>
          ${hint ? hintHtml : html`<span class="hint" id="${id}-hint" part="hint">For example, 15 3 2027</span>`}${errorHtml}
          ${this.renderDate(node, path, issue !== undefined)}
        </fieldset>${children}</div>`;
    }
    const label = html`<label class="label" for=${`${id}-0`}>${this.prefixOf(item)}${this.textOf(item)}${required}</label>`;
    const answers = this.form!.answers.get(path) ?? [];
    const count = item.repeats ? answers.length + 1 : 1;
    const inputs = Array.from({ length: count }, (_, i) => this.renderInput(node, path, i, describedBy, issue !== undefined));
    return html`<div class=${groupClass} part="form-group">${label}${hintHtml}${errorHtml}${inputs}${children}</div>`;
  }

  /** What the record suggests, where it came from, and that the clinician chooses: never pre-selected. */
  private renderSuggestion(suggestion: Suggestion, id: string): TemplateResult {
    const suggested = suggestion.answers.map((a) => this.answerText(a)).join(', ');
    return html`<div class="suggestion" id=${id} part="suggestion">
      <strong>From the record:</strong> ${suggestion.source.length ? html`${suggestion.source.join('; ')}. ` : nothing}This suggests “${suggested}”. Check with the family, then choose the answer.
    </div>`;
  }

  private renderInput(node: ItemNode, path: ItemPath, index: number, describedBy: string | typeof nothing, invalid: boolean): TemplateResult {
    const { item } = node;
    const id = `${idFor(path)}-${index}`;
    const answer = (this.form!.answers.get(path) ?? [])[index];
    const rawText = this.raw.get(`${path}#${index}`);
    const v = answer ? valueOf(answer) : undefined;
    const shown = rawText ?? (v ? (v.key === 'valueQuantity' ? String((v.value as fhir4.Quantity).value ?? '') : v.key === 'valueReference' ? ((v.value as fhir4.Reference).reference ?? '') : v.key === 'valueTime' ? String(v.value).slice(0, 5) : String(v.value)) : '');
    const onInput = (e: Event) => this.onText(path, node, (e.target as HTMLInputElement).value, index);
    const label = index > 0 ? `${labelOf(item)} (${index + 1})` : nothing;
    if (item.type === 'text') {
      return html`<textarea id=${id} data-path=${path} aria-label=${label} aria-describedby=${describedBy} aria-invalid=${invalid ? 'true' : 'false'} maxlength=${item.maxLength ?? nothing} .value=${live(shown)} @input=${onInput}></textarea>`;
    }
    const numeric = item.type === 'integer' || item.type === 'decimal' || item.type === 'quantity';
    const unit = item.type === 'quantity' ? getExtension(item, QUESTIONNAIRE_UNIT)?.valueCoding : undefined;
    return html`<input id=${id} data-path=${path} type=${item.type === 'url' ? 'url' : 'text'} aria-label=${label} class=${numeric ? 'width-4' : item.type === 'time' ? 'width-4' : ''}
        inputmode=${item.type === 'integer' ? 'numeric' : item.type === 'decimal' || item.type === 'quantity' ? 'decimal' : nothing}
        spellcheck=${numeric ? 'false' : nothing} autocomplete="off" maxlength=${item.maxLength ?? nothing} placeholder=${getExtension(item, ENTRY_FORMAT)?.valueString ?? nothing}
        aria-describedby=${describedBy} aria-invalid=${invalid ? 'true' : 'false'} .value=${live(shown)} @input=${onInput} />${unit ? html` <span>${unit.display ?? unit.code}</span>` : nothing}`;
  }

  private renderDate(node: ItemNode, path: ItemPath, invalid: boolean): TemplateResult {
    const id = idFor(path);
    const answer = (this.form!.answers.get(path) ?? [])[0];
    const stored = answer?.valueDate ?? answer?.valueDateTime;
    const [y, m, d] = stored ? stored.slice(0, 10).split('-') : [];
    const time = answer?.valueDateTime ? answer.valueDateTime.slice(11, 16) : undefined;
    const part = (name: 'day' | 'month' | 'year' | 'time', fallback: string | undefined) => this.raw.get(`${path}#${name}`) ?? (fallback ? String(Number(fallback)).padStart(name === 'year' ? 4 : 1, '0') : '');
    const field = (name: 'day' | 'month' | 'year' | 'time', label: string, width: string, fallback: string | undefined) => html`
      <div><label for="${id}-${name}">${label}</label>
      <input type="text" id="${id}-${name}" data-path=${path} data-part=${name} class=${width} inputmode=${name === 'time' ? nothing : 'numeric'} autocomplete="off" aria-invalid=${invalid ? 'true' : 'false'}
        .value=${live(name === 'time' ? (this.raw.get(`${path}#time`) ?? fallback ?? '') : part(name, fallback))}
        @input=${(e: Event) => this.onDatePart(path, node, name, (e.target as HTMLInputElement).value)} /></div>`;
    return html`<div class="date-input" id="${id}-0">
      ${field('day', 'Day', 'width-2', d)}${field('month', 'Month', 'width-2', m)}${field('year', 'Year', 'width-4', y)}
      ${node.item.type === 'dateTime' ? field('time', 'Time (24-hour, like 14:30)', 'width-4', time) : nothing}
    </div>`;
  }

  private renderChoices(node: ItemNode, path: ItemPath, invalid: boolean, describedBy: string | typeof nothing = nothing): TemplateResult {
    const { item } = node;
    const id = idFor(path);
    const answers = this.form!.answers.get(path) ?? [];
    const control = itemControl(item);
    if (item.type === 'boolean') {
      if (control === ItemControl.checkBox) {
        const checked = answers[0]?.valueBoolean === true;
        return html`<div class="choices"><div class="choice">
          <input type="checkbox" id="${id}-0" data-path=${path} data-option="true" .checked=${live(checked)} aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${describedBy}
            @change=${(e: Event) => this.userSet(path, (e.target as HTMLInputElement).checked ? [{ valueBoolean: true }] : [])} />
          <label for="${id}-0">${this.prefixOf(item)}${this.textOf(item)}${item.required ? html` <span class="required">(required)</span>` : nothing}</label></div></div>`;
      }
      const value = answers[0]?.valueBoolean;
      const radio = (v: boolean, label: string, i: number) => html`<div class="choice">
        <input type="radio" id="${id}-${i}" name=${id} data-path=${path} data-option=${label} .checked=${live(value === v)} aria-invalid=${invalid ? 'true' : 'false'} @change=${() => this.userSet(path, [{ valueBoolean: v }])} />
        <label for="${id}-${i}">${label}</label></div>`;
      return html`<div class=${orientation(item) === 'vertical' ? 'choices' : 'choices choices--inline'}>${radio(true, 'Yes', 0)}${radio(false, 'No', 1)}</div>`;
    }
    const options = this.options(item);
    const noOptions = !options.length && (item.type !== 'open-choice' || item.answerValueSet !== undefined);
    if (noOptions && item.type !== 'open-choice') return this.renderNoOptions(item, path);
    const selected = (o: Answer) => answers.some((a) => answersEqual(a, o));
    const otherText = answers.find((a) => a.valueString !== undefined && !options.some((o) => answersEqual(o, a)))?.valueString;
    const open = item.type === 'open-choice';
    const otherKey = `${path}#other`;
    const otherOpen = otherText !== undefined || this.raw.has(otherKey);
    if (control === ItemControl.dropDown && !item.repeats) {
      const index = options.findIndex(selected);
      return html`<select id="${id}-0" data-path=${path} aria-invalid=${invalid ? 'true' : 'false'} @change=${(e: Event) => {
        const i = Number((e.target as HTMLSelectElement).value);
        this.userSet(path, Number.isInteger(i) && i >= 0 ? [options[i]!] : []);
      }}><option value="" ?selected=${index < 0}>Select an option</option>
        ${options.map((o, i) => html`<option value=${i} ?selected=${i === index}>${this.optionLabel(o)}</option>`)}</select>`;
    }
    const multiple = item.repeats === true;
    const type = multiple ? 'checkbox' : 'radio';
    const toggle = (o: Answer, on: boolean) => {
      const rest = answers.filter((a) => !answersEqual(a, o));
      this.userSet(path, multiple ? (on ? [...rest, o] : rest) : on ? [o] : rest);
    };
    const setOther = (text: string, on: boolean) => {
      if (on) this.setRaw(otherKey, text);
      else this.deleteRaw(otherKey);
      const kept = answers.filter((a) => a.valueString === undefined || options.some((o) => answersEqual(o, a)));
      const withOther = on && text.trim() ? [...(multiple ? kept : []), { valueString: text }] : multiple ? kept : [];
      this.userSet(path, withOther);
    };
    if (!multiple && !noOptions && (control === ItemControl.autocomplete || options.length > AUTOCOMPLETE_FROM)) {
      return this.renderAutocomplete(node, path, options, invalid);
    }
    return html`${noOptions ? this.renderNoOptions(item, path) : nothing}<div class=${orientation(item) === 'horizontal' ? 'choices choices--inline' : 'choices'}>
      ${options.map((o, i) => html`<div class="choice">
        <input type=${type} id="${id}-${i}" name=${id} data-path=${path} data-option=${this.optionLabel(o)} .checked=${live(selected(o))} aria-invalid=${invalid ? 'true' : 'false'}
          @change=${(e: Event) => { if (!multiple) this.deleteRaw(otherKey); toggle(o, (e.target as HTMLInputElement).checked); }} />
        <label for="${id}-${i}">${this.optionLabel(o)}</label></div>`)}
      ${open ? html`<div class="choice">
          <input type=${type} id="${id}-other" name=${id} data-path=${path} data-option="Other" .checked=${live(otherOpen)} @change=${(e: Event) => setOther(otherText ?? '', (e.target as HTMLInputElement).checked)} />
          <label for="${id}-other">Other</label></div>
        ${otherOpen ? html`<div><label class="label" for="${id}-other-text">Other (describe)</label>
          <input type="text" id="${id}-other-text" data-path=${path} data-part="other-text" .value=${live(this.raw.get(otherKey) ?? otherText ?? '')} @input=${(e: Event) => setOther((e.target as HTMLInputElement).value, true)} /></div>` : nothing}` : nothing}
    </div>`;
  }

  /**
   * A long list, or one the questionnaire asks to autocomplete: a text box with the options as
   * suggestions (the browser's own combobox, filtered as the user types). Text that is exactly an
   * option's label chooses it; other text is kept as typed, recorded as free text on open-choice
   * and refused on save ("Select one of the options listed") on choice.
   */
  private renderAutocomplete(node: ItemNode, path: ItemPath, options: Answer[], invalid: boolean): TemplateResult {
    const id = idFor(path);
    const answer = (this.form!.answers.get(path) ?? [])[0];
    const key = `${path}#typed`;
    const shown = this.raw.get(key) ?? (answer ? this.answerText(answer) : '');
    const onInput = (e: Event) => {
      const text = (e.target as HTMLInputElement).value;
      this.setRaw(key, text);
      const match = options.find((o) => this.optionLabel(o).toLowerCase() === text.trim().toLowerCase());
      this.userSet(path, match ? [match] : text.trim() ? [{ valueString: text }] : []);
    };
    return html`<input type="text" id="${id}-0" data-path=${path} data-control="autocomplete" list="${id}-options" class="width-20" autocomplete="off" aria-label=${labelOf(node.item)}
        aria-invalid=${invalid ? 'true' : 'false'} .value=${live(shown)} @input=${onInput} />
      <datalist id="${id}-options">${options.map((o) => html`<option value=${this.optionLabel(o)}></option>`)}</datalist>`;
  }

  private answerText(answer: Answer): string {
    const v = valueOf(answer);
    if (!v) return '';
    if (v.key === 'valueBoolean') return v.value ? 'Yes' : 'No';
    if (v.key === 'valueDate') return new Date(`${v.value as string}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
    if (v.key === 'valueDateTime') return new Date(v.value as string).toLocaleString('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/London' });
    if (v.key === 'valueQuantity') return `${(v.value as fhir4.Quantity).value} ${(v.value as fhir4.Quantity).unit ?? ''}`.trim();
    return this.optionLabel(answer);
  }

  private renderReadOnly(node: ItemNode, path: ItemPath): TemplateResult {
    const { item } = node;
    const answers = this.form!.answers.get(path) ?? [];
    const control = itemControl(item);
    if (item.type === 'boolean' && answers[0]?.valueBoolean === true && (control === ItemControl.warning || control === ItemControl.inset)) {
      return control === ItemControl.warning
        ? html`<div class="warning" role="note" data-outcome=${item.linkId}><span class="callout-heading">Outcome</span>${this.textOf(item)}</div>`
        : html`<div class="inset" data-outcome=${item.linkId}>${this.textOf(item)}</div>`;
    }
    return html`<dl class="summary"><div><dt>${this.textOf(item)}</dt><dd>${answers.map((a) => this.answerText(a)).join(', ') || 'Not answered'}</dd></div></dl>`;
  }

  private renderSummaryRow(node: ItemNode, path: ItemPath): TemplateResult {
    if (node.item.readOnly) return this.renderReadOnly(node, path);
    const answers = this.form!.answers.get(path) ?? [];
    const nested = node.children.filter((c) => !(c.item.type === 'display' && itemControl(c.item) === ItemControl.help));
    return html`<dl class="summary"><div><dt>${this.prefixOf(node.item)}${this.textOf(node.item)}</dt><dd>${answers.map((a) => this.answerText(a)).join(', ') || 'Not answered'}</dd></div></dl>${nested.length ? this.renderItems(nested, path) : nothing}`;
  }

  private renderErrorSummary(): TemplateResult | typeof nothing {
    if (!this.submitted || !this.issues.length) return nothing;
    return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" part="error-summary">
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>${this.issues.map((issue) => html`<li><a href="#${idFor(issue.path ?? '')}-0" @click=${(e: Event) => this.focusField(e, issue.path ?? '')}>${issue.message}</a></li>`)}</ul>
    </div>`;
  }

  private focusField(e: Event, path: ItemPath): void {
    e.preventDefault();
    this.focusPath(path);
  }

  /** Moves focus to the first control of an item. */
  focusPath(path: ItemPath): void {
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

  /** The container of the questions of the current form, kept while the questionnaire is the same. */
  private items?: { index: FormState['index']; element: HTMLDivElement };

  /**
   * The questions are rendered into their own container, which joins the form as one node on first
   * render. Chromium re-checks a form's controls each time a control is inserted into it, so
   * inserting a thousand questions one by one into the form grows with the square of their number.
   */
  private itemsContainer(form: FormState): HTMLDivElement {
    if (this.items?.index !== form.index) {
      const element = document.createElement('div');
      element.className = 'items';
      this.items = { index: form.index, element };
    }
    renderInto(this.renderItems(form.index.roots, undefined), this.items.element, { host: this });
    return this.items.element;
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
