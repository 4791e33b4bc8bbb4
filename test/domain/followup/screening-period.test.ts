import { describe, expect, it } from 'vitest';
import { fromLocal, periodWords } from '../../../src/domain/calendar/shanghai.js';
import { screeningAbout, screeningReportMonth, screeningReportWords, screeningWord } from '../../../src/domain/followup/screening-period.js';

/** Which period a screening dispatch and a unit's report are about, this period's or the one before. */
describe('the period a screening is about', () => {
  it('is the dispatch’s own period by default, monthly or quarterly', () => {
    expect(screeningAbout({ every: 'month' }, '2026-12')).toBe('2026-12');
    expect(screeningAbout({ every: 'quarter' }, '2026Q4')).toBe('2026Q4');
    expect(screeningReportMonth({ every: 'quarter' }, fromLocal(2026, 11, 20, 10))).toBe('2026-11');
    expect([screeningWord({ every: 'month' }), screeningWord({ every: 'quarter' })]).toEqual(['本月', '本季度']);
  });

  it('is the month or quarter before when units report 上月 / 上季度, across the year’s end', () => {
    expect(screeningAbout({ every: 'month', about: 'previous' }, '2027-01')).toBe('2026-12');
    expect(screeningAbout({ every: 'quarter', about: 'previous' }, '2027Q1')).toBe('2026Q4');
    expect(screeningReportMonth({ every: 'month', about: 'previous' }, fromLocal(2027, 1, 3, 10))).toBe('2026-12');
    // A report in any month of the next quarter goes under the last month of the quarter it is about.
    expect(screeningReportMonth({ every: 'quarter', about: 'previous' }, fromLocal(2027, 2, 10, 10))).toBe('2026-12');
    expect([screeningWord({ every: 'month', about: 'previous' }), screeningWord({ every: 'quarter', about: 'previous' })]).toEqual(['上月', '上季度']);
  });

  it('is named in words, never by its key: the month, or the quarter a quarterly report counts for', () => {
    expect(['2026-12', '2027-01', '2026Q1', '2026Q4'].map(periodWords)).toEqual(['2026年12月', '2027年1月', '2026年第一季度', '2026年第四季度']);
    expect(screeningReportWords({ every: 'month' }, fromLocal(2026, 12, 20, 10))).toBe('2026年12月');
    expect(screeningReportWords({ every: 'month', about: 'previous' }, fromLocal(2027, 1, 3, 10))).toBe('2026年12月');
    expect(screeningReportWords({ every: 'quarter' }, fromLocal(2026, 11, 20, 10))).toBe('2026年第四季度');
    expect(screeningReportWords({ every: 'quarter', about: 'previous' }, fromLocal(2027, 2, 10, 10))).toBe('2026年第四季度');
  });
});
