import { describe, expect, it } from 'vitest';
import { dueAt, latestDuePeriod, nextDue, nominalDue } from '../../schedules/due.js';
import { fromLocal, monthKey, periodRange, previousPeriod, quarterKey, toLocal, isWorkday, nextWorkday } from '../../src/domain/calendar/shanghai.js';

const sh = (y: number, m: number, d: number, h = 0, min = 0) => fromLocal(y, m, d, h, min);

describe('Shanghai calendar', () => {
  it('maps instants to Shanghai wall-clock time', () => {
    // 2026-11-30T17:30Z is already 1 December in Shanghai.
    const at = new Date('2026-11-30T17:30:00Z');
    expect(toLocal(at)).toMatchObject({ year: 2026, month: 12, day: 1, hour: 1, minute: 30 });
    expect(monthKey(at)).toBe('2026-12');
    expect(quarterKey(at)).toBe('2026Q4');
    expect(quarterKey(new Date('2026-12-31T16:00:00Z'))).toBe('2027Q1');
  });

  it('walks periods back across year ends', () => {
    expect(previousPeriod('2026-01')).toBe('2025-12');
    expect(previousPeriod('2026Q1')).toBe('2025Q4');
    expect(periodRange('2026Q4')).toEqual({ start: sh(2026, 10, 1), end: sh(2027, 1, 1) });
    expect(() => periodRange('2026-13')).toThrow(RangeError);
  });

  it('knows official holidays and make-up working days', () => {
    expect(isWorkday(sh(2026, 10, 1, 9))).toBe(false); // 国庆
    expect(isWorkday(sh(2026, 11, 28, 9))).toBe(false); // an ordinary Saturday
    expect(isWorkday(sh(2026, 11, 27, 9))).toBe(true);
    expect(nextWorkday(sh(2026, 10, 1, 9))).toEqual(sh(2026, 10, 8, 9));
  });
});

describe('due times', () => {
  const monthly = { cadence: { every: 'month', day: 20, time: '09:00' }, workdaysOnly: false } as const;
  const lastWeek = { cadence: { every: 'quarter', monthOfQuarter: 3, day: -7, time: '09:00' }, workdaysOnly: false } as const;

  it('puts a monthly job on its day and clamps short months', () => {
    expect(nominalDue(monthly.cadence, '2026-11')).toEqual(sh(2026, 11, 20, 9));
    expect(nominalDue({ every: 'month', day: 31, time: '08:30' }, '2026-02')).toEqual(sh(2026, 2, 28, 8, 30));
    expect(nominalDue({ every: 'month', day: -1, time: '09:00' }, '2026-02')).toEqual(sh(2026, 2, 28, 9));
  });

  it('puts the quarterly reminder in the last week of the quarter', () => {
    expect(nominalDue(lastWeek.cadence, '2026Q4')).toEqual(sh(2026, 12, 25, 9));
    expect(nominalDue(lastWeek.cadence, '2026Q2')).toEqual(sh(2026, 6, 24, 9));
  });

  it('finds the latest period that has fallen due', () => {
    expect(latestDuePeriod(monthly, sh(2026, 11, 20, 8, 59))).toBe('2026-10');
    expect(latestDuePeriod(monthly, sh(2026, 11, 20, 9))).toBe('2026-11');
    expect(nextDue(monthly, sh(2026, 11, 20, 9))).toEqual(sh(2026, 12, 20, 9));
    expect(nextDue(lastWeek, sh(2026, 12, 30))).toEqual(sh(2027, 3, 25, 9));
  });

  it('moves a due day off weekends and holidays when asked', () => {
    // 2026-11-01 is a Sunday: the working-day version moves to Monday the 2nd.
    const first = { cadence: { every: 'month', day: 1, time: '09:00' }, workdaysOnly: true } as const;
    expect(dueAt(first, '2026-11')).toEqual(sh(2026, 11, 2, 9));
    expect(latestDuePeriod(first, sh(2026, 11, 1, 12))).toBe('2026-10');
    expect(latestDuePeriod(first, sh(2026, 11, 2, 9))).toBe('2026-11');
  });
});
