import type { FollowupConfig } from '../../config/schema.js';
import { monthKey, parsePeriod, periodWords, previousPeriod, quarterKey } from '../calendar/shanghai.js';

/**
 * Which period a screening dispatch, its 催报 and a unit's 「排查上报」 are about. Most plans ask
 * for the period the dispatch goes out in (每月25日前报本月); a plan that says 「每月5日前将上月
 * 排查情况报…」 asks in one month about the month before, so the report a unit sends in December
 * is November's.
 */

type Screening = Pick<FollowupConfig['screening'], 'every' | 'about'>;

/** The period a dispatch run for `jobPeriod` (`2026-12`, `2026Q4`) asks about. */
export function screeningAbout(s: Screening, jobPeriod: string): string {
  return s.about === 'previous' ? previousPeriod(jobPeriod) : jobPeriod;
}

/**
 * The month key a report sent at `at` is stored under. Reports are kept by month; a quarterly
 * dispatch counts any month of its quarter, so a report about the last quarter goes under that
 * quarter's last month.
 */
export function screeningReportMonth(s: Screening, at: Date): string {
  if (s.about !== 'previous') return monthKey(at);
  const about = previousPeriod(s.every === 'month' ? monthKey(at) : quarterKey(at));
  const p = parsePeriod(about);
  return `${p.year}-${String(p.lastMonth).padStart(2, '0')}`;
}

/**
 * 「2026年12月」「2026年第四季度」: the period a report sent at `at` is about, as the dispatch that
 * asked for it names it (a quarterly report is stored under a month, but is the quarter's).
 */
export function screeningReportWords(s: Screening, at: Date): string {
  return periodWords(screeningAbout(s, s.every === 'month' ? monthKey(at) : quarterKey(at)));
}

/** 本月 / 本季度 / 上月 / 上季度: how the messages name the period asked about. */
export function screeningWord(s: Screening): string {
  const unit = s.every === 'month' ? '月' : '季度';
  return `${s.about === 'previous' ? '上' : '本'}${unit}`;
}
