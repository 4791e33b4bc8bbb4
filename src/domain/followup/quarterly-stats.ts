import type { FollowupConfig } from '../../config/schema.js';
import type { CaseRecord, ContactDay, ScreeningReport } from '../model/records.js';
import type { KeyCount, QuarterQuery, StatsRepo, StatsWindow } from '../ports/store.js';
import { fromLocal, localDateKey, parsePeriod, periodRange } from '../calendar/shanghai.js';
import { CATEGORY_CODES, categoryName, riskText } from '../intake/case-options.js';
import type { PlanMatrix } from '../plan/types.js';
import { closeReasonLabel } from './close-reasons.js';
import { CONTACT_METHODS } from './contact-message.js';
import { FREQUENCIES, type Frequency, caseDue, contactDatesByCase, frequencyOf, isDueIn, contactedIn, halfMonthWindow, halfYearWindow, monthWindow, previousWindow, quarterWindow, weekWindow, windowAt, type Window } from './contact-rule.js';

/** What the statistics read of a case: no identity. */
export type StatsCase = Pick<CaseRecord, 'id' | 'categories' | 'createdAt' | 'closedAt' | 'village' | 'riskLevel' | 'closeReason'>;

export interface Count {
  label: string;
  count: number;
}

export interface MonthCoverage {
  /** `2026-10` */
  month: string;
  /**
   * Contact windows ending in this month, one per case and window of its own frequency, that the
   * case was due in: four or five for a weekly case, two for a half-monthly one, one for a monthly
   * one, one in the quarter's last month for a quarterly one, one in June or December for a half-yearly one.
   */
  due: number;
  /** Of those, the windows with at least one contact logged in them. */
  covered: number;
  /** covered ÷ due, or null when nothing was due. */
  rate: number | null;
  /** False while the month is still running at `asOf`: the figures are so far. */
  complete: boolean;
}

export interface QuarterStats {
  quarter: string;
  asOf: Date;
  /** Cases open at `asOf`, each child once. */
  open: number;
  /** A child in two categories counts in each; the de-duplicated total is `open`. */
  byCategory: Count[];
  byVillage: Count[];
  /** The current risk level of the open cases (levels are not kept per month). */
  byRisk: Count[];
  newCases: number;
  newByCategory: Count[];
  closed: number;
  closedByReason: Count[];
  contacts: number;
  contactsByMethod: Count[];
  coverage: MonthCoverage[];
  /** Σcovered ÷ Σdue over the quarter's months: each case-window counts once. */
  quarterCoverage: { due: number; covered: number; rate: number | null };
  /** Open cases overdue at `asOf`. */
  overdue: number;
  screening: Array<{ month: string; reported: string[]; missing: string[] }>;
}

/** What the report needs besides the counts. */
export interface StatsContext {
  quarter: string;
  asOf: Date;
  screenings: (month: string) => Promise<readonly ScreeningReport[]>;
  reportingUnits: readonly string[];
  plan: PlanMatrix;
  cfg: FollowupConfig;
  villages: readonly string[];
}

/** Every case and the quarter's contacts as lists: the in-memory computation {@link quarterStats} works on. */
export interface StatsInput extends StatsContext {
  cases: readonly StatsCase[];
  /**
   * The contacts dated from the first day of the earliest window counted (a half year or a week
   * may begin before the quarter; see {@link quarterQuery}) to the quarter's last counted day.
   */
  contacts: readonly ContactDay[];
  /** Each case's latest contact on or before the quarter's last counted day, for the overdue count. */
  lastContacts: ReadonlyMap<number, string>;
}

function counts(labels: readonly string[], values: Iterable<string>): Count[] {
  const m = new Map(labels.map((l) => [l, 0]));
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([label, count]) => ({ label, count }));
}

const openAt = (c: StatsCase, at: Date) => c.createdAt <= at && (c.closedAt === null || c.closedAt > at);

/**
 * The quarter's figures (docs/domain-rules.md §6.3) as of `asOf` (the quarter's end, or now while it runs).
 * 帮扶覆盖率 per month: among the contact windows ending that month — each case's windows under its
 * own frequency (see {@link MonthCoverage}) — that the case was due in, the share with a contact
 * dated in the window. The quarter's rate pools the three months.
 *
 * This is the definition, computed over lists in memory. The bot counts in the database
 * instead ({@link quarterStatsFrom}): at county size the lists are 100,000 cases and hundreds of
 * thousands of contacts. A property test holds the two to the same figures.
 */
export async function quarterStats(input: StatsInput): Promise<QuarterStats> {
  const { quarter, asOf, cases, contacts, plan, cfg } = input;
  const { start, end } = periodRange(quarter);
  const today = localDateKey(asOf);
  const until = asOf < end ? asOf : new Date(end.getTime() - 1);
  const { query, months } = quarterQuery(quarter, asOf, cfg);
  const open = cases.filter((c) => openAt(c, until));
  const catLabel = (code: (typeof CATEGORY_CODES)[number]) => categoryName(plan, code);
  const inQuarter = (d: Date) => d >= start && d < end && d <= until;
  const newCases = cases.filter((c) => inQuarter(c.createdAt));
  const closed = cases.filter((c) => c.closedAt !== null && inQuarter(c.closedAt));
  const qStart = localDateKey(start);
  const qEnd = localDateKey(until);
  const qContacts = contacts.filter((c) => c.date >= qStart && c.date <= qEnd);
  const datesByCase = contactDatesByCase(contacts.filter((c) => c.date >= query.contactsFrom && c.date <= qEnd));
  const freqOf = new Map(cases.map((c) => [c.id, frequencyOf(c, cfg)]));

  const coverage: MonthCoverage[] = [];
  for (const m of months) {
    let due = 0;
    let covered = 0;
    for (const w of m.contactWindows) {
      for (const c of cases) {
        if (freqOf.get(c.id) !== w.frequency || !isDueIn(c, w) || c.createdAt > until) continue;
        due++;
        if (contactedIn(datesByCase.get(c.id) ?? [], w)) covered++;
      }
    }
    coverage.push({ month: m.window.key, due, covered, rate: due ? covered / due : null, complete: m.window.end < today });
  }

  return {
    quarter,
    asOf: until,
    open: open.length,
    byCategory: counts(CATEGORY_CODES.map(catLabel), open.flatMap((c) => c.categories.map((k) => catLabel(k.code)))),
    byVillage: counts(input.villages, open.map((c) => c.village)),
    byRisk: counts(['低', '中', '高'], open.map((c) => riskText(c.riskLevel))),
    newCases: newCases.length,
    newByCategory: counts(CATEGORY_CODES.map(catLabel), newCases.flatMap((c) => c.categories.map((k) => catLabel(k.code)))),
    closed: closed.length,
    closedByReason: counts([], closed.map((c) => closeReasonLabel(c.closeReason))),
    contacts: qContacts.length,
    contactsByMethod: counts(CONTACT_METHODS, qContacts.map((c) => c.method)),
    coverage,
    quarterCoverage: totalCoverage(coverage),
    overdue: open.filter((c) => caseDue(c, input.lastContacts.get(c.id) ?? null, cfg, until).state === 'overdue').length,
    // The months begun so far: exactly those the coverage loop above counted.
    screening: await screeningStatus(input, coverage.map((m) => m.month)),
  };
}

/**
 * The contact windows of a frequency that end in the given month: the weeks (Monday–Sunday)
 * whose Sunday falls in it, its two halves, the month itself, the quarter in its last month, the
 * half year in June and December.
 */
export function windowsEndingIn(freq: Frequency, year: number, month: number): Window[] {
  const mw = monthWindow(year, month);
  switch (freq) {
    case 'weekly': {
      const out: Window[] = [];
      for (let w = weekWindow(mw.end); w.end >= mw.start; w = previousWindow(w)) if (w.end <= mw.end) out.unshift(w);
      return out;
    }
    case 'half-monthly':
      return [halfMonthWindow(year, month, false), halfMonthWindow(year, month, true)];
    case 'monthly':
      return [mw];
    case 'quarterly':
      return month % 3 === 0 ? [quarterWindow(year, month / 3)] : [];
    case 'half-yearly':
      return month === 6 || month === 12 ? [halfYearWindow(year, month === 12)] : [];
  }
}

/** The local midnight that starts the day after `day` (YYYY-MM-DD). */
const dayAfter = (day: string) => fromLocal(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)) + 1);
const dayStart = (day: string) => fromLocal(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
const minDay = (a: string, b: string) => (a < b ? a : b);

/** A month of the report so far, and which of the query's windows count in it. */
export interface QueryMonth {
  window: Window;
  windows: number[];
  /** The same windows as calendar days, in the same order. */
  contactWindows: Window[];
}

/**
 * The same definitions as {@link quarterStats}, put as questions the store answers with counts:
 * the coverage windows of each month so far, of every frequency (a window that has not begun
 * by `asOf` is left out) and, for the overdue count, each frequency's window before the one holding `until`.
 */
export function quarterQuery(quarter: string, asOf: Date, cfg: FollowupConfig): { query: QuarterQuery; months: QueryMonth[] } {
  const { start, end } = periodRange(quarter);
  const p = parsePeriod(quarter);
  const today = localDateKey(asOf);
  const until = asOf < end ? asOf : new Date(end.getTime() - 1);
  const toDay = localDateKey(until);
  const window = (frequency: StatsWindow['frequency'], w: Window): StatsWindow => ({
    frequency,
    startsAt: dayStart(w.start),
    endsAt: dayAfter(w.end),
    from: w.start,
    to: minDay(w.end, toDay),
  });
  // Only the frequencies some case can have: a category's own, or monthly for one the config leaves unset.
  const used = FREQUENCIES.filter((f) => CATEGORY_CODES.some((code) => (cfg.frequency[code] ?? 'monthly') === f));
  const windows: StatsWindow[] = [];
  const months: QueryMonth[] = [];
  let contactsFrom = localDateKey(start);
  for (let month = p.firstMonth; month <= p.lastMonth; month++) {
    const mw = monthWindow(p.year, month);
    if (mw.start > today) break;
    const at: number[] = [];
    const contactWindows: Window[] = [];
    for (const f of used) {
      for (const w of windowsEndingIn(f, p.year, month)) {
        if (w.start > today) continue;
        at.push(windows.push(window(f, w)) - 1);
        contactWindows.push(w);
        if (w.start < contactsFrom) contactsFrom = w.start;
      }
    }
    months.push({ window: mw, windows: at, contactWindows });
  }
  const before = (freq: Frequency) => {
    const prev = previousWindow(windowAt(freq, until));
    return { since: prev.start, createdBefore: dayStart(prev.start) };
  };
  const categoryFrequency = Object.fromEntries(CATEGORY_CODES.map((code) => [code, cfg.frequency[code] ?? 'monthly'])) as Record<(typeof CATEGORY_CODES)[number], Frequency>;
  const overdue = Object.fromEntries(FREQUENCIES.map((f) => [f, before(f)])) as QuarterQuery['overdue'];
  return {
    query: { start, until, fromDay: localDateKey(start), toDay, contactsFrom, categoryFrequency, windows, overdue },
    months,
  };
}

/** The quarter's figures counted by the store (see {@link quarterStats} for what they mean). */
export async function quarterStatsFrom(stats: StatsRepo, ctx: StatsContext): Promise<QuarterStats> {
  const { quarter, asOf, plan } = ctx;
  const { query, months } = quarterQuery(quarter, asOf, ctx.cfg);
  const a = await stats.quarter(query);
  const catLabel = (code: (typeof CATEGORY_CODES)[number]) => categoryName(plan, code);
  const tally = <K>(labels: readonly string[], rows: readonly KeyCount<K>[], label: (k: K) => string): Count[] => {
    const m = new Map(labels.map((l) => [l, 0]));
    for (const r of rows) m.set(label(r.key), (m.get(label(r.key)) ?? 0) + r.count);
    return [...m].map(([l, count]) => ({ label: l, count }));
  };
  const today = localDateKey(asOf);
  const coverage: MonthCoverage[] = months.map((m) => {
    const due = m.windows.reduce((n, i) => n + a.windows[i]!.due, 0);
    const covered = m.windows.reduce((n, i) => n + a.windows[i]!.covered, 0);
    return { month: m.window.key, due, covered, rate: due ? covered / due : null, complete: m.window.end < today };
  });
  return {
    quarter,
    asOf: query.until,
    open: a.open,
    byCategory: tally(CATEGORY_CODES.map(catLabel), a.openByCategory, catLabel),
    byVillage: tally(ctx.villages, a.openByVillage, (v) => v),
    byRisk: tally(['低', '中', '高'], a.openByRisk, riskText),
    newCases: a.newCases,
    newByCategory: tally(CATEGORY_CODES.map(catLabel), a.newByCategory, catLabel),
    closed: a.closed,
    closedByReason: tally([], a.closedByReason, closeReasonLabel),
    contacts: a.contacts,
    contactsByMethod: tally(CONTACT_METHODS, a.contactsByMethod, (v) => v),
    coverage,
    quarterCoverage: totalCoverage(coverage),
    overdue: a.overdue,
    screening: await screeningStatus(ctx, months.map((m) => m.window.key)),
  };
}

/** Σcovered ÷ Σdue over the months: each case-window counts once. */
function totalCoverage(coverage: readonly MonthCoverage[]): QuarterStats['quarterCoverage'] {
  const due = coverage.reduce((n, m) => n + m.due, 0);
  const covered = coverage.reduce((n, m) => n + m.covered, 0);
  return { due, covered, rate: due ? covered / due : null };
}

async function screeningStatus(ctx: StatsContext, months: readonly string[]): Promise<QuarterStats['screening']> {
  const out: QuarterStats['screening'] = [];
  for (const key of months) {
    const got = new Set((await ctx.screenings(key)).map((s) => s.unit));
    out.push({ month: key, reported: ctx.reportingUnits.filter((u) => got.has(u)), missing: ctx.reportingUnits.filter((u) => !got.has(u)) });
  }
  return out;
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}
