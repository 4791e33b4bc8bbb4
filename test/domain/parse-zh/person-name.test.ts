import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePersonName } from '../../../src/domain/parse-zh/person-name.js';

describe('parsePersonName', () => {
  it.each([['王小明', '王小明'], [' 王 小明 ', '王小明'], ['阿依古丽·买买提', '阿依古丽·买买提'], ['阿依古丽•买买提', '阿依古丽·买买提'], ['欧阳娜娜', '欧阳娜娜']])('%j', (s, n) => {
    expect(parsePersonName(s)).toBe(n);
  });
  it.each(['王', 'Tom', '王小明1', '·王明', '王明·', "王'; DROP TABLE cases;--", '王小明😀', '王'.repeat(31)])('rejects %j', (s) => {
    expect(parsePersonName(s)).toBeUndefined();
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const n = parsePersonName(s);
      return n === undefined || (n.length >= 2 && n.length <= 30);
    }));
  });
});
