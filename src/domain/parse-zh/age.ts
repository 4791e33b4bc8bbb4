import { CHINESE_NUMERAL_CHARS, parseChineseNumber } from './numerals.js';
import { normalizeInput } from './normalize.js';

/** An age as typed: 15, 15岁, 十五岁, 15周岁, 十五周岁半 (the half is dropped). 0–150 only. */
export function parseAge(input: string): number | undefined {
  const s = normalizeInput(input).replace(/\s+/g, '');
  const m = new RegExp(`^(?:今年)?(\\d{1,3}|[${CHINESE_NUMERAL_CHARS}]{1,4})(?:周?岁(?:半|多)?)?$`).exec(s);
  if (!m) return undefined;
  const n = parseChineseNumber(m[1]!);
  return n !== undefined && n <= 150 ? n : undefined;
}

/** The first age mentioned inside free text (「8岁的孩子一个人在家」 → 8), if any. */
export function findAgeInText(input: string): number | undefined {
  const s = normalizeInput(input);
  const m = new RegExp(`(\\d{1,3}|[${CHINESE_NUMERAL_CHARS}]{1,4})周?岁`).exec(s);
  if (!m) return undefined;
  const n = parseChineseNumber(m[1]!);
  return n !== undefined && n <= 150 ? n : undefined;
}
