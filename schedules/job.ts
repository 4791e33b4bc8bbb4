import type { AppDeps } from '../src/core/context.js';
import type { WorkCalendar } from '../src/domain/calendar/shanghai.js';

/**
 * When a job falls due within its period, in Shanghai wall-clock time. `day` may be negative
 * to count from the month's end (-1 = last day, -7 = a week before the end).
 */
export type Cadence =
  | { every: 'month'; day: number; time: string }
  | { every: 'quarter'; monthOfQuarter: 1 | 2 | 3; day: number; time: string };

export interface JobContext extends AppDeps {
  /** The instant the job computes its messages for (now, or `job run --at`). */
  at: Date;
  /** The period being run, `2026-11` or `2026Q4`. */
  period: string;
}

/**
 * A scheduled job. `run` executes inside one store transaction with the (job, period) record,
 * so its outbox rows and the proof that the period ran commit together.
 */
export interface JobDef {
  name: string;
  /** Chinese title for `job list` and logs. */
  title: string;
  cadence: Cadence;
  /** Move the due time to the next official working day. */
  workdaysOnly: boolean;
  /** The working-day calendar for `workdaysOnly` (default: the bundled one, nothing added). */
  calendar?: WorkCalendar;
  /**
   * For a job that reports on a span before its own period (the overdue bulletin on the 1st is
   * about the month before): that span. A span that began before the installation is not the
   * bot's to report on, so such a run is recorded and sends nothing.
   */
  reportsOn?(period: string): { start: Date; end: Date };
  /** A missed run found more than this many days after it fell due is recorded as skipped. */
  staleAfterDays?: number;
  /**
   * Returns a one-line summary for `job list` (counts only, never names). A job that reads a
   * county's cases returns a generator instead: each `yield` ends a chunk, which the scheduler
   * commits in its own transaction before giving the event loop back, so no chat message waits
   * for the whole job. Its writes must be idempotent (outbox dedupe keys): a crash between
   * chunks leaves the period unrecorded, and the next start runs it again from the beginning.
   */
  run(ctx: JobContext): Promise<string> | string | JobChunks;
}

/** The chunks of a job's run; the return value is its summary. */
export type JobChunks = AsyncGenerator<void, string, void>;

/** Drives a run to its end in one go (inside one transaction): the CLI and tests. */
export async function finish(run: Promise<string> | string | JobChunks): Promise<string> {
  const r = await run;
  if (typeof r === 'string') return r;
  for (;;) {
    const step = await r.next();
    if (step.done) return step.value;
  }
}
