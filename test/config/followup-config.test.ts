import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { buildJobs } from '../../schedules/jobs.js';
import { exampleConfigText, testConfig, testDeps } from '../helpers/deps.js';

describe('followup config', () => {
  it('defaults every day and time, so existing configs stay valid', () => {
    expect(testConfig().followup).toEqual({
      frequency: {}, workdaysOnly: true, dueSoon: { day: 20, time: '09:00' }, overdue: { day: 1, time: '09:00' },
      ageReview: { day: 1, time: '08:30' }, screening: { every: 'month', day: 25, time: '09:00', remindAfterDays: 3 },
      quarterly: { every: 'quarter', daysBeforeQuarterEnd: 7, time: '09:00' },
      holidays: [], makeupWorkdays: [], announceOnInstall: false,
    });
  });

  it('drives the jobs’ cadences', async () => {
    const config = testConfig(`${exampleConfigText}\nfollowup:\n  workdaysOnly: false\n  dueSoon: { day: 18, time: '08:00' }\n  screening: { day: 10, remindAfterDays: 5 }\n  frequency: { '05': quarterly }\n`);
    const jobs = buildJobs(await testDeps({ config }));
    expect(jobs.find((j) => j.name === 'due-soon')).toMatchObject({ cadence: { every: 'month', day: 18, time: '08:00' }, workdaysOnly: false });
    expect(jobs.find((j) => j.name === 'screening-reminder')!.cadence).toMatchObject({ day: 15 });
    expect(jobs.find((j) => j.name === 'quarterly-progress')!.cadence).toEqual({ every: 'quarter', monthOfQuarter: 3, day: -7, time: '09:00' });
    expect(config.followup.frequency).toEqual({ '05': 'quarterly' });
  });

  it('names the bad key in one line', () => {
    expect(() => testConfig(`${exampleConfigText}\nfollowup:\n  dueSoon: { day: 31 }\n`)).toThrow(ConfigError);
    expect(() => testConfig(`${exampleConfigText}\nfollowup:\n  dueSoon: { day: 31 }\n`)).toThrow(/followup\.dueSoon\.day/);
    expect(() => testConfig(`${exampleConfigText}\nfollowup:\n  overdue: { time: '9点' }\n`)).toThrow(/应为 HH:MM/);
    expect(() => testConfig(`${exampleConfigText}\nfollowup:\n  frequency: { '06': monthly }\n`)).toThrow(/followup\.frequency/);
  });
});
