/**
 * Whose record is this? The templates for the baby must never file to an adult, and the routine
 * enquiry must never walk up a generation (from the mother to her own mother). The answer comes
 * from the date of birth alone, so it is the same on every server:
 *
 * - `baby`: under 2 years old on the day of the contact (the 8-week check, discharge, the new birth
 *   visit and later safer sleep reviews all fall well inside it);
 * - `adult`: 12 years or older (the person the routine enquiry is asked of);
 * - `child`: in between — neither template applies, so nothing is filed;
 * - `unknown`: no usable date of birth, or one in the future — nothing is filed until it is known.
 */
export type SubjectKind = 'baby' | 'adult' | 'child' | 'unknown';

export const BABY_UNDER_YEARS = 2;
export const ADULT_FROM_YEARS = 12;

/** Whole years from `birthDate` (YYYY, YYYY-MM or YYYY-MM-DD) to `on`, or undefined. */
export function ageInYears(birthDate: string | undefined, on: Date): number | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(birthDate ?? '');
  if (!match) return undefined;
  // A partial date counts from its latest possible day, so a baby is never taken for an older child.
  const year = Number(match[1]);
  const month = match[2] ? Number(match[2]) : 12;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = match[3] ? Number(match[3]) : lastDay;
  if (month < 1 || month > 12 || day < 1 || day > lastDay) return undefined;
  const y = on.getUTCFullYear();
  const m = on.getUTCMonth() + 1;
  const d = on.getUTCDate();
  if (y < year) return undefined;
  if (y === year && (m < month || (m === month && d < day))) {
    // Before the latest possible day: born (age 0) if the earliest possible day has passed.
    const earliestMonth = match[2] ? month : 1;
    const earliestDay = match[3] ? day : 1;
    return m > earliestMonth || (m === earliestMonth && d >= earliestDay) ? 0 : undefined;
  }
  return y - year - (m < month || (m === month && d < day) ? 1 : 0);
}

export function subjectKind(patient: { birthDate?: string } | undefined, on: Date): SubjectKind {
  const age = ageInYears(patient?.birthDate, on);
  if (age === undefined) return 'unknown';
  if (age < BABY_UNDER_YEARS) return 'baby';
  if (age >= ADULT_FROM_YEARS) return 'adult';
  return 'child';
}
