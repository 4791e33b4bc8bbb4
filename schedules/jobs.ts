import type { AppDeps } from '../src/core/context.js';
import type { JobDef } from './job.js';
import { workCalendar, type WorkCalendar } from '../src/domain/calendar/shanghai.js';
import { ageReviewJob } from './jobs/age-review.js';
import { dueSoonJob } from './jobs/due-soon.js';
import { overdueJob } from './jobs/overdue.js';
import { quarterlyJob } from './jobs/quarterly.js';
import { screeningDispatchJob, screeningReminderJob } from './jobs/screening.js';

/** Every scheduled job of this deployment, configured from `deps.config` (`followup` days and times). */
export function buildJobs(deps: AppDeps): JobDef[] {
  const cfg = deps.config;
  const calendar = calendarOf(deps);
  const jobs: JobDef[] = [
    dueSoonJob(cfg),
    overdueJob(cfg),
    ageReviewJob(cfg),
    screeningDispatchJob(cfg),
    screeningReminderJob(cfg),
    quarterlyJob(cfg),
  ];
  return jobs.map((j) => ({ ...j, calendar }));
}

/** The working-day calendar with the town's own holidays and make-up workdays added. */
export function calendarOf({ config }: Pick<AppDeps, 'config'>): WorkCalendar {
  return workCalendar({ holidays: config.followup.holidays, workdays: config.followup.makeupWorkdays });
}
