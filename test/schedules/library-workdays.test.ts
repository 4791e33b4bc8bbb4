import chineseDays from 'chinese-days';
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { fromLocal, localDateKey, workCalendar } from '../../src/domain/calendar/shanghai.js';

/**
 * The work calendar reads the chinese-days data itself rather than loading the library's code:
 * every day of every year the data covers must be a workday exactly when the library says so
 * (the library is asked with the process in UTC, where its own date parsing is right).
 */
describe('working days from the chinese-days data', () => {
  it('agree with the library on every day it covers', () => {
    expect(new Date(0).getTimezoneOffset() <= 0, 'the library is only right east of UTC').toBe(true);
    const years = [...new Set(Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))))];
    const cal = workCalendar();
    const wrong: string[] = [];
    for (const y of years) {
      for (let at = fromLocal(y, 1, 1, 12); at.getTime() < fromLocal(y + 1, 1, 1, 12).getTime(); at = new Date(at.getTime() + 86_400_000)) {
        const key = localDateKey(at);
        if (cal.isWorkday(at) !== chineseDays.isWorkday(key)) wrong.push(key);
      }
    }
    expect(years.length).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });
});
