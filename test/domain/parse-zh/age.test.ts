import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAgeInText, parseAge } from '../../../src/domain/parse-zh/age.js';

describe('parseAge', () => {
  it.each([['十五岁', 15], ['15岁', 15], ['15', 15], ['十五周岁', 15], ['两岁', 2], ['今年十二岁', 12], ['７岁半', 7]])('%s → %d', (s, n) => {
    expect(parseAge(s)).toBe(n);
  });
  it.each(['岁', '十五年', '200岁', 'abc'])('rejects %j', (s) => expect(parseAge(s)).toBeUndefined());
  it('finds an age inside a sentence', () => {
    expect(findAgeInText('一个7岁的孩子一个人在家')).toBe(7);
    expect(findAgeInText('没有年龄')).toBeUndefined();
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      parseAge(s);
      findAgeInText(s);
      return true;
    }));
  });
});
