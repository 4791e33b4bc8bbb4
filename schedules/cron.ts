import cron from 'node-cron';
import type { Logger } from '../src/core/log.js';
import type { JobRunner, RunOutcome } from './runner.js';
import { TIME_ZONE } from '../src/domain/calendar/shanghai.js';

/** Re-arm at least hourly, so a long wait never overflows a timer and a clock jump is noticed. */
const MAX_TIMER_MS = 3600_000;

export interface Scheduler {
  /**
   * No new run starts, a run in progress ends at its next chunk boundary, and the promise
   * settles once it has. A town gives its lease back only after this, so no chunk of a
   * stopping process is left to meet another holder's lease.
   */
  stop(): Promise<void>;
  /**
   * Settles when the start-up catch-up and any run in progress have finished; starts the
   * catch-up now if it has not begun (a scripted console conversation ends before its grace).
   */
  settled(): Promise<void>;
}

export interface SchedulerOptions {
  /**
   * The start-up catch-up waits for this (the first answered message) or for `graceMs`,
   * whichever comes first: a restart answers its first message at once, not after the catch-up.
   */
  startAfter?: Promise<unknown>;
  graceMs?: number;
}

/** One turn of the event loop: lets pending chat messages be answered between a job's chunks. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Thrown between a job's chunks once the scheduler is stopping. Each chunk committed on its own
 * and its messages carry dedupe keys, so the period is taken up again at the next start exactly
 * as after a crash at that point, without sending anything twice.
 */
class SchedulerStopping extends Error {
  override name = 'SchedulerStopping';
}

/**
 * Ticks the runner soon after start-up (catching up whatever was missed while the process was
 * down; see SchedulerOptions) and then at the start of every minute, Shanghai time. Due times are decided by the runner from the
 * store, not by the cron expression, so a restart or a clock jump cannot skip or repeat a period.
 * `every` runs on each tick too, for housekeeping that is not tied to a period.
 */
export function startScheduler(
  runner: JobRunner,
  log: Logger,
  onRan: (o: RunOutcome[]) => void,
  every: () => void = () => {},
  opts: SchedulerOptions = {},
): Scheduler {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pause = async (): Promise<void> => {
    await turn();
    if (stopped) throw new SchedulerStopping();
  };
  const tick = (): Promise<void> => {
    // A county-size run spans many turns; a tick that comes meanwhile finds it and waits for it.
    if (running) return running;
    running = (async () => {
      try {
        every();
        const ran = await runner.tickInChunks(pause);
        if (ran.length) onRan(ran);
      } catch (err) {
        if (err instanceof SchedulerStopping) log.info({}, 'scheduled work paused for shutdown; it resumes at the next start');
        else log.error({ err }, 'scheduled work failed; it will be retried at the next tick');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  // node-cron prints its own coloured lines to the console (e.g. a tick missed while a county-size
  // catch-up held the loop); in the console channel that would land in the conversation. Route
  // them to our log. A missed tick is harmless: the next one finds the same due periods.
  cron.setLogger({
    info: (m) => log.debug({ source: 'node-cron' }, m),
    warn: (m) => log.info({ source: 'node-cron' }, m),
    error: (m, err) => log.error({ source: 'node-cron', err: err ?? m }, 'node-cron error'),
    debug: (m) => log.debug({ source: 'node-cron' }, String(m)),
  });
  // Besides the per-minute cron, a timer for the next due instant on the runner's own clock: a job
  // runs at its minute, not up to a minute later, and on a test clock (HUMIAO_CLOCK) whose minutes
  // do not line up with the machine's.
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    if (stopped || runner.jobs.length === 0) return;
    const wait = runner.nextDueAt().getTime() - runner.now().getTime();
    timer = setTimeout(() => void tick().then(arm), Math.min(Math.max(wait, 0) + 5, MAX_TIMER_MS));
    timer.unref();
  };
  let begun: Promise<void> | undefined;
  const begin = (): Promise<void> => (begun ??= stopped ? Promise.resolve() : tick().then(arm));
  const grace = setTimeout(() => void begin(), opts.graceMs ?? 0);
  void opts.startAfter?.then(() => void begin(), () => void begin());
  const task = cron.schedule(
    '* * * * *',
    () => {
      if (!begun) return void begin();
      void tick().then(arm);
    },
    { timezone: TIME_ZONE, name: 'humiao-jobs', noOverlap: true },
  );
  return {
    async stop() {
      stopped = true;
      clearTimeout(grace);
      clearTimeout(timer);
      void task.stop();
      await running;
    },
    async settled() {
      await begin();
      await running;
    },
  };
}
