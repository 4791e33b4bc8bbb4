import chineseDays from 'chinese-days';
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { fromLocal, localDateKey, toLocal } from './time.js';

/** Years the bundled `chinese-days` data covers (the State Council's schedule for that year). */
const LIBRARY_YEARS: ReadonlySet<number> = new Set(Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))));

/** Extra days from the config, for years the library does not cover yet (or to correct it). */
export interface ExtraDays {
  /** Public holidays, `YYYY-MM-DD`. */
  holidays?: readonly string[];
  /** Make-up working days (调休上班) that fall on a weekend, `YYYY-MM-DD`. */
  workdays?: readonly string[];
}

/**
 * Official working days: the `chinese-days` calendar, with the config's own holidays and make-up
 * workdays on top. A year that neither covers is treated as Monday–Friday, and
 * {@link WorkCalendar.uncoveredYears} says so, so the admin can add that year's schedule.
 */
export interface WorkCalendar {
  isWorkday(at: Date): boolean;
  /** Years touched by the `days` after `from` that have no holiday data at all. */
  uncoveredYears(from: Date, days?: number): number[];
}

export function workCalendar(extra: ExtraDays = {}): WorkCalendar {
  const holidays = new Set(extra.holidays ?? []);
  const workdays = new Set(extra.workdays ?? []);
  const covered = new Set(LIBRARY_YEARS);
  for (const d of [...holidays, ...workdays]) covered.add(Number(d.slice(0, 4)));
  return {
    isWorkday(at) {
      const key = localDateKey(at);
      if (workdays.has(key)) return true;
      if (holidays.has(key)) return false;
      if (LIBRARY_YEARS.has(toLocal(at).year)) return chineseDays.isWorkday(key);
      const wd = toLocal(at).weekday;
      return wd !== 0 && wd !== 6;
    },
    uncoveredYears(from, days = 60) {
      const a = toLocal(from).year;
      const b = toLocal(new Date(from.getTime() + days * 86_400_000)).year;
      const out: number[] = [];
      for (let y = a; y <= b; y++) if (!covered.has(y)) out.push(y);
      return out;
    },
  };
}

/** The library's calendar with nothing added. */
export const defaultCalendar: WorkCalendar = workCalendar();

export function isWorkday(at: Date, calendar: WorkCalendar = defaultCalendar): boolean {
  return calendar.isWorkday(at);
}

/** The same wall-clock time on the first working day at or after `at` (at most 30 days on). */
export function nextWorkday(at: Date, calendar: WorkCalendar = defaultCalendar): Date {
  const l = toLocal(at);
  for (let i = 0; i < 30; i++) {
    const d = fromLocal(l.year, l.month, l.day + i, l.hour, l.minute);
    if (calendar.isWorkday(d)) return d;
  }
  return at;
}

/** One line for the log and `job list` when the coming days lack holiday data, else null. */
export function calendarWarning(calendar: WorkCalendar, from: Date, days = 60): string | null {
  const years = calendar.uncoveredYears(from, days);
  if (!years.length) return null;
  return `节假日数据缺少 ${years.join('、')} 年：未来 ${days} 天内的提醒将只避开周末，不会避开法定节假日和调休。请在配置 followup.holidays / followup.makeupWorkdays 中补充国务院公布的放假安排。`;
}
