import type { AppDeps } from '../src/core/context.js';
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
  /** Reachability and pacing as WeCom imposes them (see {@link landing}). */
  landing: Landing;
}

export interface Landing {
  /** Share of mentors who ever wrote to the bot privately, so can be pushed to directly. */
  reachableShare: number;
  /** Pushes that became a notice in a group because their person never wrote to the bot. */
  redirected: number;
  /** Chats the messages really went to, and the busiest one's message count. */
  chats: number;
  busiestChat: number;
  /** Minutes from the job's run until the last message lands, at 30 a minute and 1,000 an hour per chat. */
  lastLandsMin: number;
}

/**
 * Where each queued message really goes and when it can land. WeCom lets the bot push only into
 * a conversation someone opened, so a mentor who never wrote to the bot gets a notice in the
 * broadcast group instead (src/core/push-target.ts); each chat is paced by the real
 * WecomPacer on its own virtual clock, so one busy group shows as the minutes it really takes.
 */
function landing(items: Array<{ target: { kind: string; id: string }; text: string }>, broadcast: string, reachableShare: number, at: Date): Landing {
  const reachable = (id: string) => {
    let h = 2166136261;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
    return (h >>> 0) / 2 ** 32 < reachableShare;
  };
  const clocks = new Map<string, { pacer: WecomPacer; t: number; n: number }>();
  let redirected = 0;
  let last = at.getTime();
  for (const it of items) {
    let chat = it.target.id;
    if (it.target.kind === 'user' && !reachable(chat)) {
      chat = broadcast;
      redirected++;
    }
    const c = clocks.get(chat) ?? { pacer: new WecomPacer(), t: at.getTime(), n: 0 };
    clocks.set(chat, c);
    const frames = it.target.kind === 'user' && chat !== it.target.id ? 1 : splitContent(it.text).length;
    for (let wait = c.pacer.delayForChat(chat, new Date(c.t), frames); wait > 0; wait = c.pacer.delayForChat(chat, new Date(c.t), frames)) c.t += wait;
    c.pacer.noteSent(chat, new Date(c.t), frames);
    c.n++;
    last = Math.max(last, c.t);
  }
  return {
    reachableShare,
    redirected,
    chats: clocks.size,
    busiestChat: Math.max(0, ...[...clocks.values()].map((c) => c.n)),
    lastLandsMin: (last - at.getTime()) / 60_000,
  };
}

/**
 * The 1st of the month at county size: the overdue job computed and written to the outbox, then
 * the outbox drained through the real worker and the WeCom pacer against a platform that acks
 * at once, on a virtual clock, so the hours WeCom's rate limits impose are counted, not waited.
 */
export async function overdueFanout(deps: AppDeps, at: Date): Promise<FanoutResult> {
  const runner = new JobRunner(deps, buildJobs(deps));
  const before = await deps.store.outbox.pending();
  const t0 = performance.now();
  const outcome = await runner.runByName('overdue', at);
  const computeMs = performance.now() - t0;
  const rows = await deps.store.outbox.pending() - before;
  const queued = (await deps.store.outbox.list(rows + 10)).filter((i) => i.sentAt === null).map((i) => ({ target: i.target, text: i.reply.text }));
  const broadcast = deps.config.groups.find((g) => g.broadcast)?.chatid ?? 'broadcast';
  const land = landing(queued.reverse(), broadcast, 0.7, at);

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
  for (let guard = 0; await deps.store.outbox.pending() > 0 && guard < 100_000; guard++) {
    await worker.drainOnce();
    if (await deps.store.outbox.pending() === 0) break;
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
    landing: land,
  };
}
