import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { AppDeps } from '../src/core/context.js';
import type { JobDef } from '../schedules/job.js';
import { INSTALL_MARK, JobRunner } from '../schedules/runner.js';
import { ageReviewJob } from '../schedules/jobs/age-review.js';
import { overdueJob } from '../schedules/jobs/overdue.js';
import { dueSoonJob } from '../schedules/jobs/due-soon.js';
import { fromLocal } from '../src/domain/calendar/shanghai.js';
import { fixedClock } from '../src/core/clock.js';
import { sql } from '../store/sql/db.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import { townSchema } from '../store/postgres/schema.js';
import { rng } from './datagen.js';
import { stats, type Stats } from './report.js';
import { benchClient, type PgTarget } from './postgres-target.js';

/** What a PostgreSQL write costs before the store does anything: the server's own floors. */
export interface PgFloors {
  /** A prepared `SELECT 1` on one connection. */
  roundTrip: Stats;
  /** One row INSERTed in its own transaction (autocommit), synchronous_commit on: round trip + WAL flush. */
  commit: Stats;
  /**
   * A store write's shape with the least server work: two waits for the server, BEGIN with a
   * one-row INSERT, then COMMIT. No write made as a transaction can wait fewer times.
   */
  twoWaits: Stats;
  /** The same with synchronous_commit off for the session: round trip without waiting for the flush. */
  commitNoFlush: Stats;
}

const timed = async (n: number, f: (i: number) => Promise<unknown>): Promise<Stats> => {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    xs.push(performance.now() - t);
  }
  return stats(xs);
};

/**
 * The floors under a store write, on the bench town's schema (a table of its own, dropped with
 * the schema). The difference between the two commits is the WAL flush the server waits for.
 */
export async function pgFloors(target: PgTarget, town: string, n: number): Promise<PgFloors> {
  const c = await benchClient(target);
  try {
    const table = `${townSchema(town)}.bench_floor`;
    await c.query(`CREATE TABLE ${table} (i int NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    const roundTrip = await timed(n, () => c.query({ name: 'bench-floor-one', text: 'SELECT 1 AS x' }));
    const insert = (i: number) => c.query({ name: 'bench-floor-insert', text: `INSERT INTO ${table} (i) VALUES ($1)`, values: [i] });
    const commit = await timed(n, insert);
    const twoWaits = await timed(n, async (i) => {
      await c.query(`BEGIN; INSERT INTO ${table} (i) VALUES (${i})`);
      await c.query('COMMIT');
    });
    await c.query('SET synchronous_commit = off');
    const commitNoFlush = await timed(n, insert);
    await c.query(`DROP TABLE ${table}`);
    return { roundTrip, commit, twoWaits, commitNoFlush };
  } finally {
    await c.end();
  }
}

export interface LoadWindow {
  name: string;
  summary: string;
  wallMs: number;
  loopDelay: { p50: number; p99: number; max: number };
  /** Garbage collection meanwhile: the longest pause (the loop stands still for it) and the total. */
  gc: { maxMs: number; totalMs: number };
  /** Every user's write: from when it was due (its think time over) until its commit resolved. */
  writes: Stats;
  /** Writes per second that completed in the window. */
  rate: number;
  failed: number;
}

export interface PgUnderLoad {
  users: number;
  thinkMs: number;
  windows: LoadWindow[];
}

/**
 * The county-size town on PostgreSQL while users write and a monthly job runs, in this one
 * process as the bot runs both: `users` users each write one contact in its own transaction (the
 * store on the pool, fenced: advisory lock, lease check, INSERT, commit), then think for a random
 * 0–2 × `thinkMs` (seeded), so up to `users` writes are in flight at once; meanwhile each job runs
 * over the whole store in chunks as the scheduler runs it (JobRunner.tickInChunks, a turn of the
 * event loop between chunks, each chunk its own transaction taking the same town lock the writes
 * take). `perf_hooks.monitorEventLoopDelay` (1 ms resolution) records the loop's delay. The first
 * window is the same write load for `floorMs` with no job.
 *
 * The contacts are dated years before any case was registered, so they never become a case's
 * latest contact: the jobs' results are those of the data as generated, run after run.
 */
export async function pgUnderLoad(base: AppDeps, store: PostgresStore, at: Date, opts: { users: number; thinkMs: number; floorMs: number }): Promise<PgUnderLoad> {
  const deps: AppDeps = { ...base, store };
  const open = (await store.db.values<[number]>(sql`SELECT id FROM cases WHERE status = 'open' ORDER BY id LIMIT 5000`)).map((r) => r[0]);
  if (!open.length) throw new Error('no open case to write contacts to');
  const r = rng(11);
  // Every job run below is this installation's: none was "before install".
  await store.jobRuns.record({ ...INSTALL_MARK, status: 'done', trigger: 'cron', asOf: new Date(0), ranAt: new Date(0), summary: 'bench' });
  let seq = 0;
  const write = (caseId: number) =>
    store.transaction(() =>
      store.followup.addContact({ caseId, date: '2019-01-07', method: '电话', notes: `并发写入 ${seq++}`, riskLevel: null, loggedBy: 'lisi', createdAt: at }),
    );

  const window = async (job: JobDef | null, jobAt: Date): Promise<LoadWindow> => {
    if (job) {
      // A fresh run of the job's period each time, as on its due day.
      await store.db.run(sql`DELETE FROM job_runs WHERE job = ${job.name}`);
      await store.db.run(sql`DELETE FROM outbox WHERE reason = ${`job.${job.name}`}`);
    }
    const runner = job && new JobRunner({ ...deps, clock: fixedClock(jobAt) }, [job]);
    const waits: number[] = [];
    let failed = 0;
    let stop = false;
    const user = async (): Promise<void> => {
      while (!stop) {
        const due = performance.now() + r() * 2 * opts.thinkMs;
        await new Promise((res) => setTimeout(res, Math.max(0, due - performance.now())));
        if (stop) return;
        try {
          await write(open[Math.floor(r() * open.length)]!);
          waits.push(performance.now() - due);
        } catch {
          failed++;
        }
      }
    };
    const h = monitorEventLoopDelay({ resolution: 1 });
    const gc = { maxMs: 0, totalMs: 0 };
    const gcs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gc.maxMs = Math.max(gc.maxMs, e.duration);
        gc.totalMs += e.duration;
      }
    });
    gcs.observe({ entryTypes: ['gc'] });
    h.enable();
    const t0 = performance.now();
    const users = Array.from({ length: opts.users }, () => user());
    const [outcome] = runner ? await runner.tickInChunks(() => new Promise((res) => setImmediate(res)), jobAt) : (await new Promise((res) => setTimeout(res, opts.floorMs)), []);
    const wallMs = performance.now() - t0;
    // The writes go on a little after the job, so the tail is not cut at its end.
    await new Promise((res) => setTimeout(res, 200));
    stop = true;
    await Promise.all(users);
    h.disable();
    gcs.disconnect();
    const span = performance.now() - t0;
    return {
      name: job ? job.title.split('（')[0]! : '（无任务，仅并发写入：下限）',
      summary: outcome?.run.summary ?? '—',
      wallMs,
      loopDelay: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 },
      gc,
      writes: stats(waits),
      rate: (waits.length / span) * 1000,
      failed,
    };
  };
  const windows = [
    await window(null, at),
    await window(ageReviewJob(base.config), at),
    await window(overdueJob(base.config), at),
    // Day 20 of the same month is a Sunday, so the reminder goes out on Monday the 21st.
    await window(dueSoonJob(base.config), fromLocal(2026, 12, 21, 10)),
  ];
  return { users: opts.users, thinkMs: opts.thinkMs, windows };
}
