import type { JobRun } from '../../src/domain/model/records.js';
import type { JobRunRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db } from './db.js';

interface Row {
  job: string;
  period: string;
  status: JobRun['status'];
  trigger: JobRun['trigger'];
  as_of: string;
  ran_at: string;
  summary: string;
}

const toRun = (r: Row): JobRun => ({
  job: r.job,
  period: r.period,
  status: r.status,
  trigger: r.trigger,
  asOf: new Date(r.as_of),
  ranAt: new Date(r.ran_at),
  summary: r.summary,
});

export class SqlJobRunRepo implements JobRunRepo {
  private readonly ins;
  private readonly one;
  private readonly lastOf;

  constructor(db: Db) {
    this.ins = db.prepare(
      `INSERT INTO job_runs (job, period, status, trigger, as_of, ran_at, summary) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job, period) DO NOTHING`,
    );
    this.one = db.prepare<[string, string], Row>('SELECT * FROM job_runs WHERE job = ? AND period = ?');
    this.lastOf = db.prepare<[string], Row>('SELECT * FROM job_runs WHERE job = ? ORDER BY ran_at DESC LIMIT 1');
  }

  record(run: JobRun): boolean {
    return (
      this.ins.run(run.job, run.period, run.status, run.trigger, run.asOf.toISOString(), run.ranAt.toISOString(), run.summary)
        .changes === 1
    );
  }

  get(job: string, period: string): JobRun | undefined {
    const r = this.one.get(job, period);
    return r && toRun(r);
  }

  last(job: string): JobRun | undefined {
    const r = this.lastOf.get(job);
    return r && toRun(r);
  }
}
