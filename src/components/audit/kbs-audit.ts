/**
 * <kbs-audit>: the safeguarding lead's audit over a date range, read from the record system by paged
 * searches: are the 8-week messages given, the bed-sharing assessments done, the routine enquiries
 * completed and their follow-ups closed? Aggregates only: no names, NHS numbers or free text ever
 * reach this element, and routine enquiry counts from 1 to 4 are shown as "< 5".
 *
 * Each chart is an SVG with a text alternative and its data table beside it; the CSV download is
 * built from the same rows as the tables, so the two always agree. Loaded on its own (its own
 * script), never by the templates.
 */
import { css, html, LitElement, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { createAudit, toCsv, type AuditResult, type Rate, type Shown } from '../../engine/index.js';
import { auditRecords } from '../../fhir/gateway.js';
import { tokens } from '../shared/tokens.styles.js';

type Figures = AuditResult['overall'];
/** One table: a caption, column headings, and rows of cells as shown (the CSV carries the same cells). */
export interface AuditTable {
  id: string;
  caption: string;
  columns: string[];
  rows: string[][];
  /** The chart drawn from the table: one value per month (null = not shown), and what it is. */
  chart: { label: string; unit: '%' | 'count'; values: (number | null)[]; shown: string[] };
}

const percent = (r: Rate) => (r.percent === null ? '–' : `${r.percent}%`);
const show = (n: Shown | number) => String(n);
const CONTACTS: Record<string, string> = {
  'contact-midwife-discharge': 'midwife discharge',
  'contact-health-visitor-new-birth': 'new birth visit',
  'contact-later': 'later contact',
};

/** The three tables of an audit result, month by month with the whole period first. */
export function auditTables(result: AuditResult): AuditTable[] {
  const months = Object.keys(result.byMonth);
  const groups: [string, Figures][] = [['Whole period', result.overall], ...months.map((m) => [monthName(m), result.byMonth[m]!] as [string, Figures])];
  const monthly = <T>(pick: (f: Figures) => T) => months.map((m) => pick(result.byMonth[m]!));
  const contacts = Object.keys(CONTACTS);
  return [
    {
      id: 'eight-week',
      caption: '8-week check: Keeping Babies Safe messages recorded as given',
      columns: ['Period', 'Checks', 'All three messages', 'Child safety advice', 'Safe sleeping information', 'Advice about shaking babies', 'Leaflet given'],
      rows: groups.map(([name, f]) => {
        const e = f.eightWeek;
        return [name, show(e.checks), percent(e.allThreeMessages), percent(e.eachMessage['kbs/advice-child-safety']), percent(e.eachMessage['kbs/safer-sleep/info-infant-safe-sleeping']),
          percent(e.eachMessage['kbs/crying/advice-shaking-babies']), percent(e.leafletGiven)];
      }),
      chart: { label: 'Checks with all three messages recorded, % by month', unit: '%', values: monthly((f) => f.eightWeek.allThreeMessages.percent), shown: monthly((f) => percent(f.eightWeek.allThreeMessages)) },
    },
    {
      id: 'bed-sharing',
      caption: 'Bed-sharing assessments',
      columns: ['Period', 'Assessments', ...contacts.map((c) => `At ${CONTACTS[c]}`), 'Advised not to bed-share', 'Sleep place seen', 'Sofa or chair'],
      rows: groups.map(([name, f]) => {
        const b = f.bedSharing;
        return [name, show(b.assessments), ...contacts.map((c) => show(b.byContact[c] ?? 0)), percent(b.advisedNotToBedShare), percent(b.sleepPlaceSeen), percent(b.sofaOrChair)];
      }),
      chart: { label: 'Bed-sharing assessments by month', unit: 'count', values: monthly((f) => f.bedSharing.assessments), shown: monthly((f) => show(f.bedSharing.assessments)) },
    },
    {
      id: 'enquiry',
      caption: 'Routine enquiry (restricted: aggregates only, counts from 1 to 4 shown as "< 5")',
      columns: ['Period', 'Enquiries', 'Antenatal', 'Postnatal', 'Completed', 'Completed %', 'Follow-ups opened', 'Closed by due date', 'Overdue now', 'Median days to close'],
      rows: groups.map(([name, f]) => {
        const q = f.enquiry;
        return [name, show(q.enquiries), show(q.byStage['stage-antenatal'] ?? 0), show(q.byStage['stage-postnatal'] ?? 0), show(q.completed),
          q.completedPercent === null ? '–' : `${q.completedPercent}%`, show(q.followUpsOpened), show(q.followUpsClosedByDueDate), show(q.followUpsOverdueNow),
          q.medianDaysToClose === null ? '–' : String(q.medianDaysToClose)];
      }),
      chart: {
        label: 'Routine enquiries by month', unit: 'count',
        values: monthly((f) => (typeof f.enquiry.enquiries === 'number' ? f.enquiry.enquiries : null)), shown: monthly((f) => show(f.enquiry.enquiries)),
      },
    },
    ...groupTable(result),
  ];
}

/** The whole period by organisation or team, where the records say so. */
function groupTable(result: AuditResult): AuditTable[] {
  const groups = Object.keys(result.byGroup ?? {});
  if (!groups.length) return [];
  const figures = (f: Figures) => [show(f.eightWeek.checks), percent(f.eightWeek.allThreeMessages), show(f.bedSharing.assessments), percent(f.bedSharing.advisedNotToBedShare),
    show(f.enquiry.enquiries), show(f.enquiry.completed), show(f.enquiry.followUpsOverdueNow)];
  return [{
    id: 'by-group',
    caption: 'By organisation or team, whole period (from the records\' PractitionerRole or Encounter)',
    columns: ['Organisation or team', '8-week checks', 'All three messages', 'Bed-sharing assessments', 'Advised not to bed-share', 'Routine enquiries', 'Completed', 'Follow-ups overdue now'],
    rows: [['All', ...figures(result.overall)], ...groups.map((g) => [g, ...figures(result.byGroup[g]!)])],
    chart: { label: 'Checks with all three messages recorded, % by organisation or team', unit: '%', values: groups.map((g) => result.byGroup[g]!.eightWeek.allThreeMessages.percent), shown: groups.map((g) => percent(result.byGroup[g]!.eightWeek.allThreeMessages)) },
  }];
}

/** Every table as one CSV: a section column, then the table's own columns and cells. */
export function auditCsv(tables: AuditTable[]): string {
  return toCsv(tables.flatMap((t) => [['Section', ...t.columns], ...t.rows.map((r) => [t.caption, ...r])]));
}

function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * @csspart chart - Each chart.
 * @csspart table - Each table.
 */
@customElement('kbs-audit')
export class KbsAudit extends LitElement {
  static override styles = [
    tokens,
    css`
      h2 { font-size: 1.375rem; margin: calc(var(--_space) * 1.5) 0 calc(var(--_space) * 0.5); }
      .controls { display: flex; flex-wrap: wrap; gap: var(--_space); align-items: flex-end; margin-bottom: var(--_space); }
      label { display: block; font-weight: 600; margin-bottom: 4px; }
      input[type=date] { font: inherit; padding: 4px; border: 2px solid var(--_border); }
      button { font: inherit; font-weight: 600; padding: 8px 16px; border: 0; border-radius: 4px; box-shadow: 0 4px 0 #002f5c; background: var(--_blue); color: #fff; cursor: pointer; }
      button:focus-visible, input:focus-visible { outline: 4px solid var(--_focus); outline-offset: 0; box-shadow: 0 -2px var(--_focus), 0 4px #212b32; }
      .measure { break-inside: avoid; margin-bottom: calc(var(--_space) * 2); }
      svg { display: block; max-width: 100%; height: auto; margin: calc(var(--_space) * 0.5) 0; }
      .table-wrap { overflow-x: auto; }
      table { border-collapse: collapse; min-width: 100%; font-size: 1rem; }
      caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
      th, td { border-bottom: 1px solid #d8dde0; padding: 6px 8px; text-align: right; white-space: nowrap; }
      th:first-child, td:first-child { text-align: left; }
      tbody tr:first-child { font-weight: 600; background: var(--_grey); }
      .error { border-left: 8px solid var(--_error); padding: var(--_space); background: var(--_grey); }
      .demo { border-left: 8px solid var(--_blue); padding: calc(var(--_space) * 0.5) var(--_space); background: var(--_grey); }
      @media print { .controls { display: none; } }
    `,
  ];

  /** The FHIR server's base URL. */
  @property({ attribute: 'fhir-base-url' }) fhirBaseUrl?: string;
  /** The bearer token, or a function read before each audit. */
  @property({ attribute: false }) token?: string | (() => string | undefined);
  /** First day of the period, YYYY-MM-DD (default: a year before `to`). */
  @property() from?: string;
  /** Last day, YYYY-MM-DD (default: today). */
  @property() to?: string;
  /** Records per page of each search. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 500;
  /** Say on screen that the records are demo data. */
  @property({ type: Boolean, attribute: 'demo-data' }) demoData = false;
  @property({ attribute: false }) now: () => Date = () => new Date();

  @state() private tables?: AuditTable[];
  @state() private problem?: string;
  @state() private loading = false;
  private seq = 0;
  private records = 0;

  private period() {
    const today = this.now();
    const to = this.to ?? isoDay(today);
    const from = this.from ?? isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - 364 * 864e5));
    return { from, to, asOf: isoDay(today) };
  }

  private running: Promise<void> = Promise.resolve();

  /** Resolves when the latest audit is on screen (or has failed, with its message shown). */
  get ready(): Promise<void> {
    // After any pending update, which may have started a new audit.
    return this.updateComplete.then(() => this.running).then(() => this.updateComplete).then(() => undefined);
  }

  /** The figures on screen, as tables (the CSV holds the same cells). */
  get figures(): AuditTable[] | undefined {
    return this.tables;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('fhirBaseUrl') || changed.has('from') || changed.has('to') || changed.has('token')) this.running = this.run();
  }

  /** Reads the records again and recomputes every figure. */
  async run(): Promise<void> {
    const seq = ++this.seq;
    if (!this.fhirBaseUrl) return;
    const period = this.period();
    if (period.from > period.to) {
      this.problem = 'The start of the period is after its end. Choose a start date on or before the end date.';
      this.tables = undefined;
      return;
    }
    this.loading = true;
    this.problem = undefined;
    try {
      const audit = createAudit(period);
      const token = typeof this.token === 'function' ? this.token() : this.token;
      let records = 0;
      for await (const resource of auditRecords({ baseUrl: this.fhirBaseUrl, ...(token ? { token } : {}), pageSize: this.pageSize })) {
        if (seq !== this.seq) return;
        audit.add(resource);
        records++;
      }
      if (seq !== this.seq) return;
      this.records = records;
      this.tables = auditTables(audit.result());
    } catch (e) {
      if (seq !== this.seq) return;
      const status = (e as { options?: { status?: number } }).options?.status;
      this.tables = undefined;
      this.problem = status === 401 || status === 403
        ? `The record system refused the audit (HTTP ${status}). The audit needs an account that may search QuestionnaireResponse and Task records across the organisation, restricted records included: ask your system administrator for the safeguarding lead's audit role.`
        : `The audit could not be read from the record system: ${(e as Error).message} Try again; if it keeps failing, tell your system administrator.`;
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private download(): void {
    if (!this.tables) return;
    const { from, to } = this.period();
    const url = URL.createObjectURL(new Blob([auditCsv(this.tables)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `kbs-audit-${from}-to-${to}.csv`;
    this.renderRoot.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private onDate(which: 'from' | 'to', e: Event): void {
    const value = (e.target as HTMLInputElement).value;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) this[which] = value;
  }

  /** A bar per month, labelled with the value as shown; months whose value is suppressed get no bar. */
  private chart(table: AuditTable): TemplateResult {
    const { values, shown, unit, label } = table.chart;
    const months = table.rows.slice(1).map((r) => r[0]!);
    const width = 640;
    const barArea = 200;
    const top = 20;
    const slot = months.length ? (width - 40) / months.length : width;
    const max = unit === '%' ? 100 : Math.max(1, ...values.map((v) => v ?? 0));
    const titleId = `${table.id}-chart-title`;
    const descId = `${table.id}-chart-desc`;
    const description = `${label}. ${months.map((m, i) => `${m}: ${shown[i]}`).join('; ')}. The same figures are in the table below.`;
    return html`<svg part="chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${top + barArea + 50}" width=${width} height=${top + barArea + 50}>
      <title id=${titleId}>${label}</title><desc id=${descId}>${description}</desc>
      ${svg`<line x1="30" y1=${top + barArea} x2=${width - 5} y2=${top + barArea} stroke="#4c6272" />`}
      ${months.map((m, i) => {
        const v = values[i];
        const h = v === null || v === undefined ? 0 : Math.round((v / max) * barArea);
        const x = 35 + i * slot;
        const w = Math.max(4, slot * 0.7);
        return svg`<g>
          ${h ? svg`<rect x=${x} y=${top + barArea - h} width=${w} height=${h} fill="#005eb8" />` : nothing}
          <text x=${x + w / 2} y=${top + barArea - h - 4} text-anchor="middle" font-size="12" fill="#212b32">${shown[i]}</text>
          ${table.id === 'by-group'
            ? svg`<text x=${x + w / 2} y=${top + barArea + 16} text-anchor="middle" font-size="11" fill="#4c6272">${m.length > 24 ? `${m.slice(0, 23)}…` : m}</text>`
            : svg`<text x=${x + w / 2} y=${top + barArea + 16} text-anchor="middle" font-size="11" fill="#4c6272">${m.slice(0, 3)}</text>
              <text x=${x + w / 2} y=${top + barArea + 30} text-anchor="middle" font-size="11" fill="#4c6272">${m.slice(-4)}</text>`}
        </g>`;
      })}
    </svg>`;
  }

  private table(table: AuditTable): TemplateResult {
    return html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="${table.id}-caption"><table part="table" data-table=${table.id}>
      <caption id="${table.id}-caption">${table.caption}</caption>
      <thead><tr>${table.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${table.rows.map((r) => html`<tr>${r.map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td>${cell}</td>`))}</tr>`)}</tbody>
    </table></div>`;
  }

  protected override render(): TemplateResult {
    const { from, to } = this.period();
    return html`
      ${this.demoData ? html`<p class="demo" role="note"><strong>Demo data:</strong> these figures come from made-up records seeded for the demonstration, not from real families.</p>` : nothing}
      <div class="controls">
        <div><label for="from">From</label><input type="date" id="from" .value=${from} @change=${(e: Event) => this.onDate('from', e)} /></div>
        <div><label for="to">To</label><input type="date" id="to" .value=${to} @change=${(e: Event) => this.onDate('to', e)} /></div>
        <button type="button" @click=${() => this.download()} ?disabled=${!this.tables}>Download CSV</button>
      </div>
      <p role="status">${this.loading ? 'Reading the records…' : this.tables ? `${this.records} record${this.records === 1 ? '' : 's'} read, ${from} to ${to}.` : ''}</p>
      ${this.problem ? html`<div class="error" role="alert">${this.problem}</div>` : nothing}
      ${!this.fhirBaseUrl ? html`<p>Give the audit a record system (<code>fhir-base-url</code>) to read from.</p>` : nothing}
      ${(this.tables ?? []).map((t) => html`<section class="measure" aria-labelledby="${t.id}-heading">
        <h2 id="${t.id}-heading">${t.caption.split(' (')[0]!.split(':')[0]!.replace(/, whole period$/, '')}</h2>
        ${t.rows.length > 1 ? this.chart(t) : html`<p>No records in this period.</p>`}
        ${this.table(t)}
      </section>`)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kbs-audit': KbsAudit;
  }
}
