import type { AppDeps } from '../handlers/types.js';
import { splitContent } from '../src/channels/wecom/split.js';
import { WecomPacer } from '../src/channels/wecom/pacing.js';
import type { Channel } from '../src/core/channel.js';
import { fixedClock } from '../src/core/clock.js';
import { OutboxWorker } from '../src/core/outbox-worker.js';
import { buildJobs } from '../schedules/jobs.js';
import { JobRunner } from '../schedules/runner.js';

export interface FanoutResult {
  computeMs: number;
  summary: string;
  rows: number;
  frames: number;
  chats: number;
  /** Wall-clock time WeCom's limits impose on sending it all (30 a minute per chat). */
  drainVirtualMs: number;
  /** CPU time the worker spent sending it, with an instantly acknowledging platform. */
  drainCpuMs: number;
}

/**
 * The 1st of the month at county size: the overdue job computed and written to the outbox, then
 * the outbox drained through the real worker and the WeCom pacer against a platform that acks
 * at once, on a virtual clock, so the hours WeCom's rate limits impose are counted, not waited.
 */
export async function overdueFanout(deps: AppDeps, at: Date): Promise<FanoutResult> {
  const runner = new JobRunner(deps, buildJobs(deps));
  const before = deps.store.outbox.pending();
  const t0 = performance.now();
  const outcome = runner.runByName('overdue', at);
  const computeMs = performance.now() - t0;
  const rows = deps.store.outbox.pending() - before;

  const clock = fixedClock(at);
  const pacer = new WecomPacer();
  const chats = new Set<string>();
  let frames = 0;
  const channel: Channel = {
    name: 'bench',
    start: async () => {},
    stop: async () => {},
    async push(target, reply) {
      const n = splitContent(reply.text).length;
      const wait = pacer.delayForChat(target.id, clock.now(), n);
      if (wait > 0) throw new Error('rate limited');
      pacer.noteSent(target.id, clock.now(), n);
      chats.add(target.id);
      frames += n;
    },
  };
  const worker = new OutboxWorker(deps.store, channel, clock, deps.log, { pacer, batch: 500 });
  const t1 = performance.now();
  for (let guard = 0; deps.store.outbox.pending() > 0 && guard < 100_000; guard++) {
    await worker.drainOnce();
    if (deps.store.outbox.pending() === 0) break;
    // Whatever is left waits for a chat's rate window or a retry: move the clock on a second.
    clock.advance(1000);
  }
  return {
    computeMs,
    summary: outcome.run.summary,
    rows,
    frames,
    chats: chats.size,
    drainVirtualMs: clock.now().getTime() - at.getTime(),
    drainCpuMs: performance.now() - t1,
  };
}
