import type { FollowupConfig } from '../../config/schema.js';
import type { CaseRecord } from '../model/records.js';
import { daysInMonth, localDateKey, quarterOf, OFFSET_MS } from '../calendar/shanghai.js';

/**
 * The contact rule (plan 二（二）4, docs/domain-rules.md §6.2): each open case needs at least one logged
 * contact per window — the period the plan (or, where it says nothing, the config) sets for its
 * category: a week (Monday–Sunday), a half month (1st–15th, 16th–end), a calendar month, quarter
 * or half year. A case with several categories follows the most frequent one.
 *
 * A case is *due* in a window when it was registered before the window began and was not closed
 * by its end: registration itself is the first contact, and closing ends the duty.
 */
export type Frequency = 'weekly' | 'half-monthly' | 'monthly' | 'quarterly' | 'half-yearly';

/** Most frequent first. */
export const FREQUENCIES: readonly Frequency[] = ['weekly', 'half-monthly', 'monthly', 'quarterly', 'half-yearly'];

export interface Window {
  /** `2026-11`, `2026Q4`, `2026-11上`, `2026H2`, or a week's Monday `2026-11-23周` */
  key: string;
  /** First and last Shanghai calendar day, `YYYY-MM-DD`. */
  start: string;
  end: string;
  frequency: Frequency;
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayKey = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

export function frequencyOf(c: Pick<CaseRecord, 'categories'>, cfg: FollowupConfig): Frequency {
  let best = FREQUENCIES.length;
  for (const k of c.categories) best = Math.min(best, FREQUENCIES.indexOf(cfg.frequency[k.code] ?? 'monthly'));
  return FREQUENCIES[best] ?? 'monthly';
}

export function monthWindow(year: number, month: number): Window {
  return { key: `${year}-${pad(month)}`, start: dayKey(year, month, 1), end: dayKey(year, month, daysInMonth(year, month)), frequency: 'monthly' };
}

export function quarterWindow(year: number, quarter: number): Window {
  const last = quarter * 3;
  return { key: `${year}Q${quarter}`, start: dayKey(year, last - 2, 1), end: dayKey(year, last, daysInMonth(year, last)), frequency: 'quarterly' };
}

export function halfMonthWindow(year: number, month: number, second: boolean): Window {
  return second
    ? { key: `${year}-${pad(month)}下`, start: dayKey(year, month, 16), end: dayKey(year, month, daysInMonth(year, month)), frequency: 'half-monthly' }
    : { key: `${year}-${pad(month)}上`, start: dayKey(year, month, 1), end: dayKey(year, month, 15), frequency: 'half-monthly' };
}

export function halfYearWindow(year: number, second: boolean): Window {
  return second
    ? { key: `${year}H2`, start: dayKey(year, 7, 1), end: dayKey(year, 12, 31), frequency: 'half-yearly' }
    : { key: `${year}H1`, start: dayKey(year, 1, 1), end: dayKey(year, 6, 30), frequency: 'half-yearly' };
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` (a Thursday is day 0). */
const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;
const fromDayNumber = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

export function weekWindow(anyDay: string): Window {
  const monday = dayNumber(anyDay) - ((dayNumber(anyDay) + 3) % 7);
  return { key: `${fromDayNumber(monday)}周`, start: fromDayNumber(monday), end: fromDayNumber(monday + 6), frequency: 'weekly' };
}

function windowOfDay(freq: Frequency, day: string): Window {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  switch (freq) {
    case 'weekly':
      return weekWindow(day);
    case 'half-monthly':
      return halfMonthWindow(y, m, Number(day.slice(8, 10)) > 15);
    case 'monthly':
      return monthWindow(y, m);
    case 'quarterly':
      return quarterWindow(y, quarterOf(m));
    case 'half-yearly':
      return halfYearWindow(y, m > 6);
  }
}

/** The window of `freq` holding the Shanghai day of `at`. */
export function windowAt(freq: Frequency, at: Date): Window {
  return windowOfDay(freq, localDateKey(at));
}

/** The window just before `w`. */
export function previousWindow(w: Window): Window {
  return windowOfDay(w.frequency, fromDayNumber(dayNumber(w.start) - 1));
}

export function isDueIn(c: Pick<CaseRecord, 'createdAt' | 'closedAt'>, w: Window): boolean {
  if (localDateKey(c.createdAt) >= w.start) return false;
  return c.closedAt === null || localDateKey(c.closedAt) > w.end;
}

export function contactedIn(dates: readonly string[], w: Window): boolean {
  return dates.some((d) => d >= w.start && d <= w.end);
}

export type DueState =
  /** A contact is logged in the current window. */
  | 'done'
  /** Due in the current window, not contacted yet, and the previous window was kept. */
  | 'pending'
  /** The previous window was due and missed, and nothing is logged since. */
  | 'overdue'
  /** Registered in the current window: nothing due yet. */
  | 'new';

export interface CaseDue {
  frequency: Frequency;
  current: Window;
  state: DueState;
  /** Windows missed in a row, ending with the previous one (0 unless overdue). */
  missedInARow: number;
  lastContact: string | null;
}

/** A window as a whole number (weeks, half months, months, … since year 0), so gaps are one subtraction. */
function windowIndex(freq: Frequency, day: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  switch (freq) {
    case 'weekly':
      return Math.floor((dayNumber(day) + 3) / 7);
    case 'half-monthly':
      return (y * 12 + m - 1) * 2 + (Number(day.slice(8, 10)) > 15 ? 1 : 0);
    case 'monthly':
      return y * 12 + m - 1;
    case 'quarterly':
      return y * 4 + Math.floor((m - 1) / 3);
    case 'half-yearly':
      return y * 2 + (m > 6 ? 1 : 0);
  }
}

/** One scratch Date for the Shanghai calendar: this runs twice per case of a county-wide scan. */
const scratch = new Date(0);
function windowIndexAt(freq: Frequency, at: Date): number {
  scratch.setTime(at.getTime() + OFFSET_MS);
  const year = scratch.getUTCFullYear();
  const month = scratch.getUTCMonth() + 1;
  if (freq === 'monthly') return year * 12 + month - 1;
  if (freq === 'quarterly') return year * 4 + Math.floor((month - 1) / 3);
  return windowIndex(freq, dayKey(year, month, scratch.getUTCDate()));
}

/** The current window is the same for every case of a scan: remember the last one asked for. */
const currentCache = new Map<Frequency, { t: number; w: Window }>();
function currentWindow(freq: Frequency, at: Date): Window {
  const c = currentCache.get(freq);
  if (c && c.t === at.getTime()) return c.w;
  const w = windowAt(freq, at);
  currentCache.set(freq, { t: at.getTime(), w });
  return w;
}

/** Most windows counted as missed in a row: twenty years of months is plenty for any message. */
const MAX_MISSED = 240;

/**
 * Where a case stands at `at`, given its latest contact dated on or before that day (the store
 * answers that with one indexed query). Only the latest contact matters: the window holding it
 * is the last one kept, and every due window after it up to the current one was missed. Due
 * windows run from the one after registration to the one before closing, so the count is
 * arithmetic, not a walk back through the calendar (this runs for every open case in the county).
 */
export function caseDue(c: Pick<CaseRecord, 'categories' | 'createdAt' | 'closedAt'>, lastContact: string | null, cfg: FollowupConfig, at: Date): CaseDue {
  const frequency = frequencyOf(c, cfg);
  const current = currentWindow(frequency, at);
  const cur = windowIndex(frequency, current.start);
  const last = lastContact === null ? -Infinity : windowIndex(frequency, lastContact);
  const due = (state: DueState, missedInARow: number): CaseDue => ({ frequency, current, state, missedInARow, lastContact });
  if (last === cur) return due('done', 0);
  const firstDue = windowIndexAt(frequency, c.createdAt) + 1;
  const lastDue = c.closedAt === null ? Infinity : windowIndexAt(frequency, c.closedAt) - 1;
  const prev = cur - 1;
  const missed = prev > lastDue ? 0 : Math.max(0, Math.min(MAX_MISSED, prev - Math.max(last, firstDue - 1)));
  if (missed > 0) return due('overdue', missed);
  return due(firstDue <= cur && cur <= lastDue ? 'pending' : 'new', 0);
}

/** Groups contact dates by case id. */
export function contactDatesByCase(contacts: ReadonlyArray<{ caseId: number; date: string }>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const c of contacts) {
    const list = out.get(c.caseId);
    if (list) list.push(c.date);
    else out.set(c.caseId, [c.date]);
  }
  return out;
}
