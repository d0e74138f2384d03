/**
 * What the three template elements share: the bundled questionnaire (overridable, or loaded from
 * the record system by canonical URL), the public API (patient, encounter, author, response,
 * readonly, gateway or fhir-base-url + token), and a <kbs-questionnaire> inside.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { questionnaireCanonical, type Questionnaire, type QuestionnaireResponse, type Reference } from '../../engine/index.js';
import { createFhirGateway, type KbsGateway } from '../../fhir/gateway.js';
import { CONCEPT_MAPS, VALUE_SETS } from '../generated/content.js';
import { KbsQuestionnaire } from '../questionnaire/kbs-questionnaire.js';
import { tokens } from './tokens.styles.js';

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

  /** The questionnaire this element is built around. */
  protected abstract readonly bundled: Questionnaire;

  /** The gateway in use: the host's, or one built from `fhir-base-url`. */
  get effectiveGateway(): KbsGateway | undefined {
    if (this.gateway) return this.gateway;
    if (!this.fhirBaseUrl) return undefined;
    this.gateway = createFhirGateway({ baseUrl: this.fhirBaseUrl, token: this.token, conceptMaps: CONCEPT_MAPS });
    return this.gateway;
  }

  /** The inner renderer (after first render). */
  get questionnaireElement(): KbsQuestionnaire | undefined {
    return this.form;
  }

  /** Resolves when the questionnaire is settled and the form has loaded it. */
  get ready(): Promise<void> {
    return this.resolved.then(() => this.updateComplete).then(() => this.form?.ready);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('questionnaire') || this.resolvedFor === undefined) this.resolved = this.resolveQuestionnaire();
  }

  /** The host's questionnaire, else the record system's copy of the bundled one, else the bundled one. */
  private async resolveQuestionnaire(): Promise<void> {
    const wanted = this.questionnaire ?? this.bundled;
    this.resolvedFor = wanted;
    const gateway = this.effectiveGateway;
    if (this.questionnaire || !gateway) {
      this.active = wanted;
      this.resolving = false;
      return;
    }
    this.resolving = true;
    const loaded = await gateway.loadQuestionnaire(questionnaireCanonical(wanted)!, wanted).catch(() => undefined);
    if (this.resolvedFor !== wanted) return;
    this.active = loaded?.questionnaire ?? wanted;
    this.notice = loaded?.notice;
    this.resolving = false;
  }

  protected renderForm(subject: Reference | undefined, encounter: Reference | undefined, options: { hidden?: boolean } = {}): TemplateResult {
    if (this.resolving) return html`<p role="status">Loading form…</p>`;
    return html`${this.notice ? html`<p class="hint" role="note">${this.notice}</p>` : nothing}
      <kbs-questionnaire
        ?hidden=${options.hidden === true}
        .questionnaire=${this.active}
        .response=${this.response}
        .patient=${subject}
        .encounter=${encounter}
        .author=${this.author}
        .gateway=${this.effectiveGateway}
        .valueSets=${VALUE_SETS}
        .now=${this.now}
        .newId=${this.newId}
        ?readonly=${this.readonly}
        density=${this.density}
      ></kbs-questionnaire>`;
  }
}

export { KbsQuestionnaire };
