/**
 * Calendar arithmetic in Asia/Shanghai. China has had no daylight saving time since 1991, so
 * the zone is a fixed UTC+8 and plain offset arithmetic is exact (and fast for year-long
 * simulations); node-cron is still given the zone name for its own ticks.
 */
export const TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3600_000;

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
