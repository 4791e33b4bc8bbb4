import type { JobRun } from '../../src/domain/model/records.js';
import type { JobRunRepo } from '../../src/domain/ports/store.js';
import { sql, toDate, type SqlDb as Db } from './db.js';

interface Row {
  job: string;
  period: string;
  status: JobRun['status'];
  trigger: JobRun['trigger'];
  as_of: string | Date;
  ran_at: string | Date;
  summary: string;
}

const toRun = (r: Row): JobRun => ({
  job: r.job,
  period: r.period,
  status: r.status,
  trigger: r.trigger,
  asOf: toDate(r.as_of),
  ranAt: toDate(r.ran_at),
  summary: r.summary,
});

export class SqlJobRunRepo implements JobRunRepo {
  constructor(private readonly db: Db) {}

  async record(run: JobRun): Promise<boolean> {
    const r = await this.db.run(sql`INSERT INTO job_runs (job, period, status, trigger, as_of, ran_at, summary)
       VALUES (${run.job}, ${run.period}, ${run.status}, ${run.trigger}, ${run.asOf.toISOString()}, ${run.ranAt.toISOString()}, ${run.summary})
       ON CONFLICT (job, period) DO NOTHING`);
    return r.changes === 1;
  }

  async get(job: string, period: string): Promise<JobRun | undefined> {
    const r = await this.db.get<Row>(sql`SELECT * FROM job_runs WHERE job = ${job} AND period = ${period}`);
    return r && toRun(r);
  }

  async last(job: string): Promise<JobRun | undefined> {
    const r = await this.db.get<Row>(sql`SELECT * FROM job_runs WHERE job = ${job} ORDER BY ran_at DESC LIMIT 1`);
    return r && toRun(r);
  }
}
