import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractMobile, parseMobile } from '../../../src/domain/parse-zh/mobile.js';

describe('parseMobile', () => {
  it.each([['13812341234', '13812341234'], ['138 1234 1234', '13812341234'], ['+86 138-1234-1234', '13812341234'], ['１３８１２３４１２３４', '13812341234']])('%s', (s, m) => {
    expect(parseMobile(s)).toBe(m);
  });
  it.each(['12812341234', '1381234123', '138123412345', '0557-1234567', 'abc'])('rejects %s', (s) => expect(parseMobile(s)).toBeUndefined());
  it('extracts a number from text and leaves the rest', () => {
    expect(extractMobile('张桂兰 13812341234')).toEqual({ mobile: '13812341234', rest: '张桂兰' });
    expect(extractMobile('张桂兰，电话13812341234。')).toEqual({ mobile: '13812341234', rest: '张桂兰，电话 。' });
    expect(extractMobile('341324201305061234')).toBeUndefined();
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      parseMobile(s);
      extractMobile(s);
      return true;
    }));
  });
});
