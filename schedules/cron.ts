import cron from 'node-cron';
import type { Logger } from '../src/log.js';
import type { JobRunner, RunOutcome } from './runner.js';
import { TIME_ZONE } from './time.js';

/**
 * Ticks the runner once now (catching up whatever was missed while the process was down) and
 * then at the start of every minute, Shanghai time. Due times are decided by the runner from the
 * store, not by the cron expression, so a restart or a clock jump cannot skip or repeat a period.
 * `every` runs on each tick too, for housekeeping that is not tied to a period.
 */
/** Re-arm at least hourly, so a long wait never overflows a timer and a clock jump is noticed. */
const MAX_TIMER_MS = 3600_000;

export function startScheduler(
  runner: JobRunner,
  log: Logger,
  onRan: (o: RunOutcome[]) => void,
  every: () => void = () => {},
): () => void {
  const tick = (): void => {
    try {
      every();
      const ran = runner.tick();
      if (ran.length) onRan(ran);
    } catch (err) {
      log.error({ err }, 'scheduled work failed; it will be retried at the next tick');
    }
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
  let stopped = false;
  const arm = (): void => {
    clearTimeout(timer);
    if (stopped || runner.jobs.length === 0) return;
    const wait = runner.nextDueAt().getTime() - runner.now().getTime();
    timer = setTimeout(() => {
      tick();
      arm();
    }, Math.min(Math.max(wait, 0) + 5, MAX_TIMER_MS));
    timer.unref();
  };
  tick();
  arm();
  const task = cron.schedule(
    '* * * * *',
    () => {
      tick();
      arm();
    },
    { timezone: TIME_ZONE, name: 'humiao-jobs', noOverlap: true },
  );
  return () => {
    stopped = true;
    clearTimeout(timer);
    void task.stop();
  };
}
