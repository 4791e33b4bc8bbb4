import type { Cadence, JobDef } from './job.js';
import { daysInMonth, fromLocal, monthKey, parsePeriod, previousPeriod, quarterKey, nextWorkday } from '../src/domain/calendar/shanghai.js';

export function periodOf(cadence: Cadence, at: Date): string {
  return cadence.every === 'month' ? monthKey(at) : quarterKey(at);
}

function parseTime(time: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!m) throw new RangeError(`无效的时间：${time}（应为 HH:MM）`);
  return [Number(m[1]), Number(m[2])];
}

/** The instant a job falls due in a period (before any working-day shift). */
export function nominalDue(cadence: Cadence, period: string): Date {
  const p = parsePeriod(period);
  const month = cadence.every === 'month' ? p.firstMonth : p.firstMonth + cadence.monthOfQuarter - 1;
  const dim = daysInMonth(p.year, month);
  const day = cadence.day < 0 ? Math.max(1, dim + cadence.day + 1) : Math.min(cadence.day, dim);
  const [h, m] = parseTime(cadence.time);
  return fromLocal(p.year, month, day, h, m);
}

export function dueAt(job: Pick<JobDef, 'cadence' | 'workdaysOnly' | 'calendar'>, period: string): Date {
  const due = nominalDue(job.cadence, period);
  return job.workdaysOnly ? nextWorkday(due, job.calendar) : due;
}

/**
 * The latest period whose due time is at or before `now`: the current period once its day has
 * come, else the previous one. A working-day shift can push a due time into the next period,
 * which is why both are checked.
 */
export function latestDuePeriod(job: Pick<JobDef, 'cadence' | 'workdaysOnly' | 'calendar'>, now: Date): string {
  const current = periodOf(job.cadence, now);
  return dueAt(job, current) <= now ? current : previousPeriod(current);
}

/** The next due time strictly after `now`. */
export function nextDue(job: Pick<JobDef, 'cadence' | 'workdaysOnly' | 'calendar'>, now: Date): Date {
  let period = periodOf(job.cadence, now);
  for (let i = 0; i < 3; i++) {
    const d = dueAt(job, period);
    if (d > now) return d;
    const { year, lastMonth } = parsePeriod(period);
    period = periodOf(job.cadence, fromLocal(year, lastMonth + 1, 1));
  }
  return dueAt(job, period);
}
