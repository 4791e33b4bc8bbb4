import { toHalfWidth } from './normalize.js';

const DIGITS: Record<string, number> = {
  〇: 0, 零: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };

/** Characters that can appear in a Chinese numeral, for callers that scan text for one. */
export const CHINESE_NUMERAL_CHARS = '〇零一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万';

/**
 * A non-negative integer written in ASCII digits, full-width digits or Chinese numerals:
 * 15, 十五, 二十三, 一百零五, 两, 二〇一三 (read digit by digit, as years are written), 一万二千.
 * Returns undefined for anything else, including mixed forms such as 1十.
 */
export function parseChineseNumber(input: string): number | undefined {
  const s = toHalfWidth(input).trim();
  if (!s) return undefined;
  if (/^\d+$/.test(s)) return s.length > 15 ? undefined : Number(s);
  if (![...s].every((c) => c in DIGITS || c in UNITS || c === '万')) return undefined;
  // No unit characters: a digit string such as 二〇一三 or 一九九八.
  if (![...s].some((c) => c in UNITS || c === '万')) {
    return s.length > 15 ? undefined : Number([...s].map((c) => DIGITS[c]).join(''));
  }
  const parts = s.split('万');
  if (parts.length > 2) return undefined;
  if (parts.length === 2) {
    const high = parseBelowTenThousand(parts[0]!);
    const low = parts[1] === '' ? 0 : parseBelowTenThousand(parts[1]!, true);
    return high === undefined || high === 0 || low === undefined ? undefined : high * 10000 + low;
  }
  return parseBelowTenThousand(s);
}

/**
 * 0–9999 with units. `afterWan` allows the shorthand 一万二 (= 一万二千), where a trailing
 * digit takes the unit one below the last one written.
 */
function parseBelowTenThousand(s: string, afterWan = false): number | undefined {
  if (!s) return undefined;
  let total = 0;
  let digit: number | null = null;
  let lastUnit = afterWan ? 10000 : Infinity;
  let sawZero = false;
  for (const c of s) {
    if (c in DIGITS) {
      const d = DIGITS[c]!;
      if (d === 0) {
        sawZero = true;
        if (digit !== null) return undefined;
        continue;
      }
      if (digit !== null) return undefined; // 二三 inside a unit numeral
      digit = d;
    } else {
      const u = UNITS[c]!;
      if (u >= lastUnit) return undefined; // 十百, 百百
      // 十五 means 一十五; elsewhere a unit needs a digit before it.
      if (digit === null && !(u === 10 && total === 0 && !sawZero)) {
        if (!(u === 10 && sawZero)) return undefined;
      }
      total += (digit ?? 1) * u;
      digit = null;
      lastUnit = u;
      sawZero = false;
    }
  }
  if (digit !== null) {
    // 一百五 = 150, 三千二 = 3200: a trailing digit right after a unit (no 零) scales down.
    if (!sawZero && lastUnit !== Infinity && lastUnit >= 100) total += digit * (lastUnit / 10);
    else total += digit;
  }
  return total;
}
