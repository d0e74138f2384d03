/**
 * <kbs-follow-ups>: a caseload's outstanding and overdue routine-enquiry follow-ups — mother, NHS
 * number, stage, reason, due date, who is to follow up — most overdue first, each with a button that
 * asks the host to open the enquiry for that mother (`kbs-open-enquiry`; the host decides how).
 *
 * Restricted: it shows nothing until the host has said who is looking (`viewer`, a Practitioner or
 * PractitionerRole reference), so it cannot be dropped onto a page for anyone; it never prints; it
 * keeps nothing in browser storage.
 */
import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { answersAt, formatNhsNumber, NHS_NUMBER_SYSTEM, type Reference } from '../../engine/renderer.js';
import type { CaseloadEntry, KbsGateway } from '../../fhir/gateway.js';
import { createLazyFhirGateway } from '../../fhir/lazy-gateway.js';
import { tokens } from '../shared/tokens.styles.js';

export interface KbsOpenEnquiryDetail {
  /** The mother's Patient reference. */
  mother: Reference;
  task: fhir4.Task;
}

declare global {
  interface HTMLElementEventMap {
    'kbs-open-enquiry': CustomEvent<KbsOpenEnquiryDetail>;
  }
}

const VIEWER = /^(?:Practitioner|PractitionerRole)\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * @fires kbs-open-enquiry - The user asked to open the routine enquiry for a mother on the list.
 * @csspart table - The list of follow-ups.
 * @csspart open - Each row's "Open enquiry" button.
 */
@customElement('kbs-follow-ups')
export class KbsFollowUps extends LitElement {
  static override styles = [
    tokens,
    css`
      table { border-collapse: collapse; width: 100%; }
      th, td { text-align: left; vertical-align: top; padding: calc(var(--_space) * 0.5); border-bottom: 1px solid #d8dde0; }
      .overdue { color: var(--_error); font-weight: 700; }
      td button { margin: 0; }
      /* Never in a printout. */
      @media print { :host { display: none !important; } }
    `,
  ];

  /** Who is looking: a Practitioner or PractitionerRole reference. Without it, nothing is shown. */
  @property({ attribute: false }) viewer?: Reference;
  /** Only the follow-ups owned by this Practitioner, PractitionerRole or Organization (optional). */
  @property({ attribute: false }) owner?: Reference;
  @property({ attribute: false }) gateway?: KbsGateway;
  @property({ attribute: 'fhir-base-url' }) fhirBaseUrl?: string;
  @property({ attribute: false }) token?: string;
  @property({ attribute: false }) now: () => Date = () => new Date();

  @state() private entries?: CaseloadEntry[];
  @state() private problem?: string;
  private built?: { baseUrl: string; gateway: KbsGateway };
  private seq = 0;

  private get effectiveGateway(): KbsGateway | undefined {
    if (this.gateway) return this.gateway;
    if (!this.fhirBaseUrl) return undefined;
    if (this.built?.baseUrl !== this.fhirBaseUrl) {
      this.built = { baseUrl: this.fhirBaseUrl, gateway: createLazyFhirGateway({ baseUrl: this.fhirBaseUrl, token: () => this.token, conceptMaps: () => import('../generated/concept-maps.js').then((m) => m.CONCEPT_MAPS) }) };
    }
    return this.built.gateway;
  }

  private get viewerOk(): boolean {
    return !!this.viewer?.reference && VIEWER.test(this.viewer.reference);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (['viewer', 'owner', 'gateway', 'fhirBaseUrl', 'token'].some((k) => (changed as Map<PropertyKey, unknown>).has(k))) void this.refresh();
  }

  /** Reads the list again. */
  async refresh(): Promise<void> {
    const seq = ++this.seq;
    this.entries = undefined;
    this.problem = undefined;
    const gateway = this.effectiveGateway;
    if (!this.viewerOk || !gateway) return;
    try {
      const entries = await gateway.openFollowUps({ ...(this.owner ? { owner: this.owner } : {}) });
      if (seq === this.seq) this.entries = entries;
    } catch (e) {
      if (seq === this.seq) this.problem = `The follow-ups could not be read: ${(e as Error).message}`;
    }
  }

  private open(entry: CaseloadEntry): void {
    const mother = entry.task.task.for;
    if (!mother?.reference) return;
    this.dispatchEvent(new CustomEvent<KbsOpenEnquiryDetail>('kbs-open-enquiry', { detail: { mother: { reference: mother.reference }, task: entry.task.task }, bubbles: true, composed: true }));
  }

  protected override render(): TemplateResult {
    if (!this.viewerOk) {
      return html`<p role="note">Routine enquiry follow-ups are restricted. They are shown only when the record system says who is looking (a practitioner or their role).</p>`;
    }
    if (this.problem) return html`<p class="error-message" role="alert">${this.problem}</p>`;
    if (!this.entries) return html`<p role="status">Loading follow-ups…</p>`;
    if (!this.entries.length) return html`<p>No outstanding routine enquiry follow-ups.</p>`;
    const today = this.now().toISOString().slice(0, 10);
    const rows = [...this.entries].sort((a, b) => (a.task.task.restriction?.period?.end ?? '9999').localeCompare(b.task.task.restriction?.period?.end ?? '9999'));
    const date = (iso: string) => new Date(`${iso.slice(0, 10)}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
    const name = (p: fhir4.Patient | undefined) => (p ? `${p.name?.[0]?.given?.join(' ') ?? ''} ${p.name?.[0]?.family ?? ''}`.trim() || 'Name not recorded' : 'Record not readable');
    const nhs = (p: fhir4.Patient | undefined) => formatNhsNumber(p?.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value ?? '') || '—';
    const reason = (t: fhir4.Task) => /Not completed because: ([^.]*)\./.exec(t.description ?? '')?.[1] ?? t.description ?? '—';
    const stage = (e: CaseloadEntry) => answersAt(e.enquiry?.item, 'stage')[0]?.valueCoding?.display ?? '—';
    return html`<table part="table">
      <caption class="visually-hidden">Outstanding routine enquiry follow-ups, most overdue first</caption>
      <thead><tr><th scope="col">Mother</th><th scope="col">NHS number</th><th scope="col">Stage</th><th scope="col">Not completed because</th><th scope="col">Due</th><th scope="col">Follow-up by</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody>${rows.map((e) => {
        const t = e.task.task;
        const due = t.restriction?.period?.end;
        const overdue = !!due && due < today;
        return html`<tr data-task=${e.task.id}>
          <td>${name(e.patient)}</td><td>${nhs(e.patient)}</td><td>${stage(e)}</td><td>${reason(t)}</td>
          <td>${due ? html`<span class=${overdue ? 'overdue' : ''}>${overdue ? 'Overdue: ' : ''}${date(due)}</span>` : 'No due date'}</td>
          <td>${t.performerType?.[0]?.text ?? t.owner?.display ?? '—'}</td>
          <td><button type="button" class="secondary" part="open" @click=${() => this.open(e)}>Open enquiry<span class="visually-hidden"> for ${name(e.patient)}</span></button></td>
        </tr>`;
      })}</tbody></table>${nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-follow-ups': KbsFollowUps;
  }
}
