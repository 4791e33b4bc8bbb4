import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChineseNumber } from '../../../src/domain/parse-zh/numerals.js';

describe('parseChineseNumber', () => {
  it.each([
    ['15', 15], ['１５', 15], ['十五', 15], ['十', 10], ['二十', 20], ['二十三', 23], ['两', 2], ['零', 0],
    ['一百零五', 105], ['一百五', 150], ['三千二', 3200], ['一千零十', 1010], ['二〇一三', 2013], ['一九九八', 1998],
    ['一万二', 12000], ['一万零二', 10002], ['两万五千', 25000], ['壹佰', 100],
  ])('%s → %d', (input, n) => {
    expect(parseChineseNumber(input)).toBe(n);
  });

  it.each(['', 'abc', '十十', '二三十', '1十', '百百', '万万'])('rejects %j', (input) => {
    expect(parseChineseNumber(input)).toBeUndefined();
  });

  it('round-trips every number below 10000 written the usual way', () => {
    const d = '零一二三四五六七八九';
    const write = (n: number): string => {
      if (n === 0) return '零';
      const units = ['千', '百', '十', ''];
      const digits = String(n).padStart(4, '0').split('').map(Number);
      let out = '';
      let zero = false;
      digits.forEach((x, i) => {
        if (x === 0) {
          if (out) zero = true;
          return;
        }
        if (zero) out += '零';
        zero = false;
        out += (x === 1 && units[i] === '十' && !out ? '' : d[x]!) + units[i]!;
      });
      return out;
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), (n) => parseChineseNumber(write(n)) === n));
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const n = parseChineseNumber(s);
      return n === undefined || Number.isInteger(n);
    }));
  });
});
