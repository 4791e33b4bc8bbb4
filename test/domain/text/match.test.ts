import { describe, expect, it } from 'vitest';
import { TermMatcher, matchTerm } from '../../../src/domain/text/match.js';

const categories = ['闲散青少年', '有不良行为或严重不良行为青少年', '流浪乞讨未成年人', '服刑人员未成年子女', '农村留守儿童'];
const villages = ['墩集村', '霸王村', '项沟村', '石龙岗村'];

describe('matchTerm', () => {
  it('matches exactly after normalisation', () => {
    expect(matchTerm(' 墩集村 ', villages)).toBe('墩集村');
  });

  it('matches a candidate named inside a longer answer', () => {
    expect(matchTerm('我们是霸王村的', villages)).toBe('霸王村');
  });

  it('matches part of a candidate, also by pinyin', () => {
    expect(matchTerm('留守', categories)).toBe('农村留守儿童');
    expect(matchTerm('留手', categories)).toBe('农村留守儿童');
    expect(matchTerm('石龙', villages)).toBe('石龙岗村');
    expect(matchTerm('项勾村', villages)).toBe('项沟村');
  });

  it('returns undefined when nothing or several candidates fit', () => {
    expect(matchTerm('青少年', categories)).toBeUndefined();
    expect(matchTerm('天气', categories)).toBeUndefined();
    expect(matchTerm('村', villages)).toBeUndefined();
    expect(matchTerm('', villages)).toBeUndefined();
    expect(matchTerm('墩集村和霸王村', villages)).toBeUndefined();
  });

  it('can be built once and reused', () => {
    const m = new TermMatcher(villages);
    expect(m.match('霸王')).toBe('霸王村');
    expect(m.match('坝王村')).toBe('霸王村');
  });
});
