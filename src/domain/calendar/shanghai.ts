import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

/**
 * Calendar arithmetic in Asia/Shanghai. China has had no daylight saving time since 1991, so
 * the zone is a fixed UTC+8 and plain offset arithmetic is exact (and fast for year-long
 * simulations); node-cron is still given the zone name for its own ticks. Working days (调休
 * included) are at the end. This is the one place that knows Shanghai time: use it rather than
 * adding eight hours by hand.
 */
export const TIME_ZONE = 'Asia/Shanghai';
/** Shanghai's fixed offset from UTC, in milliseconds and as ISO-8601 writes it. */
export const OFFSET_MS = 8 * 3600_000;
export const OFFSET_ISO = '+08:00';

export interface LocalDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

export function toLocal(at: Date): LocalDate {
  const d = new Date(at.getTime() + OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/** The instant of a Shanghai wall-clock time. Out-of-range days roll over like Date.UTC. */
export function fromLocal(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - OFFSET_MS);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYY-MM-DD` of the Shanghai calendar day. */
export function localDateKey(at: Date): string {
  const l = toLocal(at);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/** `2026-11-20 09:00`, Shanghai time. */
export function shanghaiTime(at: Date): string {
  const l = toLocal(at);
  return `${localDateKey(at)} ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}

export function monthKey(at: Date): string {
  return localDateKey(at).slice(0, 7);
}

export function quarterOf(month: number): number {
  return Math.floor((month - 1) / 3) + 1;
}

export function quarterKey(at: Date): string {
  const l = toLocal(at);
  return `${l.year}Q${quarterOf(l.month)}`;
}

/** Parse `2026-11` or `2026Q4` into the first and last month it covers. */
export function parsePeriod(key: string): { year: number; firstMonth: number; lastMonth: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw new RangeError(`无效的月份：${key}`);
    return { year: Number(m[1]), firstMonth: month, lastMonth: month };
  }
  const q = /^(\d{4})Q([1-4])$/.exec(key);
  if (q) {
    const n = Number(q[2]);
    return { year: Number(q[1]), firstMonth: n * 3 - 2, lastMonth: n * 3 };
  }
  throw new RangeError(`无效的期间：${key}（应为 2026-11 或 2026Q4）`);
}

const QUARTER_WORDS = ['一', '二', '三', '四'] as const;

/**
 * 「2026年12月」「2026年第四季度」: a period key (`2026-12`, `2026Q4`) as messages name it. The keys
 * are for storage and job runs; a cadre reads the period the way the plan writes it.
 */
export function periodWords(key: string): string {
  const p = parsePeriod(key);
  return p.firstMonth === p.lastMonth ? `${p.year}年${p.firstMonth}月` : `${p.year}年第${QUARTER_WORDS[quarterOf(p.firstMonth) - 1]}季度`;
}

/** Start (inclusive) and end (exclusive) instants of a period. */
export function periodRange(key: string): { start: Date; end: Date } {
  const p = parsePeriod(key);
  return { start: fromLocal(p.year, p.firstMonth, 1), end: fromLocal(p.year, p.lastMonth + 1, 1) };
}

export function previousPeriod(key: string): string {
  const p = parsePeriod(key);
  if (p.firstMonth === p.lastMonth) {
    const d = fromLocal(p.year, p.firstMonth - 1, 1);
    return monthKey(d);
  }
  return quarterKey(fromLocal(p.year, p.firstMonth - 3, 1));
}

/** Years the bundled `chinese-days` data covers (the State Council's schedule for that year). */
const LIBRARY_YEARS: ReadonlySet<number> = new Set(Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))));
/** That data's holidays and make-up workdays (调休上班), keyed `YYYY-MM-DD`. */
const LIBRARY_DAYS: { holidays: Record<string, string>; workdays: Record<string, string> } = calendarData;

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
      const wd = toLocal(at).weekday;
      // The library's own rule (a listed make-up workday, else Monday–Friday unless a listed
      // holiday), read from its data: its code builds the same tables again at load (a twentieth of
      // a CLI command) and, parsing dates in the server's zone, shifts them west of UTC.
      if (LIBRARY_YEARS.has(toLocal(at).year)) return key in LIBRARY_DAYS.workdays || (wd !== 0 && wd !== 6 && !(key in LIBRARY_DAYS.holidays));
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
