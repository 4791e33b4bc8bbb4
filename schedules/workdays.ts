import chineseDays from 'chinese-days';
import { fromLocal, localDateKey, toLocal } from './time.js';

/**
 * Official working days (调休 included) from the maintained `chinese-days` calendar. Years the
 * package does not cover yet fall back to Monday–Friday inside the package.
 */
export function isWorkday(at: Date): boolean {
  return chineseDays.isWorkday(localDateKey(at));
}

/** The same wall-clock time on the first working day at or after `at` (at most 30 days on). */
export function nextWorkday(at: Date): Date {
  const l = toLocal(at);
  for (let i = 0; i < 30; i++) {
    const d = fromLocal(l.year, l.month, l.day + i, l.hour, l.minute);
    if (isWorkday(d)) return d;
  }
  return at;
}
