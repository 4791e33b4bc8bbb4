import type { FollowupConfig } from '../../config/schema.js';
import type { CaseRecord } from '../../../store/store.js';
import { daysInMonth, localDateKey, quarterOf, toLocal } from '../../../schedules/time.js';

/**
 * The contact rule (plan 二（二）4, domain.md §6.2): each open case needs at least one logged
 * contact per window — the calendar month by default, or the calendar quarter for categories the
 * config sets to `quarterly`. A case with several categories follows the most frequent one.
 *
 * A case is *due* in a window when it was registered before the window began and was not closed
 * by its end: registration itself is the first contact, and closing ends the duty.
 */
export type Frequency = 'monthly' | 'quarterly';

export interface Window {
  /** `2026-11` or `2026Q4` */
  key: string;
  /** First and last Shanghai calendar day, `YYYY-MM-DD`. */
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayKey = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

export function frequencyOf(c: Pick<CaseRecord, 'categories'>, cfg: FollowupConfig): Frequency {
  return c.categories.some((k) => (cfg.frequency[k.code] ?? 'monthly') === 'monthly') ? 'monthly' : 'quarterly';
}

export function monthWindow(year: number, month: number): Window {
  return { key: `${year}-${pad(month)}`, start: dayKey(year, month, 1), end: dayKey(year, month, daysInMonth(year, month)) };
}

export function quarterWindow(year: number, quarter: number): Window {
  const last = quarter * 3;
  return { key: `${year}Q${quarter}`, start: dayKey(year, last - 2, 1), end: dayKey(year, last, daysInMonth(year, last)) };
}

/** The window of `freq` holding the Shanghai day of `at`. */
export function windowAt(freq: Frequency, at: Date): Window {
  const l = toLocal(at);
  return freq === 'monthly' ? monthWindow(l.year, l.month) : quarterWindow(l.year, quarterOf(l.month));
}

/** The window just before `w`. */
export function previousWindow(w: Window): Window {
  const [y, m] = w.start.split('-').map(Number) as [number, number];
  if (w.key.includes('Q')) {
    const q = quarterOf(m);
    return q === 1 ? quarterWindow(y - 1, 4) : quarterWindow(y, q - 1);
  }
  return m === 1 ? monthWindow(y - 1, 12) : monthWindow(y, m - 1);
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

/** A window as a whole number (months or quarters since year 0), so gaps are one subtraction. */
function windowIndex(freq: Frequency, day: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return freq === 'monthly' ? y * 12 + m - 1 : y * 4 + Math.floor((m - 1) / 3);
}

/** One scratch Date for the Shanghai calendar: this runs twice per case of a county-wide scan. */
const scratch = new Date(0);
function windowIndexAt(freq: Frequency, at: Date): number {
  scratch.setTime(at.getTime() + 8 * 3600_000);
  const year = scratch.getUTCFullYear();
  const month = scratch.getUTCMonth() + 1;
  return freq === 'monthly' ? year * 12 + month - 1 : year * 4 + Math.floor((month - 1) / 3);
}

/** The current window is the same for every case of a scan: remember the last one asked for. */
const currentCache = { monthly: { t: NaN, w: undefined as Window | undefined }, quarterly: { t: NaN, w: undefined as Window | undefined } };
function currentWindow(freq: Frequency, at: Date): Window {
  const c = currentCache[freq];
  if (c.t !== at.getTime() || !c.w) {
    c.t = at.getTime();
    c.w = windowAt(freq, at);
  }
  return c.w;
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
