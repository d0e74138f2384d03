/**
 * The safeguarding lead's audit: FHIR resources in, measures out. Pure (no I/O), fed one resource at
 * a time — from paged searches or NDJSON — and holding only a small summary per record, never the
 * records themselves. Definitions, numerators and denominators: docs/audit.md.
 *
 * - Records are the three templates' QuestionnaireResponses (by canonical URL, any version) and the
 *   routine enquiry's follow-up Tasks. A record is counted once, as its latest version (by
 *   `meta.lastUpdated`, then `authored`); one whose latest version is `entered-in-error` is left out.
 * - The period is by `authored` (Tasks: `authoredOn`), inclusive, as ISO dates; months are
 *   `YYYY-MM` of that date.
 * - Routine enquiry measures are aggregates only (no names, NHS numbers or free text) and small
 *   numbers are suppressed: see `suppress`.
 */
import { KBS_BASE, OPEN_TASK_STATUSES, ROUTINE_ENQUIRY_FOLLOW_UP } from './constants.js';

export const AUDITED = {
  eightWeek: `${KBS_BASE}/Questionnaire/kbs-eight-week-check`,
  bedSharing: `${KBS_BASE}/Questionnaire/kbs-bed-sharing-assessment`,
  enquiry: `${KBS_BASE}/Questionnaire/kbs-domestic-abuse-enquiry`,
} as const;
const MESSAGES = ['kbs/advice-child-safety', 'kbs/safer-sleep/info-infant-safe-sleeping', 'kbs/crying/advice-shaking-babies'] as const;
const RISKS = ['smoking', 'alcohol', 'drugs', 'tiredness', 'early-or-small', 'not-routine'] as const;

export interface AuditPeriod {
  /** First day, YYYY-MM-DD (inclusive). */
  from: string;
  /** Last day, YYYY-MM-DD (inclusive). */
  to: string;
  /** "Now" for overdue follow-ups, YYYY-MM-DD. */
  asOf: string;
}

/** A count with its denominator; `percent` is rounded to one decimal place. */
export interface Rate {
  numerator: number;
  denominator: number;
  percent: number | null;
}

export interface EightWeekMeasures {
  checks: number;
  allThreeMessages: Rate;
  eachMessage: Record<(typeof MESSAGES)[number], Rate>;
  videoSeenBy: Record<string, number>;
  leafletGiven: Rate;
}

export interface BedSharingMeasures {
  assessments: number;
  byContact: Record<string, number>;
  advisedNotToBedShare: Rate;
  riskAnsweredYes: Record<(typeof RISKS)[number], Rate>;
  sleepPlaceSeen: Rate;
  sofaOrChair: Rate;
}

/** A count shown as a number, or "< 5" when it is small enough to identify someone. */
export type Shown = number | '< 5';

export interface EnquiryMeasures {
  enquiries: Shown;
  byStage: Record<string, Shown>;
  completed: Shown;
  completedPercent: number | null;
  notCompletedReasons: Record<string, Shown>;
  followUpsOpened: Shown;
  followUpsClosedByDueDate: Shown;
  followUpsOverdueNow: Shown;
  medianDaysToClose: number | null;
}

export interface AuditResult {
  period: AuditPeriod;
  overall: { eightWeek: EightWeekMeasures; bedSharing: BedSharingMeasures; enquiry: EnquiryMeasures };
  byMonth: Record<string, { eightWeek: EightWeekMeasures; bedSharing: BedSharingMeasures; enquiry: EnquiryMeasures }>;
  /**
   * The whole period by organisation or team, where the records say so: the author's
   * PractitionerRole.organization, else the Encounter.serviceProvider. Keyed by the organisation's
   * name (or reference); "not recorded" for records that say neither. Empty when no record says.
   */
  byGroup: Record<string, { eightWeek: EightWeekMeasures; bedSharing: BedSharingMeasures; enquiry: EnquiryMeasures }>;
}

/** Where a record was made: the references that can name its organisation or team. */
interface Origin {
  author?: string;
  encounter?: string;
}

// ---- what is kept per record: a few codes and flags, never content ------------------------------

interface Version {
  key: string;
  updated: string;
  removed: boolean;
  origin: Origin;
}
interface EightWeekSummary extends Version { kind: 'eight-week'; day: string; ticks: boolean[]; video?: string; leaflet: boolean }
interface BedSharingSummary extends Version { kind: 'bed-sharing'; day: string; contact?: string; risks: boolean[]; seen: boolean; sofa: boolean }
interface EnquirySummary extends Version { kind: 'enquiry'; day: string; stage?: string; completed?: boolean; reasons: string[] }
interface TaskSummary extends Version { kind: 'task'; day: string; status: string; due?: string; closedDay?: string }
type Summary = EightWeekSummary | BedSharingSummary | EnquirySummary | TaskSummary;

type Item = fhir4.QuestionnaireResponseItem;

/** The answers at a linkId path ("a/b/c"), looking through nested items and answers' items. */
export function answersAt(items: Item[] | undefined, path: string): fhir4.QuestionnaireResponseItemAnswer[] {
  const [head, ...rest] = path.split('/');
  const found: fhir4.QuestionnaireResponseItemAnswer[] = [];
  for (const item of items ?? []) {
    if (item.linkId !== head) continue;
    if (!rest.length) found.push(...(item.answer ?? []));
    else found.push(...answersAt([...(item.item ?? []), ...(item.answer ?? []).flatMap((a) => a.item ?? [])], rest.join('/')));
  }
  return found;
}
const isTrue = (items: Item[] | undefined, path: string) => answersAt(items, path).some((a) => a.valueBoolean === true);
const codesAt = (items: Item[] | undefined, path: string) => answersAt(items, path).map((a) => a.valueCoding?.code).filter((c): c is string => !!c);

function versionOf(resource: fhir4.Resource & { identifier?: fhir4.Identifier | fhir4.Identifier[] }, fallbackTime: string | undefined): Pick<Version, 'key' | 'updated'> {
  const identifier = Array.isArray(resource.identifier) ? resource.identifier[0] : resource.identifier;
  const key = `${resource.resourceType}|${identifier?.value ?? resource.id ?? ''}`;
  return { key, updated: resource.meta?.lastUpdated ?? fallbackTime ?? '' };
}

function summarise(resource: fhir4.Resource): Summary | undefined {
  if (resource.resourceType === 'QuestionnaireResponse') {
    const r = resource as fhir4.QuestionnaireResponse;
    const url = (r.questionnaire ?? '').split('|')[0];
    const day = (r.authored ?? '').slice(0, 10);
    if (!day) return undefined;
    const origin: Origin = { ...(r.author?.reference ? { author: r.author.reference } : {}), ...(r.encounter?.reference ? { encounter: r.encounter.reference } : {}) };
    const base = { ...versionOf(r, r.authored), removed: r.status === 'entered-in-error' || r.status === 'stopped', day, origin };
    if (r.status === 'in-progress') return undefined;
    if (url === AUDITED.eightWeek) {
      return { ...base, kind: 'eight-week', ticks: MESSAGES.map((p) => isTrue(r.item, p)), video: codesAt(r.item, 'kbs/video-seen')[0], leaflet: isTrue(r.item, 'kbs/kbs-leaflet-given') };
    }
    if (url === AUDITED.bedSharing) {
      const places = [...codesAt(r.item, 'sleep-place/sleep-place-night'), ...codesAt(r.item, 'sleep-place/sleep-place-day')];
      return {
        ...base, kind: 'bed-sharing', contact: codesAt(r.item, 'contact')[0], risks: RISKS.map((k) => isTrue(r.item, `checklist/${k}`)),
        seen: isTrue(r.item, 'sleep-place/sleep-place-seen'), sofa: places.includes('sleep-place-sofa-or-chair'),
      };
    }
    if (url === AUDITED.enquiry) {
      const completed = answersAt(r.item, 'completed')[0]?.valueBoolean;
      return { ...base, kind: 'enquiry', stage: codesAt(r.item, 'stage')[0], completed, reasons: codesAt(r.item, 'not-completed/reason') };
    }
    return undefined;
  }
  if (resource.resourceType === 'Task') {
    const t = resource as fhir4.Task;
    if (!t.code?.coding?.some((c) => c.code === ROUTINE_ENQUIRY_FOLLOW_UP)) return undefined;
    const day = (t.authoredOn ?? '').slice(0, 10);
    if (!day) return undefined;
    return {
      ...versionOf(t, t.lastModified), removed: t.status === 'entered-in-error' || t.status === 'cancelled', kind: 'task', day, status: t.status,
      origin: { ...(t.requester?.reference ? { author: t.requester.reference } : {}), ...(t.encounter?.reference ? { encounter: t.encounter.reference } : {}) },
      due: t.restriction?.period?.end?.slice(0, 10), closedDay: t.status === 'completed' ? (t.lastModified ?? t.meta?.lastUpdated ?? '').slice(0, 10) || undefined : undefined,
    };
  }
  return undefined;
}

// ---- measures ------------------------------------------------------------------------------------

const rate = (numerator: number, denominator: number): Rate => ({
  numerator, denominator, percent: denominator ? Math.round((1000 * numerator) / denominator) / 10 : null,
});

/**
 * Small-number suppression for one table: any count from 1 to 4 is shown as "< 5"; and where only
 * one count in the table would be suppressed, the next smallest is suppressed too, so that no
 * suppressed count can be worked out from the total and the others. Zero is shown (it identifies
 * no one). The total itself is suppressed when it is from 1 to 4.
 */
export function suppress(cells: Record<string, number>): Record<string, Shown> {
  const small = (n: number) => n > 0 && n < 5;
  const hidden = new Set(Object.keys(cells).filter((k) => small(cells[k]!)));
  if (hidden.size === 1) {
    const next = Object.keys(cells).filter((k) => !hidden.has(k) && cells[k]! > 0).sort((a, b) => cells[a]! - cells[b]!)[0];
    if (next) hidden.add(next);
  }
  return Object.fromEntries(Object.entries(cells).map(([k, n]) => [k, hidden.has(k) ? '< 5' : n]));
}
const shown = (n: number): Shown => (n > 0 && n < 5 ? '< 5' : n);

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 864e5);

function measure(records: Summary[], asOf: string) {
  const eight = records.filter((r): r is EightWeekSummary => r.kind === 'eight-week');
  const bed = records.filter((r): r is BedSharingSummary => r.kind === 'bed-sharing');
  const enq = records.filter((r): r is EnquirySummary => r.kind === 'enquiry');
  const tasks = records.filter((r): r is TaskSummary => r.kind === 'task');
  const count = <T>(list: T[], key: (t: T) => string | undefined) => list.reduce<Record<string, number>>((acc, t) => {
    const k = key(t) ?? 'not recorded';
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});
  const eightWeek: EightWeekMeasures = {
    checks: eight.length,
    allThreeMessages: rate(eight.filter((r) => r.ticks.every(Boolean)).length, eight.length),
    eachMessage: Object.fromEntries(MESSAGES.map((m, i) => [m, rate(eight.filter((r) => r.ticks[i]).length, eight.length)])) as EightWeekMeasures['eachMessage'],
    videoSeenBy: count(eight, (r) => r.video),
    leafletGiven: rate(eight.filter((r) => r.leaflet).length, eight.length),
  };
  const bedSharing: BedSharingMeasures = {
    assessments: bed.length,
    byContact: count(bed, (r) => r.contact),
    advisedNotToBedShare: rate(bed.filter((r) => r.risks.some(Boolean)).length, bed.length),
    riskAnsweredYes: Object.fromEntries(RISKS.map((k, i) => [k, rate(bed.filter((r) => r.risks[i]).length, bed.length)])) as BedSharingMeasures['riskAnsweredYes'],
    sleepPlaceSeen: rate(bed.filter((r) => r.seen).length, bed.length),
    sofaOrChair: rate(bed.filter((r) => r.sofa).length, bed.length),
  };
  const completed = enq.filter((r) => r.completed === true).length;
  const closed = tasks.filter((t) => t.status === 'completed' && t.closedDay);
  const stages = count(enq, (r) => r.stage);
  const reasons = enq.filter((r) => r.completed === false).flatMap((r) => r.reasons).reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
  const closedByDue = closed.filter((t) => !t.due || t.closedDay! <= t.due).length;
  const overdue = tasks.filter((t) => OPEN_TASK_STATUSES.has(t.status) && !!t.due && t.due < asOf).length;
  /** The restricted counts before suppression, so suppression can also be made safe across months. */
  const raw: Record<string, number> = {
    enquiries: enq.length, completed, followUpsOpened: tasks.length, followUpsClosedByDueDate: closedByDue, followUpsOverdueNow: overdue,
    ...Object.fromEntries(Object.entries(stages).map(([k, v]) => [`byStage.${k}`, v])),
    ...Object.fromEntries(Object.entries(reasons).map(([k, v]) => [`notCompletedReasons.${k}`, v])),
  };
  const enquiry: EnquiryMeasures = {
    enquiries: shown(enq.length),
    byStage: suppress(stages),
    completed: shown(completed),
    // A percentage is given only when neither of its counts is suppressed.
    completedPercent: enq.length >= 5 && (completed === 0 || completed >= 5) && (enq.length - completed === 0 || enq.length - completed >= 5) ? rate(completed, enq.length).percent : null,
    notCompletedReasons: suppress(reasons),
    followUpsOpened: shown(tasks.length),
    followUpsClosedByDueDate: shown(closedByDue),
    followUpsOverdueNow: shown(overdue),
    medianDaysToClose: closed.length >= 5 ? median(closed.map((t) => days(t.day, t.closedDay!))) : null,
  };
  return { eightWeek, bedSharing, enquiry, raw };
}

/**
 * The months are a table too (and so are the organisations): the overall count minus the months
 * shown would give a month's suppressed count if it were the only one suppressed. So where exactly
 * one month of a restricted count is suppressed while the overall count is shown, the next smallest
 * month is suppressed too.
 */
function protectAcrossMonths(overall: Record<string, number>, months: { enquiry: EnquiryMeasures; raw: Record<string, number> }[]): void {
  const small = (n: number) => n > 0 && n < 5;
  const keys = new Set(months.flatMap((m) => Object.keys(m.raw)));
  for (const key of keys) {
    if (small(overall[key] ?? 0)) continue; // the total is itself suppressed
    const hidden = months.filter((m) => isSuppressed(m.enquiry, key) || small(m.raw[key] ?? 0));
    if (hidden.length !== 1) continue;
    const next = months.filter((m) => !hidden.includes(m) && (m.raw[key] ?? 0) > 0).sort((a, b) => a.raw[key]! - b.raw[key]!)[0];
    if (next) hideIn(next.enquiry, key);
  }
}

function isSuppressed(enquiry: EnquiryMeasures, key: string): boolean {
  const [field, sub] = key.split('.') as [keyof EnquiryMeasures, string | undefined];
  const value = enquiry[field] as unknown;
  return (sub ? (value as Record<string, Shown>)[sub] : value) === '< 5';
}

function hideIn(enquiry: EnquiryMeasures, key: string): void {
  const [field, sub] = key.split('.') as [keyof EnquiryMeasures, string | undefined];
  if (sub) (enquiry[field] as Record<string, Shown>)[sub] = '< 5';
  else (enquiry as unknown as Record<string, Shown>)[field] = '< 5';
  if (field === 'completed' || field === 'enquiries') enquiry.completedPercent = null;
}

/** An audit over a period: `add` each resource (any order, any versions), then `result`. */
export function createAudit(period: AuditPeriod): { add(resource: fhir4.Resource): void; result(): AuditResult } {
  const latest = new Map<string, Summary>();
  /** PractitionerRole/Encounter reference → organisation reference; Organization reference → name. */
  const organisationOf = new Map<string, string>();
  const names = new Map<string, string>();
  return {
    add(resource) {
      if (resource.resourceType === 'PractitionerRole') {
        const role = resource as fhir4.PractitionerRole;
        if (role.id && role.organization?.reference) organisationOf.set(`PractitionerRole/${role.id}`, role.organization.reference);
        if (role.organization?.reference && role.organization.display) names.set(role.organization.reference, role.organization.display);
        return;
      }
      if (resource.resourceType === 'Encounter') {
        const encounter = resource as fhir4.Encounter;
        if (encounter.id && encounter.serviceProvider?.reference) organisationOf.set(`Encounter/${encounter.id}`, encounter.serviceProvider.reference);
        return;
      }
      if (resource.resourceType === 'Organization') {
        const organisation = resource as fhir4.Organization;
        if (organisation.id && organisation.name) names.set(`Organization/${organisation.id}`, organisation.name);
        return;
      }
      const summary = summarise(resource);
      if (!summary) return;
      const held = latest.get(summary.key);
      if (!held || summary.updated >= held.updated) latest.set(summary.key, summary);
    },
    result() {
      const inPeriod = [...latest.values()].filter((r) => !r.removed && r.day >= period.from && r.day <= period.to);
      const months = [...new Set(inPeriod.map((r) => r.day.slice(0, 7)))].sort();
      const { raw: overallRaw, ...overall } = measure(inPeriod, period.asOf);
      const measured = months.map((m) => measure(inPeriod.filter((r) => r.day.startsWith(m)), period.asOf));
      protectAcrossMonths(overallRaw, measured);
      // Groups, where the records say so: the author's role first, else the encounter.
      const groupOf = (r: Summary) => {
        const organisation = (r.origin.author && organisationOf.get(r.origin.author)) ?? (r.origin.encounter && organisationOf.get(r.origin.encounter));
        return organisation ? (names.get(organisation) ?? organisation) : undefined;
      };
      const labelled = inPeriod.map((r) => [groupOf(r) ?? 'not recorded', r] as const);
      const groups = labelled.some(([g]) => g !== 'not recorded') ? [...new Set(labelled.map(([g]) => g))].sort() : [];
      const grouped = groups.map((g) => measure(labelled.filter(([l]) => l === g).map(([, r]) => r), period.asOf));
      protectAcrossMonths(overallRaw, grouped);
      const strip = (list: ReturnType<typeof measure>[], keys: string[]) => Object.fromEntries(keys.map((k, i) => {
        const { raw: _raw, ...figures } = list[i]!;
        return [k, figures];
      }));
      return { period, overall, byMonth: strip(measured, months), byGroup: strip(grouped, groups) };
    },
  };
}

// ---- the figures as rows: one model for the CLI, the element's tables and every CSV ------------

/** Column names of `auditRows`. */
export const AUDIT_COLUMNS = ['section', 'measure', 'group', 'value', 'numerator', 'denominator'] as const;

/** One row per figure: section, measure, group (overall or a month), value, numerator, denominator. */
export function auditRows(result: AuditResult): string[][] {
  const rows: string[][] = [];
  const groups: [string, AuditResult['overall']][] = [['overall', result.overall], ...Object.entries(result.byMonth), ...Object.entries(result.byGroup ?? {})];
  for (const [group, m] of groups) {
    const walk = (section: string, prefix: string, value: unknown) => {
      if (value && typeof value === 'object' && 'numerator' in value) {
        const r = value as Rate;
        rows.push([section, prefix, group, r.percent === null ? '' : `${r.percent}%`, String(r.numerator), String(r.denominator)]);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(section, prefix ? `${prefix}: ${k}` : k, v);
      } else {
        rows.push([section, prefix, group, value === null ? '' : String(value), '', '']);
      }
    };
    walk(AUDIT_SECTIONS.eightWeek, '', m.eightWeek);
    walk(AUDIT_SECTIONS.bedSharing, '', m.bedSharing);
    walk(AUDIT_SECTIONS.enquiry, '', m.enquiry);
  }
  return rows;
}

export const AUDIT_SECTIONS = {
  eightWeek: '8-week check',
  bedSharing: 'bed-sharing assessment',
  enquiry: 'routine enquiry (restricted, small numbers suppressed)',
} as const;

/** RFC 4180 CSV of a header and rows. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
