import { localDateKey, toLocal, fromLocal, daysInMonth } from '../calendar/shanghai.js';
import { normalizeInput } from '../parse-zh/normalize.js';
import { parseChineseNumber, CHINESE_NUMERAL_CHARS } from '../parse-zh/numerals.js';

export type ContactDateResult =
  | { ok: true; date: string }
  | { ok: false; reason: 'invalid' | 'future' };

const NUM = `(?:\\d+|[${CHINESE_NUMERAL_CHARS}]+)`;
/** Date words inside a contact message, most specific first. */
export const CONTACT_DATE_PATTERN = new RegExp(
  [
    '\\d{4}[-./年]\\d{1,2}[-./月]\\d{1,2}[日号]?',
    `${NUM}月${NUM}[日号]`,
    `${NUM}[日号]`,
    `${NUM}天前`,
    '大前天|前天|昨天|昨日|今天|今日',
  ].join('|'),
);

const num = (s: string): number => (/^\d+$/.test(s) ? Number(s) : (parseChineseNumber(s) ?? NaN));

/**
 * A contact's day in the Shanghai calendar: 今天, 昨天, 前天, 3天前, 11月3日, 3号, 2026-11-03.
 * Month-day and day-only dates are read in the current year and month; a date after today is
 * refused rather than moved back a year, since it is more likely a typo than last year's visit.
 */
export function parseContactDate(text: string, now: Date): ContactDateResult {
  const s = normalizeInput(text).replace(/\s+/g, '');
  const today = toLocal(now);
  let y = today.year;
  let mo = today.month;
  let d: number;
  let m: RegExpExecArray | null;
  const back = (days: number): ContactDateResult => ({ ok: true, date: localDateKey(fromLocal(today.year, today.month, today.day - days, 12)) });
  if (/^(今天|今日)$/.test(s)) return back(0);
  if (/^(昨天|昨日)$/.test(s)) return back(1);
  if (s === '前天') return back(2);
  if (s === '大前天') return back(3);
  if ((m = new RegExp(`^(${NUM})天前$`).exec(s))) {
    const n = num(m[1]!);
    return Number.isInteger(n) && n >= 0 && n <= 366 ? back(n) : { ok: false, reason: 'invalid' };
  }
  if ((m = /^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})[日号]?$/.exec(s))) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
  } else if ((m = new RegExp(`^(${NUM})月(${NUM})[日号]$`).exec(s))) {
    mo = num(m[1]!);
    d = num(m[2]!);
  } else if ((m = new RegExp(`^(${NUM})[日号]$`).exec(s))) {
    d = num(m[1]!);
  } else {
    return { ok: false, reason: 'invalid' };
  }
  if (!Number.isInteger(mo) || mo < 1 || mo > 12 || !Number.isInteger(d) || d < 1 || d > daysInMonth(y, mo)) return { ok: false, reason: 'invalid' };
  const key = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return key > localDateKey(now) ? { ok: false, reason: 'future' } : { ok: true, date: key };
}
