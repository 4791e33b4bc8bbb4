import type { FollowupConfig } from '../../config/schema.js';
import type { CaseRecord, ContactDay, ScreeningReport } from '../../../store/store.js';

/** What the statistics read of a case: no identity. */
export type StatsCase = Pick<CaseRecord, 'id' | 'categories' | 'createdAt' | 'closedAt' | 'village' | 'riskLevel' | 'closeReason'>;
import { localDateKey, parsePeriod, periodRange } from '../../../schedules/time.js';
import { CATEGORY_CODES, categoryName } from '../intake/case-options.js';
import type { PlanMatrix } from '../plan/types.js';
import { closeReasonLabel } from './close-reasons.js';
import { CONTACT_METHODS } from './contact-message.js';
import { caseDue, contactDatesByCase, frequencyOf, isDueIn, contactedIn, monthWindow, quarterWindow, type Window } from './contact-rule.js';

export interface Count {
  label: string;
  count: number;
}

export interface MonthCoverage {
  /** `2026-10` */
  month: string;
  /** Open cases whose contact window ends in this month and that were due in it. */
  due: number;
  /** Of those, cases with at least one contact logged in their window. */
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

export interface StatsInput {
  quarter: string;
  asOf: Date;
  cases: readonly StatsCase[];
  /** The contacts dated within the quarter (others are not read). */
  contacts: readonly ContactDay[];
  /** Each case's latest contact on or before the quarter's last counted day, for the overdue count. */
  lastContacts: ReadonlyMap<number, string>;
  screenings: (month: string) => readonly ScreeningReport[];
  reportingUnits: readonly string[];
  plan: PlanMatrix;
  cfg: FollowupConfig;
  villages: readonly string[];
}

function counts(labels: readonly string[], values: Iterable<string>): Count[] {
  const m = new Map(labels.map((l) => [l, 0]));
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([label, count]) => ({ label, count }));
}

const openAt = (c: StatsCase, at: Date) => c.createdAt <= at && (c.closedAt === null || c.closedAt > at);

/**
 * The quarter's figures (domain.md §6.3) as of `asOf` (the quarter's end, or now while it runs).
 * 帮扶覆盖率 per month: among open cases whose contact window ends that month (every case with
 * monthly contacts; quarterly ones in the quarter's last month) and that were due in it, the
 * share with a contact dated in the window. The quarter's rate pools the three months.
 */
export function quarterStats(input: StatsInput): QuarterStats {
  const { quarter, asOf, cases, contacts, plan, cfg } = input;
  const { start, end } = periodRange(quarter);
  const p = parsePeriod(quarter);
  const today = localDateKey(asOf);
  const until = asOf < end ? asOf : new Date(end.getTime() - 1);
  const open = cases.filter((c) => openAt(c, until));
  const catLabel = (code: (typeof CATEGORY_CODES)[number]) => categoryName(plan, code);
  const inQuarter = (d: Date) => d >= start && d < end && d <= until;
  const newCases = cases.filter((c) => inQuarter(c.createdAt));
  const closed = cases.filter((c) => c.closedAt !== null && inQuarter(c.closedAt));
  const qStart = localDateKey(start);
  const qEnd = localDateKey(until);
  const qContacts = contacts.filter((c) => c.date >= qStart && c.date <= qEnd);
  const datesByCase = contactDatesByCase(qContacts);

  const coverage: MonthCoverage[] = [];
  for (let month = p.firstMonth; month <= p.lastMonth; month++) {
    const mw = monthWindow(p.year, month);
    if (mw.start > today) break;
    const quarterEnds = month === p.lastMonth;
    let due = 0;
    let covered = 0;
    for (const c of cases) {
      const w: Window | null = frequencyOf(c, cfg) === 'monthly' ? mw : quarterEnds ? quarterWindow(p.year, Math.ceil(month / 3)) : null;
      if (!w || !isDueIn(c, w)) continue;
      if (c.createdAt > until) continue;
      due++;
      if (contactedIn(datesByCase.get(c.id) ?? [], w)) covered++;
    }
    coverage.push({ month: mw.key, due, covered, rate: due ? covered / due : null, complete: mw.end < today });
  }
  const sumDue = coverage.reduce((n, m) => n + m.due, 0);
  const sumCovered = coverage.reduce((n, m) => n + m.covered, 0);

  const screening = [];
  for (let month = p.firstMonth; month <= p.lastMonth; month++) {
    const key = monthWindow(p.year, month).key;
    if (monthWindow(p.year, month).start > today) break;
    const got = new Set(input.screenings(key).map((s) => s.unit));
    screening.push({ month: key, reported: input.reportingUnits.filter((u) => got.has(u)), missing: input.reportingUnits.filter((u) => !got.has(u)) });
  }

  return {
    quarter,
    asOf: until,
    open: open.length,
    byCategory: counts(CATEGORY_CODES.map(catLabel), open.flatMap((c) => c.categories.map((k) => catLabel(k.code)))),
    byVillage: counts(input.villages, open.map((c) => c.village)),
    byRisk: counts(['低', '中', '高'], open.map((c) => c.riskLevel)),
    newCases: newCases.length,
    newByCategory: counts(CATEGORY_CODES.map(catLabel), newCases.flatMap((c) => c.categories.map((k) => catLabel(k.code)))),
    closed: closed.length,
    closedByReason: counts([], closed.map((c) => closeReasonLabel(c.closeReason))),
    contacts: qContacts.length,
    contactsByMethod: counts(CONTACT_METHODS, qContacts.map((c) => c.method)),
    coverage,
    quarterCoverage: { due: sumDue, covered: sumCovered, rate: sumDue ? sumCovered / sumDue : null },
    overdue: open.filter((c) => caseDue(c, input.lastContacts.get(c.id) ?? null, cfg, until).state === 'overdue').length,
    screening,
  };
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}
