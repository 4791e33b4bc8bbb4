import type { AppDeps } from '../src/core/context.js';
import type { JobRun } from '../src/domain/model/records.js';
import { dueAt, latestDuePeriod, nextDue } from './due.js';
import { finish, type JobChunks, type JobDef } from './job.js';

/**
 * The (job, period) row that records when this installation first ran its scheduler. Periods
 * that fell due before it, and spans that began before it, are not this installation's: it held
 * no cases then, so it sends nothing about them.
 */
export const INSTALL_MARK = { job: '__installed__', period: 'install' } as const;
export const BEFORE_INSTALL = '启用前的期间，未发送';

const DAY_MS = 86_400_000;
/** A run this late after its due time counts as a catch-up rather than an on-time cron run. */
const CATCH_UP_AFTER_MS = 5 * 60_000;

export interface RunOutcome {
  job: string;
  period: string;
  /** `already` when the period had run before: nothing was sent this time. */
  result: 'done' | 'skipped' | 'already';
  run: JobRun;
}

/**
 * Thrown by {@link JobRunner.runByName} when no job has the given name.
 */
export class UnknownJobError extends Error {
  override name = 'UnknownJobError';
}

/**
 * Runs each job at most once per period. `tick` is called by cron every minute and once at
 * start-up, which is how a run missed while the process was down gets caught up.
 */
export class JobRunner {
  constructor(
    private readonly deps: AppDeps,
    readonly jobs: readonly JobDef[],
  ) {}

  /** Run every job whose latest due period has not run yet, each in one transaction. */
  async tick(now = this.deps.clock.now()): Promise<RunOutcome[]> {
    const out: RunOutcome[] = [];
    for (const d of await this.duePeriods(now)) out.push('outcome' in d ? d.outcome : await this.runPeriod(d.job, d.period, now, d.trigger, d.late));
    return out;
  }

  /**
   * {@link tick} for the running bot: a chunked job commits chunk by chunk and `pause` (the
   * event loop's turn) runs between chunks, so chat messages are answered while it works.
   */
  async tickInChunks(pause: () => Promise<void>, now = this.deps.clock.now()): Promise<RunOutcome[]> {
    const out: RunOutcome[] = [];
    for (const d of await this.duePeriods(now)) {
      out.push('outcome' in d ? d.outcome : await this.runPeriodInChunks(d.job, d.period, now, d.trigger, d.late, pause));
      await pause();
    }
    return out;
  }

  private async duePeriods(now: Date): Promise<Array<{ outcome: RunOutcome } | { job: JobDef; period: string; trigger: JobRun['trigger']; late: number }>> {
    const installedAt = await this.installedAt(now);
    const out: Array<{ outcome: RunOutcome } | { job: JobDef; period: string; trigger: JobRun['trigger']; late: number }> = [];
    for (const job of this.jobs) {
      const period = latestDuePeriod(job, now);
      if (await this.deps.store.jobRuns.get(job.name, period)) continue;
      const due = dueAt(job, period);
      if (due < installedAt || (job.reportsOn && job.reportsOn(period).start < installedAt)) {
        out.push({ outcome: await this.recordBeforeInstall(job, period, now) });
        continue;
      }
      const late = now.getTime() - due.getTime();
      out.push({ job, period, trigger: late > CATCH_UP_AFTER_MS ? 'catchup' : 'cron', late });
    }
    return out;
  }

  /**
   * When this installation first ran its scheduler. A store that already has job runs but no
   * mark predates the mark: it counts as installed long ago, so its catch-up works as before.
   */
  async installedAt(now = this.deps.clock.now()): Promise<Date> {
    const { store } = this.deps;
    const mark = await store.jobRuns.get(INSTALL_MARK.job, INSTALL_MARK.period);
    if (mark) return mark.asOf;
    let legacy = false;
    for (const j of this.jobs) if (!legacy && (await store.jobRuns.last(j.name))) legacy = true;
    const at = legacy ? new Date(0) : now;
    await store.transaction(async () => {
      await store.jobRuns.record({ ...INSTALL_MARK, status: 'done', trigger: 'cron', asOf: at, ranAt: now, summary: legacy ? '升级前已在运行' : '首次启动' });
      if (!legacy) await this.onInstall?.(now);
    });
    return (await store.jobRuns.get(INSTALL_MARK.job, INSTALL_MARK.period))?.asOf ?? at;
  }

  /** Called once, inside the transaction that records a new installation (the optional 已启用 notice). */
  onInstall?: (now: Date) => Promise<void>;

  private async recordBeforeInstall(job: JobDef, period: string, now: Date): Promise<RunOutcome> {
    const { store, log } = this.deps;
    const run: JobRun = { job: job.name, period, status: 'skipped', trigger: 'catchup', asOf: now, ranAt: now, summary: BEFORE_INSTALL };
    const fresh = await store.jobRuns.record(run);
    if (fresh) log.info({ job: job.name, period }, 'period before this installation: recorded, nothing sent');
    return { job: job.name, period, result: fresh ? 'skipped' : 'already', run: await store.jobRuns.get(job.name, period) ?? run };
  }

  /**
   * `job run NAME --at ISO`: compute the job as of `at`; never repeats a period that ran.
   * Async so an unknown name rejects like every other failure instead of throwing at the call.
   */
  async runByName(name: string, at: Date): Promise<RunOutcome> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new UnknownJobError(`没有名为「${name}」的任务。可用任务：${this.jobs.map((j) => j.name).join('、')}`);
    return this.runPeriod(job, latestDuePeriod(job, at), at, 'manual', 0);
  }

  /** The earliest instant after `now` at which some job falls due. */
  nextDueAt(now = this.deps.clock.now()): Date {
    return new Date(Math.min(...this.jobs.map((j) => nextDue(j, now).getTime())));
  }

  /** The runner's own clock, so a timer can be set for {@link nextDueAt}. */
  now(): Date {
    return this.deps.clock.now();
  }

  async list(now = this.deps.clock.now()): Promise<Array<{ job: JobDef; last: JobRun | undefined; next: Date }>> {
    const out: Array<{ job: JobDef; last: JobRun | undefined; next: Date }> = [];
    for (const job of this.jobs) out.push({ job, last: await this.deps.store.jobRuns.last(job.name), next: nextDue(job, now) });
    return out;
  }

  private runPeriod(job: JobDef, period: string, at: Date, trigger: JobRun['trigger'], lateMs: number): Promise<RunOutcome> {
    const { store } = this.deps;
    return store.transaction(async () => {
      const existing = await store.jobRuns.get(job.name, period);
      if (existing) return { job: job.name, period, result: 'already', run: existing };
      const stale = this.isStale(job, trigger, lateMs);
      return this.record(job, period, at, trigger, stale, stale ? this.staleSummary(job) : await finish(job.run({ ...this.deps, at, period })));
    });
  }

  private async runPeriodInChunks(job: JobDef, period: string, at: Date, trigger: JobRun['trigger'], lateMs: number, pause: () => Promise<void>): Promise<RunOutcome> {
    const { store } = this.deps;
    let chunks: JobChunks | undefined;
    for (;;) {
      const outcome = await store.transaction(async (): Promise<RunOutcome | undefined> => {
        const existing = await store.jobRuns.get(job.name, period);
        if (existing) return { job: job.name, period, result: 'already', run: existing };
        if (!chunks) {
          const stale = this.isStale(job, trigger, lateMs);
          if (stale) return this.record(job, period, at, trigger, true, this.staleSummary(job));
          const r = await job.run({ ...this.deps, at, period });
          if (typeof r === 'string') return this.record(job, period, at, trigger, false, r);
          chunks = r;
        }
        const step = await chunks.next();
        return step.done ? this.record(job, period, at, trigger, false, step.value) : undefined;
      });
      if (outcome) return outcome;
      await pause();
    }
  }

  private isStale(job: JobDef, trigger: JobRun['trigger'], lateMs: number): boolean {
    return trigger === 'catchup' && job.staleAfterDays !== undefined && lateMs > job.staleAfterDays * DAY_MS;
  }

  private staleSummary(job: JobDef): string {
    return `错过执行时间超过 ${job.staleAfterDays} 天，已跳过`;
  }

  private async record(job: JobDef, period: string, at: Date, trigger: JobRun['trigger'], stale: boolean, summary: string): Promise<RunOutcome> {
    const { store, clock, log } = this.deps;
    const run: JobRun = { job: job.name, period, status: stale ? 'skipped' : 'done', trigger, asOf: at, ranAt: clock.now(), summary };
    await store.jobRuns.record(run);
    log.info({ job: job.name, period, trigger, status: run.status }, 'job ran');
    return { job: job.name, period, result: run.status, run };
  }
}
