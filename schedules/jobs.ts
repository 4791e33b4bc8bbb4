import type { AppDeps } from '../handlers/types.js';
import type { JobDef } from './job.js';
import { ageReviewJob } from './jobs/age-review.js';
import { dueSoonJob } from './jobs/due-soon.js';
import { overdueJob } from './jobs/overdue.js';
import { quarterlyJob } from './jobs/quarterly.js';
import { screeningDispatchJob, screeningReminderJob } from './jobs/screening.js';

/** Every scheduled job of this deployment, configured from `deps.config` (`followup` days and times). */
export function buildJobs(deps: AppDeps): JobDef[] {
  const cfg = deps.config;
  return [
    dueSoonJob(cfg),
    overdueJob(cfg),
    ageReviewJob(cfg),
    screeningDispatchJob(cfg),
    screeningReminderJob(cfg),
    quarterlyJob(cfg),
  ];
}
