/**
 * The audit's measures on hand-built record sets: each measure's numerator and denominator, empty
 * periods, amended records counted once (their latest version), records entered in error left out,
 * and small-number suppression that cannot be undone from the totals.
 */
import { describe, expect, test } from 'vitest';
import { createAudit, suppress, type QuestionnaireResponse } from '../../src/engine/index.js';
import { SCENARIOS } from '../fixtures/scenarios.js';
import { completeScenario } from '../support/scenarios.js';

const PERIOD = { from: '2026-01-01', to: '2026-12-31', asOf: '2026-11-23' };
let n = 0;
/** A scenario's response, authored on `day`, as a distinct record (or a version of `key`). */
function record(name: string, day: string, options: { key?: string; status?: QuestionnaireResponse['status']; updated?: string; change?: (r: QuestionnaireResponse) => QuestionnaireResponse } = {}): QuestionnaireResponse {
  const { response } = completeScenario(SCENARIOS.find((s) => s.name === name)!);
  const r: QuestionnaireResponse = {
    ...response, authored: `${day}T10:00:00Z`, status: options.status ?? 'completed',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${options.key ?? `r-${++n}`}` },
    meta: { lastUpdated: options.updated ?? `${day}T10:00:00Z` },
  };
  return options.change ? options.change(r) : r;
}
const task = (day: string, status: fhir4.Task['status'], due: string, closed?: string): fhir4.Task => ({
  resourceType: 'Task', status, intent: 'order', identifier: [{ value: `t-${++n}` }], authoredOn: `${day}T10:00:00Z`,
  code: { coding: [{ system: 'https://kbs-record-templates.example.org/fhir/CodeSystem/kbs-concepts', code: 'routine-enquiry-follow-up' }] },
  restriction: { period: { end: due } }, ...(closed ? { lastModified: `${closed}T09:00:00Z` } : {}),
});
const run = (resources: fhir4.Resource[], period = PERIOD) => {
  const audit = createAudit(period);
  for (const r of resources) audit.add(r);
  return audit.result();
};

describe('8-week check', () => {
  test('checks, all three messages, each message, who saw the video, leaflet', () => {
    const result = run([record('all-messages-given', '2026-03-01'), record('all-messages-given', '2026-03-02'), record('crying-advice-not-given', '2026-04-01')]);
    const m = result.overall.eightWeek;
    expect(m.checks).toBe(3);
    expect(m.allThreeMessages).toEqual({ numerator: 2, denominator: 3, percent: 66.7 });
    expect(m.eachMessage['kbs/crying/advice-shaking-babies']).toEqual({ numerator: 2, denominator: 3, percent: 66.7 });
    expect(m.eachMessage['kbs/advice-child-safety']).toEqual({ numerator: 3, denominator: 3, percent: 100 });
    expect(Object.values(m.videoSeenBy).reduce((a, b) => a + b, 0)).toBe(3);
    expect(Object.keys(result.byMonth)).toEqual(['2026-03', '2026-04']);
    expect(result.byMonth['2026-03']!.eightWeek.checks).toBe(2);
  });

  test('an empty period: zero counts and no percentages (never a division by zero)', () => {
    const m = run([record('all-messages-given', '2025-03-01')]).overall.eightWeek;
    expect(m.checks).toBe(0);
    expect(m.allThreeMessages).toEqual({ numerator: 0, denominator: 0, percent: null });
  });

  test('an amended record counts once, as its latest version; entered in error is left out', () => {
    const first = record('crying-advice-not-given', '2026-05-01', { key: 'same' });
    const amended = record('all-messages-given', '2026-05-01', { key: 'same', status: 'amended', updated: '2026-05-02T10:00:00Z' });
    const removed = record('all-messages-given', '2026-05-03', { key: 'gone', status: 'entered-in-error' });
    // Any order: the latest version wins.
    for (const order of [[first, amended, removed], [amended, removed, first]]) {
      const m = run(order).overall.eightWeek;
      expect(m.checks).toBe(1);
      expect(m.allThreeMessages.numerator).toBe(1);
    }
  });

  test('drafts (in progress) are not counted', () => {
    expect(run([record('all-messages-given', '2026-03-01', { status: 'in-progress' })]).overall.eightWeek.checks).toBe(0);
  });
});

describe('bed-sharing assessment', () => {
  test('advised not to bed-share, each risk, sleep place seen, sofa or chair', () => {
    const sofa = (r: QuestionnaireResponse) => JSON.parse(JSON.stringify(r).replace(/"code":"sleep-place-[a-z-]+"/, '"code":"sleep-place-sofa-or-chair"')) as QuestionnaireResponse;
    const m = run([record('smoking-yes', '2026-06-01'), record('all-no', '2026-06-02'), record('all-no', '2026-06-03', { change: sofa })]).overall.bedSharing;
    expect(m.assessments).toBe(3);
    expect(m.advisedNotToBedShare).toEqual({ numerator: 1, denominator: 3, percent: 33.3 });
    expect(m.riskAnsweredYes.smoking.numerator).toBe(1);
    expect(m.riskAnsweredYes.alcohol.numerator).toBe(0);
    expect(m.sofaOrChair.numerator).toBe(1);
    expect(Object.values(m.byContact).reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('routine enquiry (restricted: aggregates, small numbers suppressed)', () => {
  test('fewer than 5 is shown as "< 5", and no percentage is given that would reveal it', () => {
    const m = run([record('completed-no-disclosure', '2026-07-01'), record('not-asked-partner-present', '2026-07-02')]).overall.enquiry;
    expect(m.enquiries).toBe('< 5');
    expect(m.completed).toBe('< 5');
    expect(m.completedPercent).toBeNull();
  });

  test('enough records: counts, stages, completion, reasons; follow-ups closed by due date, overdue, median days to close', () => {
    const records = [
      ...Array.from({ length: 6 }, (_, i) => record('completed-no-disclosure', `2026-08-0${i + 1}`)),
      ...Array.from({ length: 5 }, (_, i) => record('not-asked-partner-present', `2026-08-1${i}`)),
      task('2026-08-01', 'completed', '2026-08-10', '2026-08-05'), task('2026-08-01', 'completed', '2026-08-10', '2026-08-07'),
      task('2026-08-01', 'completed', '2026-08-10', '2026-08-09'), task('2026-08-01', 'completed', '2026-08-10', '2026-08-20'),
      task('2026-08-01', 'completed', '2026-08-10', '2026-08-21'), task('2026-08-02', 'requested', '2026-09-01'),
      task('2026-08-02', 'requested', '2026-12-31'), task('2026-08-02', 'entered-in-error', '2026-09-01'),
    ];
    const m = run(records).overall.enquiry;
    expect(m.enquiries).toBe(11);
    expect(m.completed).toBe(6);
    expect(m.completedPercent).toBe(54.5);
    expect(m.notCompletedReasons).toEqual({ 'not-asked-partner-present': 5 });
    expect(m.followUpsOpened).toBe(7);
    expect(m.followUpsClosedByDueDate).toBe('< 5');
    expect(m.followUpsOverdueNow).toBe('< 5');
    expect(m.medianDaysToClose).toBe(8);
  });
});

describe('suppress', () => {
  test.each<[Record<string, number>, Record<string, number | '< 5'>]>([
    [{ a: 10, b: 12 }, { a: 10, b: 12 }],
    [{ a: 3, b: 12, c: 20 }, { a: '< 5', b: '< 5', c: 20 }],
    [{ a: 3, b: 4, c: 20 }, { a: '< 5', b: '< 5', c: 20 }],
    [{ a: 0, b: 7 }, { a: 0, b: 7 }],
    [{ a: 2 }, { a: '< 5' }],
    [{}, {}],
  ])('%j → %j', (cells, expected) => {
    expect(suppress(cells)).toEqual(expected);
  });

  test('nor from the overall count and the other months: a second month is suppressed with a lone small one', () => {
    const month = (m: string, count: number) => Array.from({ length: count }, (_, i) => record('completed-no-disclosure', `2026-${m}-${String(i + 1).padStart(2, '0')}`));
    const result = run([...month('03', 2), ...month('04', 10), ...month('05', 7)]);
    expect(result.overall.enquiry.enquiries).toBe(19);
    const shownByMonth = Object.fromEntries(Object.entries(result.byMonth).map(([m, f]) => [m, f.enquiry.enquiries]));
    expect(shownByMonth).toEqual({ '2026-03': '< 5', '2026-04': 10, '2026-05': '< 5' });
    expect(result.byMonth['2026-05']!.enquiry.completedPercent).toBeNull();
    // Two small months already protect each other: nothing more is hidden.
    const two = run([...month('03', 2), ...month('04', 3), ...month('05', 7)]);
    expect(Object.values(two.byMonth).map((f) => f.enquiry.enquiries)).toEqual(['< 5', '< 5', 7]);
  });

  test('no suppressed cell can be worked out from the total and the others', () => {
    for (const cells of [{ a: 3, b: 12, c: 20 }, { a: 1, b: 5, c: 9, d: 30 }, { a: 4, b: 4, c: 40 }] as Record<string, number>[]) {
      const shownCells = suppress(cells);
      const hidden = Object.keys(cells).filter((k) => shownCells[k] === '< 5');
      // With the total known, at least two cells are hidden whenever any is.
      expect(hidden.length === 0 || hidden.length >= 2).toBe(true);
    }
  });
});

describe('by organisation or team', () => {
  const role = (id: string, org: string): fhir4.PractitionerRole => ({ resourceType: 'PractitionerRole', id, organization: { reference: `Organization/${org}` } });
  const org = (id: string, name: string): fhir4.Organization => ({ resourceType: 'Organization', id, name });
  const by = (name: string, day: string, author?: string, encounter?: string) => record(name, day, {
    change: (r) => ({ ...r, ...(author ? { author: { reference: author } } : {}), ...(encounter ? { encounter: { reference: encounter } } : {}) }),
  });
  const teams = [org('n', 'North'), org('s', 'South'), role('rn', 'n'), role('rs', 's'), { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, serviceProvider: { reference: 'Organization/s' } } as fhir4.Encounter];

  test("the author's role names the organisation, else the encounter; records that say neither are 'not recorded'", () => {
    const result = run([
      ...teams,
      by('all-messages-given', '2026-03-01', 'PractitionerRole/rn'), by('all-messages-given', '2026-03-02', 'PractitionerRole/rn'),
      by('crying-advice-not-given', '2026-03-03', 'Practitioner/someone', 'Encounter/e1'), by('all-messages-given', '2026-03-04'),
    ]);
    expect(Object.keys(result.byGroup)).toEqual(['North', 'South', 'not recorded']);
    expect(result.byGroup.North!.eightWeek.checks).toBe(2);
    expect(result.byGroup.South!.eightWeek.allThreeMessages).toEqual({ numerator: 0, denominator: 1, percent: 0 });
    expect(result.byGroup['not recorded']!.eightWeek.checks).toBe(1);
  });

  test('no record names an organisation: no groups, everything overall', () => {
    expect(run([...teams, by('all-messages-given', '2026-03-01')]).byGroup).toEqual({});
  });

  test('a lone small group is joined by the next smallest, so the overall count cannot give it away', () => {
    const enquiries = (author: string, count: number) => Array.from({ length: count }, (_, i) => by('completed-no-disclosure', `2026-05-${String(i + 1).padStart(2, '0')}`, author));
    const result = run([...teams, ...enquiries('PractitionerRole/rn', 3), ...enquiries('PractitionerRole/rs', 12), ...enquiries('Practitioner/unknown', 9)]);
    expect(result.overall.enquiry.enquiries).toBe(24);
    expect(Object.fromEntries(Object.entries(result.byGroup).map(([g, f]) => [g, f.enquiry.enquiries]))).toEqual({ North: '< 5', South: 12, 'not recorded': '< 5' });
  });
});

