import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageRange, datesCompatible, formatIsoPartial, isInFuture, parseDate } from '../../../src/domain/parse-zh/date.js';

const now = new Date('2026-03-10T02:00:00Z');

describe('parseDate', () => {
  it.each([
    ['2013年5月6日', '2013-05-06'], ['2013年5月6号', '2013-05-06'], ['2013.5.6', '2013-05-06'], ['2013-05-06', '2013-05-06'],
    ['2013/5/6', '2013-05-06'], ['20130506', '2013-05-06'], ['２０１３年５月６日', '2013-05-06'], ['13年5月', '2013-05'],
    ['二〇一三年五月', '2013-05'], ['二〇一三年五月六日', '2013-05-06'], ['2013年5月出生', '2013-05'], ['2013年', '2013'],
    ['201305', '2013-05'], ['99年12月', '1999-12'], ['二零一三年十二月三十一日', '2013-12-31'], ['出生于2013年5月', '2013-05'],
  ])('%s → %s, keeping the precision given', (input, iso) => {
    const r = parseDate(input, now);
    expect(r.ok && formatIsoPartial(r.date)).toBe(iso);
  });

  it.each(['2013年2月30日', '20131301', '2013.13.1'])('rejects the impossible date %s', (input) => {
    expect(parseDate(input, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it.each(['明天', '五月', 'abc', '', '12345'])('rejects %j as not a date', (input) => {
    expect(parseDate(input, now)).toEqual({ ok: false, reason: 'format' });
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => typeof parseDate(s, now).ok === 'boolean'));
  });
});

describe('date helpers', () => {
  it('compares dates at the coarser precision', () => {
    expect(datesCompatible({ year: 2013, month: 5 }, { year: 2013, month: 5, day: 6 })).toBe(true);
    expect(datesCompatible({ year: 2013, month: 5 }, { year: 2013, month: 6, day: 1 })).toBe(false);
    expect(datesCompatible({ year: 2013 }, { year: 2013, month: 12, day: 31 })).toBe(true);
  });

  it('counts an age as reached the day after the birthday', () => {
    const birthday = new Date('2026-03-10T04:00:00Z'); // 2026-03-10 in China
    expect(ageRange({ year: 2010, month: 3, day: 10 }, birthday)).toEqual({ min: 15, max: 15 });
    expect(ageRange({ year: 2010, month: 3, day: 9 }, birthday)).toEqual({ min: 16, max: 16 });
    expect(ageRange({ year: 2010, month: 3 }, birthday)).toEqual({ min: 15, max: 16 });
  });

  it('knows what lies in the future', () => {
    expect(isInFuture({ year: 2026, month: 4 }, now)).toBe(true);
    expect(isInFuture({ year: 2026, month: 3 }, now)).toBe(false);
  });
});
