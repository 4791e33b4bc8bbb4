import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobRunner, UnknownJobError } from '../../schedules/runner.js';
import type { JobDef } from '../../schedules/job.js';
import { fromLocal } from '../../schedules/time.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testDeps } from '../helpers/deps.js';

/** A job that pushes one message per run to the broadcast group, numbered by period. */
const ping = (over: Partial<JobDef> = {}): JobDef => ({
  name: 'ping',
  title: '测试提醒',
  cadence: { every: 'month', day: 20, time: '09:00' },
  workdaysOnly: false,
  run: (ctx) => {
    ctx.store.outbox.enqueue({ target: { kind: 'chat', id: 'wrkGroup1' }, reply: { text: `提醒 ${ctx.period}` }, reason: 'test' }, ctx.clock.now());
    return '1 条';
  },
  ...over,
});

const sent = (deps: ReturnType<typeof testDeps>) => deps.store.outbox.list(100).map((i) => i.reply.text).reverse();

describe('job runner', () => {
  it('runs on the due minute, once per period, through a simulated year', () => {
    const deps = testDeps();
    const runner = new JobRunner(deps, [ping()]);
    deps.clock.set(fromLocal(2026, 1, 1));
    // Tick every hour for a year, as the per-minute cron would (coarser, same logic).
    const end = fromLocal(2027, 1, 1).getTime();
    while (deps.clock.now().getTime() < end) {
      runner.tick();
      deps.clock.advance(3600_000);
    }
    const texts = sent(deps);
    // The run for 2025-12 is caught up on the first tick; then one a month.
    expect(texts).toEqual(['提醒 2025-12', ...Array.from({ length: 12 }, (_, i) => `提醒 2026-${String(i + 1).padStart(2, '0')}`)]);
    expect(deps.store.jobRuns.get('ping', '2026-03')?.trigger).toBe('cron');
    expect(deps.store.jobRuns.get('ping', '2026-03')?.ranAt).toEqual(fromLocal(2026, 3, 20, 9));
  });

  it('catches up a run missed while the process was down, and never repeats it after a restart', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'humiao-jobs-')), 'h.db');
    const deps = testDeps({ store: openSqliteStore(file) });
    deps.clock.set(fromLocal(2026, 11, 23, 10)); // down on the 20th, back on the 23rd
    expect(new JobRunner(deps, [ping()]).tick().map((o) => [o.period, o.run.trigger])).toEqual([['2026-11', 'catchup']]);
    deps.store.close();
    const again = testDeps({ store: openSqliteStore(file) });
    again.clock.set(fromLocal(2026, 11, 23, 10, 5));
    expect(new JobRunner(again, [ping()]).tick()).toEqual([]);
    expect(again.store.outbox.pending()).toBe(1);
  });

  it('records a too-late catch-up as skipped and sends nothing', () => {
    const deps = testDeps();
    deps.clock.set(fromLocal(2026, 11, 30, 9));
    const [o] = new JobRunner(deps, [ping({ staleAfterDays: 5 })]).tick();
    expect(o?.result).toBe('skipped');
    expect(deps.store.outbox.pending()).toBe(0);
  });

  it('a manual run computes as of the given instant and does not repeat a period', () => {
    const deps = testDeps();
    const runner = new JobRunner(deps, [ping()]);
    expect(runner.runByName('ping', fromLocal(2026, 10, 25)).period).toBe('2026-10');
    expect(runner.runByName('ping', fromLocal(2026, 10, 26)).result).toBe('already');
    deps.clock.set(fromLocal(2026, 11, 1));
    expect(runner.tick()).toEqual([]); // the cron tick finds 2026-10 done
    expect(sent(deps)).toEqual(['提醒 2026-10']);
    expect(() => runner.runByName('nope', new Date())).toThrow(UnknownJobError);
  });

  it('a job that throws leaves no record and no messages, so the next tick retries', () => {
    const deps = testDeps();
    let fail = true;
    const flaky = ping({
      run: (ctx) => {
        ctx.store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'x' }, reason: 't' }, ctx.clock.now());
        if (fail) throw new Error('boom');
        return 'ok';
      },
    });
    deps.clock.set(fromLocal(2026, 11, 20, 9));
    const runner = new JobRunner(deps, [flaky]);
    expect(() => runner.tick()).toThrow('boom');
    expect(deps.store.outbox.pending()).toBe(0);
    fail = false;
    expect(runner.tick()).toHaveLength(1);
    expect(deps.store.outbox.pending()).toBe(1);
  });
});
