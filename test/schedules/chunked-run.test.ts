import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../schedules/runner.js';
import type { JobDef } from '../../schedules/job.js';
import { startScheduler } from '../../schedules/cron.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { testDeps } from '../helpers/deps.js';

/** A job that writes one outbox row per chunk, three chunks, and counts how often it was started. */
function chunkedJob(starts: { n: number }): JobDef {
  return {
    name: 'chunked',
    title: '分段任务',
    cadence: { every: 'month', day: 1, time: '09:00' },
    workdaysOnly: false,
    async *run(ctx) {
      starts.n++;
      for (let i = 0; i < 3; i++) {
        await ctx.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: `第 ${i + 1} 段` }, reason: 'test', dedupeKey: `chunk:${ctx.period}:${i}` }, ctx.clock.now());
        if (i < 2) yield;
      }
      return '3 条';
    },
  };
}

async function installedBefore(deps: Awaited<ReturnType<typeof testDeps>>, runner: JobRunner): Promise<void> {
  deps.clock.set(fromLocal(2026, 10, 20, 10));
  await runner.tick();
  deps.clock.set(fromLocal(2026, 11, 1, 9, 30));
}

describe('chunked job runs', () => {
  it('commit chunk by chunk with the event loop turning between, and record the period once at the end', async () => {
    const deps = await testDeps();
    const starts = { n: 0 };
    const runner = new JobRunner(deps, [chunkedJob(starts)]);
    await installedBefore(deps, runner);
    const seen: Array<{ rows: number; recorded: boolean }> = [];
    const outcomes = await runner.tickInChunks(async () => {
      // Between chunks nothing is held open: another message's transaction would commit on its own.
      seen.push({ rows: await deps.store.outbox.pending(), recorded: Boolean(await deps.store.jobRuns.get('chunked', '2026-11')) });
    });
    expect(outcomes.map((o) => [o.period, o.result, o.run.summary])).toEqual([['2026-11', 'done', '3 条']]);
    expect(seen.slice(0, 2)).toEqual([{ rows: 1, recorded: false }, { rows: 2, recorded: false }]);
    expect(await deps.store.outbox.pending()).toBe(3);
    expect(await runner.tickInChunks(async () => {})).toEqual([]);
    expect(starts.n).toBe(1);
  });

  it('run to the end in one transaction from tick() (CLI, tests), with the same result', async () => {
    const deps = await testDeps();
    const runner = new JobRunner(deps, [chunkedJob({ n: 0 })]);
    await installedBefore(deps, runner);
    expect((await runner.tick()).map((o) => o.run.summary)).toEqual(['3 条']);
    expect(await deps.store.outbox.pending()).toBe(3);
  });

  it('after a crash between chunks run again from the start without sending anything twice', async () => {
    const deps = await testDeps();
    const starts = { n: 0 };
    const runner = new JobRunner(deps, [chunkedJob(starts)]);
    await installedBefore(deps, runner);
    let pauses = 0;
    await expect(
      runner.tickInChunks(async () => {
        if (++pauses === 2) throw new Error('process died');
      }),
    ).rejects.toThrow('process died');
    expect(await deps.store.jobRuns.get('chunked', '2026-11')).toBeUndefined();
    await runner.tickInChunks(async () => {});
    expect(await deps.store.outbox.pending()).toBe(3);
    expect((await deps.store.jobRuns.get('chunked', '2026-11'))?.status).toBe('done');
  });

  it('start-up catch-up waits for the first answered message (or the grace), not before it', async () => {
    const deps = await testDeps();
    const runner = new JobRunner(deps, [chunkedJob({ n: 0 })]);
    await installedBefore(deps, runner);
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    const s = startScheduler(runner, deps.log, () => {}, () => {}, { startAfter: answered, graceMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 20));
      expect(await deps.store.jobRuns.get('chunked', '2026-11')).toBeUndefined();
      answer();
      await s.settled();
      expect((await deps.store.jobRuns.get('chunked', '2026-11'))?.summary).toBe('3 条');
    } finally {
      await s.stop();
    }
  });

  it('stop() ends a run in progress at its next chunk boundary and settles then; the next start finishes the period without sending twice', async () => {
    const deps = await testDeps();
    const runner = new JobRunner(deps, [chunkedJob({ n: 0 })]);
    await installedBefore(deps, runner);
    const logged: Array<{ level: string; msg: string }> = [];
    const log = { ...deps.log, error: (_: unknown, msg: string) => void logged.push({ level: 'error', msg }), info: (_: unknown, msg: string) => void logged.push({ level: 'info', msg }) } as typeof deps.log;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inFirstChunk = new Promise<void>((r) => (entered = r));
    const gated: JobDef = {
      ...chunkedJob({ n: 0 }),
      async *run(ctx) {
        for (let i = 0; i < 3; i++) {
          await ctx.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: `第 ${i + 1} 段` }, reason: 'test', dedupeKey: `chunk:${ctx.period}:${i}` }, ctx.clock.now());
          if (i === 0) {
            entered();
            await gate;
          }
          if (i < 2) yield;
        }
        return '3 条';
      },
    };
    const s = startScheduler(new JobRunner(deps, [gated]), log, () => {}, () => {}, { graceMs: 0 });
    await inFirstChunk;
    let stoppedAt = 0;
    const stopping = s.stop().then(() => (stoppedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 20));
    // Still inside the first chunk: stop() waits for it.
    expect(stoppedAt).toBe(0);
    release();
    await stopping;
    expect(await deps.store.outbox.pending()).toBe(1);
    expect(await deps.store.jobRuns.get('chunked', '2026-11')).toBeUndefined();
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(logged.map((l) => l.msg)).toContain('scheduled work paused for shutdown; it resumes at the next start');
    await runner.tickInChunks(async () => {});
    expect(await deps.store.outbox.pending()).toBe(3);
    expect((await deps.store.jobRuns.get('chunked', '2026-11'))?.status).toBe('done');
  });
});
