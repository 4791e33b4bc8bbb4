import { chinaDate, isRealDate, type PartialDate } from './date.js';
import { toHalfWidth } from './normalize.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type IdNumberResult =
  | { ok: true; id: string; birthDate: Required<PartialDate>; gender: '男' | '女' }
  | { ok: false; reason: 'length' | 'old15' | 'format' | 'date' | 'future' | 'checksum' };

/** GB 11643 check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Spaces and dashes people type inside long numbers, full-width digits, lower-case x. */
export function compactDigits(input: string): string {
  return toHalfWidth(input).replace(/[\s\-–—_]/g, '');
}

/**
 * An 18-character 公民身份号码 (GB 11643-1999): pattern, real birth date not after `now`, and
 * the check character. Birth date and gender (17th digit odd = 男) come from the number.
 * 15-digit numbers are refused: no minor has one.
 */
export function parseIdNumber(input: string, now?: Date): IdNumberResult {
  const s = compactDigits(input).toUpperCase();
  if (/^\d{15}$/.test(s)) return { ok: false, reason: 'old15' };
  if (s.length !== 18) return { ok: false, reason: 'length' };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, reason: 'format' };
  const birthDate = { year: Number(s.slice(6, 10)), month: Number(s.slice(10, 12)), day: Number(s.slice(12, 14)) };
  if (!isRealDate(birthDate) || birthDate.year < 1900) return { ok: false, reason: 'date' };
  if (now) {
    const t = chinaDate(now);
    const k = (d: typeof t) => d.year * 10000 + d.month * 100 + d.day;
    if (k(birthDate) > k(t)) return { ok: false, reason: 'future' };
  }
  if (idCheckChar(s) !== s[17]) return { ok: false, reason: 'checksum' };
  return { ok: true, id: s, birthDate, gender: Number(s[16]) % 2 === 1 ? '男' : '女' };
}

export const ID_ERROR_TEXT: Record<Exclude<IdNumberResult, { ok: true }>['reason'], string> = {
  length: '身份证号应为 18 位',
  old15: '不接受 15 位旧身份证号，请提供 18 位号码',
  format: '身份证号前 17 位应为数字，最后一位为数字或 X',
  date: '身份证号中的出生日期不是有效日期',
  future: '身份证号中的出生日期晚于今天',
  checksum: '身份证号校验位不对，可能有数字输错了',
};
