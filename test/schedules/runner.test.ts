import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEFORE_INSTALL, JobRunner, UnknownJobError } from '../../schedules/runner.js';
import type { JobDef } from '../../schedules/job.js';
import { fromLocal, periodRange, previousPeriod } from '../../src/domain/calendar/shanghai.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testDeps } from '../helpers/deps.js';

/** A job that pushes one message per run to the broadcast group, numbered by period. */
const ping = (over: Partial<JobDef> = {}): JobDef => ({
  name: 'ping',
  title: '测试提醒',
  cadence: { every: 'month', day: 20, time: '09:00' },
  workdaysOnly: false,
  run: async (ctx) => {
    await ctx.store.outbox.enqueue({ target: { kind: 'chat', id: 'wrkGroup1' }, reply: { text: `提醒 ${ctx.period}` }, reason: 'test' }, ctx.clock.now());
    return '1 条';
  },
  ...over,
});

const sent = async (deps: Awaited<ReturnType<typeof testDeps>>) => (await deps.store.outbox.list(100)).map((i) => i.reply.text).reverse();

describe('job runner', () => {
  it('runs on the due minute, once per period, through a simulated year', async () => {
    const deps = await testDeps();
    const runner = new JobRunner(deps, [ping()]);
    deps.clock.set(fromLocal(2026, 1, 1));
    // Tick every hour for a year, as the per-minute cron would (coarser, same logic).
    const end = fromLocal(2027, 1, 1).getTime();
    while (deps.clock.now().getTime() < end) {
      await runner.tick();
      deps.clock.advance(3600_000);
    }
    const texts = await sent(deps);
    // 2025-12 fell due before this installation's first tick: recorded, not sent. Then one a month.
    expect((await deps.store.jobRuns.get('ping', '2025-12'))?.summary).toBe(BEFORE_INSTALL);
    expect(texts).toEqual([...Array.from({ length: 12 }, (_, i) => `提醒 2026-${String(i + 1).padStart(2, '0')}`)]);
    expect((await deps.store.jobRuns.get('ping', '2026-03'))?.trigger).toBe('cron');
    expect((await deps.store.jobRuns.get('ping', '2026-03'))?.ranAt).toEqual(fromLocal(2026, 3, 20, 9));
  });

  it('catches up a run missed while the process was down, and never repeats it after a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'humiao-jobs-')), 'h.db');
    const first = await testDeps({ store: await openSqliteStore(file) });
    first.clock.set(fromLocal(2026, 11, 10, 10)); // installed on the 10th
    await new JobRunner(first, [ping()]).tick();
    await first.store.close();
    const deps = await testDeps({ store: await openSqliteStore(file) });
    deps.clock.set(fromLocal(2026, 11, 23, 10)); // down on the 20th, back on the 23rd
    expect((await new JobRunner(deps, [ping()]).tick()).map((o) => [o.period, o.run.trigger])).toEqual([['2026-11', 'catchup']]);
    await deps.store.close();
    const again = await testDeps({ store: await openSqliteStore(file) });
    again.clock.set(fromLocal(2026, 11, 23, 10, 5));
    expect(await new JobRunner(again, [ping()]).tick()).toEqual([]);
    expect(await again.store.outbox.pending()).toBe(1);
  });

  it('records a too-late catch-up as skipped and sends nothing', async () => {
    const deps = await testDeps();
    const runner = new JobRunner(deps, [ping({ staleAfterDays: 5 })]);
    deps.clock.set(fromLocal(2026, 11, 1, 9));
    await runner.tick(); // installed
    deps.clock.set(fromLocal(2026, 11, 30, 9));
    const [o] = await runner.tick();
    expect(o?.result).toBe('skipped');
    expect(o?.run.summary).toContain('错过执行时间');
    expect(await deps.store.outbox.pending()).toBe(0);
  });

  it('a first start sends nothing about periods before it was installed, then runs its own', async () => {
    const deps = await testDeps();
    // A bulletin on the 1st about the month before, like the overdue bulletin.
    const bulletin = ping({ name: 'bulletin', cadence: { every: 'month', day: 1, time: '09:00' }, reportsOn: (p) => periodRange(previousPeriod(p)) });
    const dispatch = ping({ name: 'dispatch', cadence: { every: 'month', day: 25, time: '09:00' } });
    const runner = new JobRunner(deps, [bulletin, dispatch]);
    let installs = 0;
    runner.onInstall = async () => void installs++;
    deps.clock.set(fromLocal(2026, 12, 1, 8, 13)); // installed before the 1st's bulletin is due
    expect((await runner.tick()).map((o) => [o.job, o.period, o.result])).toEqual([
      ['bulletin', '2026-11', 'skipped'],
      ['dispatch', '2026-11', 'skipped'],
    ]);
    deps.clock.set(fromLocal(2026, 12, 1, 9, 0)); // December's bulletin is about November: not ours
    expect((await runner.tick()).map((o) => [o.job, o.period, o.run.summary])).toEqual([['bulletin', '2026-12', BEFORE_INSTALL]]);
    deps.clock.set(fromLocal(2026, 12, 25, 9, 0)); // December's dispatch falls due after the install: ours
    expect((await runner.tick()).map((o) => [o.job, o.period, o.result])).toEqual([['dispatch', '2026-12', 'done']]);
    deps.clock.set(fromLocal(2027, 1, 1, 9, 0)); // January's bulletin covers December, which began before the install
    expect((await runner.tick()).map((o) => [o.job, o.result])).toEqual([['bulletin', 'skipped']]);
    deps.clock.set(fromLocal(2027, 1, 25, 9, 0));
    expect((await runner.tick()).map((o) => [o.job, o.result])).toEqual([['dispatch', 'done']]);
    deps.clock.set(fromLocal(2027, 2, 1, 9, 0)); // February's covers January: wholly ours
    expect((await runner.tick()).map((o) => [o.job, o.result])).toEqual([['bulletin', 'done']]);
    expect(await sent(deps)).toEqual(['提醒 2026-12', '提醒 2027-01', '提醒 2027-02']);
    expect(installs).toBe(1);
  });

  it('a store that ran jobs before the install mark existed keeps catching up as it did', async () => {
    const deps = await testDeps();
    await deps.store.jobRuns.record({ job: 'ping', period: '2026-10', status: 'done', trigger: 'cron', asOf: fromLocal(2026, 10, 20, 9), ranAt: fromLocal(2026, 10, 20, 9), summary: '1 条' });
    deps.clock.set(fromLocal(2026, 11, 23, 10));
    const runner = new JobRunner(deps, [ping()]);
    expect((await runner.tick()).map((o) => [o.period, o.run.trigger, o.result])).toEqual([['2026-11', 'catchup', 'done']]);
    expect((await runner.installedAt()).getTime()).toBe(0);
  });

  it('a manual run computes as of the given instant and does not repeat a period', async () => {
    const deps = await testDeps();
    const runner = new JobRunner(deps, [ping()]);
    expect((await runner.runByName('ping', fromLocal(2026, 10, 25))).period).toBe('2026-10');
    expect((await runner.runByName('ping', fromLocal(2026, 10, 26))).result).toBe('already');
    deps.clock.set(fromLocal(2026, 11, 1));
    expect(await runner.tick()).toEqual([]); // the cron tick finds 2026-10 done
    expect(await sent(deps)).toEqual(['提醒 2026-10']);
    await expect(runner.runByName('nope', new Date())).rejects.toThrow(UnknownJobError);
  });

  it('a job that throws leaves no record and no messages, so the next tick retries', async () => {
    const deps = await testDeps();
    let fail = true;
    const flaky = ping({
      run: async (ctx) => {
        await ctx.store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'x' }, reason: 't' }, ctx.clock.now());
        if (fail) throw new Error('boom');
        return 'ok';
      },
    });
    deps.clock.set(fromLocal(2026, 11, 20, 9));
    const runner = new JobRunner(deps, [flaky]);
    await expect(runner.tick()).rejects.toThrow('boom');
    expect(await deps.store.outbox.pending()).toBe(0);
    fail = false;
    expect(await runner.tick()).toHaveLength(1);
    expect(await deps.store.outbox.pending()).toBe(1);
  });
});
