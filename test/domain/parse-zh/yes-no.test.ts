import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYesNo } from '../../../src/domain/parse-zh/yes-no.js';

describe('parseYesNo', () => {
  it.each(['是', '对', '有', '嗯', '好', '确认', '是的。', '好的！', 'OK', '好啊'])('%s is yes', (s) => expect(parseYesNo(s)).toBe(true));
  it.each(['否', '不是', '没有', '无', '不', '不对', '没有的'])('%s is no', (s) => expect(parseYesNo(s)).toBe(false));
  it.each(['也许', '是不是', '', '不知道'])('%j is neither', (s) => expect(parseYesNo(s)).toBeUndefined());
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => [true, false, undefined].includes(parseYesNo(s))));
  });
});
