import { describe, expect, it } from 'vitest';
import { clockOf } from '../../src/bootstrap.js';
import { readSettings, type Environment } from '../../src/config/settings.js';

const clockFromEnv = (env: Environment) => clockOf(readSettings(env));
import { ConfigError } from '../../src/config/load.js';
import { systemClock } from '../../src/core/clock.js';
import { dueAt } from '../../schedules/due.js';
import { buildJobs, calendarOf } from '../../schedules/jobs.js';
import { fromLocal, calendarWarning, workCalendar } from '../../src/domain/calendar/shanghai.js';
import { exampleConfigText, testConfig, testDeps } from '../helpers/deps.js';

const sh = (y: number, m: number, d: number, h = 0, min = 0) => fromLocal(y, m, d, h, min);

describe('working days past the bundled calendar', () => {
  it('a year without data is Monday to Friday, and the warning names it', () => {
    const cal = workCalendar();
    expect(cal.isWorkday(sh(2027, 1, 4, 9))).toBe(true); // a Monday
    expect(cal.isWorkday(sh(2027, 1, 2, 9))).toBe(false); // a Saturday
    expect(cal.uncoveredYears(sh(2026, 12, 1))).toEqual([2027]);
    expect(cal.uncoveredYears(sh(2026, 6, 1))).toEqual([]);
    expect(calendarWarning(cal, sh(2026, 12, 1))).toContain('2027');
    expect(calendarWarning(cal, sh(2026, 6, 1))).toBeNull();
  });

  it('takes holidays and make-up workdays from the config, ranges included', async () => {
    const cfg = testConfig(
      `${exampleConfigText}\nfollowup:\n  holidays: ['2027-01-01', '2027-02-05..2027-02-11']\n  makeupWorkdays: ['2027-02-13']\n`,
    );
    expect(cfg.followup.holidays).toContain('2027-02-08');
    const cal = calendarOf({ config: cfg });
    expect(cal.isWorkday(sh(2027, 1, 1, 9))).toBe(false); // 元旦, a Friday
    expect(cal.isWorkday(sh(2027, 2, 8, 9))).toBe(false); // a Monday inside the range
    expect(cal.isWorkday(sh(2027, 2, 13, 9))).toBe(true); // a Saturday worked
    expect(cal.uncoveredYears(sh(2026, 12, 1))).toEqual([]);
    // The overdue bulletin due on New Year's Day moves to the next working day.
    const deps = await testDeps({ config: cfg });
    const overdue = buildJobs(deps).find((j) => j.name === 'overdue')!;
    expect(dueAt(overdue, '2027-01')).toEqual(sh(2027, 1, 4, 9));
  });

  it('refuses a day that does not exist or a backwards range, naming it', () => {
    expect(() => testConfig(`${exampleConfigText}\nfollowup:\n  holidays: ['2027-02-30']\n`)).toThrow(/2027-02-30/);
    expect(() => testConfig(`${exampleConfigText}\nfollowup:\n  holidays: ['2027-02-11..2027-02-05']\n`)).toThrow(ConfigError);
  });
});

describe('HUMIAO_CLOCK', () => {
  it('starts the clock at the given instant and lets it run on', async () => {
    const clock = clockFromEnv({ HUMIAO_CLOCK: '2027-01-01T23:59:00+08:00' });
    const a = clock.now().getTime();
    expect(Math.abs(a - sh(2027, 1, 1, 23, 59).getTime())).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now().getTime()).toBeGreaterThan(a);
    // Without a zone the instant is read as Shanghai time.
    expect(Math.abs(clockFromEnv({ HUMIAO_CLOCK: '2027-01-01T09:00' }).now().getTime() - sh(2027, 1, 1, 9).getTime())).toBeLessThan(1000);
  });

  it('is the system clock when unset, and refused in production or when unreadable', () => {
    expect(clockFromEnv({})).toBe(systemClock);
    expect(() => clockFromEnv({ HUMIAO_CLOCK: '2027-01-01T09:00+08:00', NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => clockFromEnv({ HUMIAO_CLOCK: '明天' })).toThrow(/HUMIAO_CLOCK/);
  });
});
