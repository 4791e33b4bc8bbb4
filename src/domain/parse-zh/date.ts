import { CHINESE_NUMERAL_CHARS, parseChineseNumber } from './numerals.js';
import { normalizeInput } from './normalize.js';
import { daysInMonth, toLocal } from '../calendar/shanghai.js';

/**
 * A date as precise as the person gave it: 2013年5月 stays a month, not 2013-05-01, so that
 * later checks (an ID number's birth date, an age limit) compare at the right precision.
 */
export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
}

export type DatePrecision = 'year' | 'month' | 'day';

export function precisionOf(d: PartialDate): DatePrecision {
  return d.day !== undefined ? 'day' : d.month !== undefined ? 'month' : 'year';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO-style text at the date's own precision: 2013, 2013-05, 2013-05-06. */
export function formatIsoPartial(d: PartialDate): string {
  let out = String(d.year).padStart(4, '0');
  if (d.month !== undefined) out += `-${pad(d.month)}`;
  if (d.month !== undefined && d.day !== undefined) out += `-${pad(d.day)}`;
  return out;
}

/** The reverse of {@link formatIsoPartial}; undefined for anything else. */
export function parseIsoPartial(s: string): PartialDate | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
  if (!m) return undefined;
  const d: PartialDate = { year: Number(m[1]) };
  if (m[2]) d.month = Number(m[2]);
  if (m[3]) d.day = Number(m[3]);
  return isRealDate(d) ? d : undefined;
}

/** 2013年5月6日, 2013年5月, 2013年. */
export function formatChineseDate(d: PartialDate): string {
  return `${d.year}年${d.month !== undefined ? `${d.month}月` : ''}${d.month !== undefined && d.day !== undefined ? `${d.day}日` : ''}`;
}

export function isRealDate(d: PartialDate): boolean {
  if (!Number.isInteger(d.year) || d.year < 1 || d.year > 9999) return false;
  if (d.month === undefined) return d.day === undefined;
  if (!Number.isInteger(d.month) || d.month < 1 || d.month > 12) return false;
  if (d.day === undefined) return true;
  return Number.isInteger(d.day) && d.day >= 1 && d.day <= daysInMonth(d.year, d.month);
}

/** Calendar date in China (UTC+8, no DST) for an instant: what a cadre means by "today". */
export function chinaDate(at: Date): { year: number; month: number; day: number } {
  const { year, month, day } = toLocal(at);
  return { year, month, day };
}

/** Earliest and latest full dates a partial date may stand for. */
export function dateRange(d: PartialDate): { first: Required<PartialDate>; last: Required<PartialDate> } {
  const m1 = d.month ?? 1;
  const m2 = d.month ?? 12;
  return {
    first: { year: d.year, month: m1, day: d.day ?? 1 },
    last: { year: d.year, month: m2, day: d.day ?? daysInMonth(d.year, m2) },
  };
}

const key = (d: Required<PartialDate>) => d.year * 10000 + d.month * 100 + d.day;

/** True when `a` could be the same day as `b` (each at its own precision). */
export function datesCompatible(a: PartialDate, b: PartialDate): boolean {
  const ra = dateRange(a);
  const rb = dateRange(b);
  return key(ra.first) <= key(rb.last) && key(rb.first) <= key(ra.last);
}

/** True when the whole period the date may stand for lies after `today`. */
export function isInFuture(d: PartialDate, now: Date): boolean {
  return key(dateRange(d).first) > key(chinaDate(now));
}

export type DateParseResult =
  | { ok: true; date: PartialDate }
  | { ok: false; reason: 'format' | 'invalid' };

const NUM = `[${CHINESE_NUMERAL_CHARS}]+`;

/** Replaces Chinese numerals before 年/月/日/号 with digits: 二〇一三年五月 → 2013年5月. */
function digitsBeforeUnits(s: string): string {
  return s.replace(new RegExp(`(${NUM})(?=[年月日号])`, 'g'), (run) => {
    const n = parseChineseNumber(run);
    return n === undefined ? run : String(n);
  });
}

/** Two-digit years (13年5月) are read as the latest year not after `now`. */
function expandYear(yy: number, now: Date): number {
  const current = chinaDate(now).year;
  const century = Math.floor(current / 100) * 100;
  return century + yy > current ? century - 100 + yy : century + yy;
}

/**
 * A date as people type it: 2013年5月6日, 2013年5月6号, 2013.5.6, 2013-05-06, 2013/5/6,
 * 20130506, 201305, 13年5月, 二〇一三年五月, 2013年; a trailing 出生/生 is ignored. The result
 * keeps the precision that was given. `now` fixes the century of two-digit years.
 */
export function parseDate(input: string, now: Date): DateParseResult {
  let s = normalizeInput(input).replace(/\s+/g, '');
  s = s.replace(/(?:出生|生人|生)$/, '').replace(/^(?:出生于|出生在|生于|出生日期[:：]?|出生)/, '');
  s = s.replace(/[。.，,]$/, '');
  // No date is this long; the numeral rewrite below is quadratic on long numeral runs.
  if (!s || s.length > 40) return { ok: false, reason: 'format' };
  s = digitsBeforeUnits(s);
  let y: number | undefined;
  let mo: number | undefined;
  let d: number | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4}|\d{2})年(?:(\d{1,2})月(?:份)?(?:(\d{1,2})[日号])?)?$/.exec(s))) {
    y = m[1]!.length === 2 ? expandYear(Number(m[1]), now) : Number(m[1]);
    mo = m[2] ? Number(m[2]) : undefined;
    d = m[3] ? Number(m[3]) : undefined;
  } else if ((m = /^(\d{4})[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?$/.exec(s))) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = m[3] ? Number(m[3]) : undefined;
  } else if ((m = /^(\d{4})(\d{2})(\d{2})?$/.exec(s))) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = m[3] ? Number(m[3]) : undefined;
  } else {
    return { ok: false, reason: 'format' };
  }
  const date: PartialDate = { year: y };
  if (mo !== undefined) date.month = mo;
  if (d !== undefined) date.day = d;
  return isRealDate(date) ? { ok: true, date } : { ok: false, reason: 'invalid' };
}

/**
 * Completed 周岁 on `at`, counting an age as reached on the day AFTER the birthday (the rule
 * for legally relevant thresholds, docs/domain-rules.md §1). For a partial date, the youngest and oldest
 * ages it allows.
 */
export function ageRange(birth: PartialDate, at: Date): { min: number; max: number } {
  const today = chinaDate(at);
  const { first, last } = dateRange(birth);
  return { min: completedYears(last, today), max: completedYears(first, today) };
}

function completedYears(b: Required<PartialDate>, t: Required<PartialDate>): number {
  let age = t.year - b.year;
  // Reached only once the birthday has passed (strictly after it).
  if (t.month < b.month || (t.month === b.month && t.day <= b.day)) age -= 1;
  return Math.max(age, 0);
}
