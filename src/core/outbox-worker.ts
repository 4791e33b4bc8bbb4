import type { Logger } from './log.js';
import type { OutboxItem } from '../domain/model/records.js';
import type { Store } from '../domain/ports/store.js';
import { dispositionOf, HeldForReachError, type Channel } from './channel.js';
import type { Clock } from './clock.js';
import type { PushTarget } from '../domain/model/message.js';
import { writeFailureOf } from './storage-alarm.js';

/** Decides how long a push to a target must wait to stay within the platform's rate limits. */
export interface Pacer {
  /**
   * Milliseconds to wait before the next message to `target` may go; 0 when it may go now.
   * `scheduled` marks a reminder or bulletin from a job, which some platforms cap per day.
   */
  delayFor(target: PushTarget, now: Date, scheduled?: boolean): Promise<number> | number;
  /** Awaited before the next push is judged, so what it counts is counted in time. */
  record(target: PushTarget, now: Date, scheduled?: boolean): Promise<void> | void;
}

/** Rows from the scheduled jobs: reminders and bulletins, which are combined and capped per day. */
export const isScheduled = (item: Pick<OutboxItem, 'reason'>): boolean => item.reason.startsWith('job.');

/** A row that can join a digest: scheduled plain text, nothing of it delivered yet. */
const combinable = (item: OutboxItem): boolean =>
  isScheduled(item) && item.partsSent === 0 && !item.reply.choices?.length && !item.reply.card && !item.reply.file && !item.reply.mentions?.length;

export const noPacing: Pacer = { delayFor: () => 0, record: () => {} };

export interface OutboxWorkerOptions {
  pollMs?: number;
  batch?: number;
  pacer?: Pacer;
  /**
   * Asked before every push. With a standby, false once this process may no longer own the town
   * (its lease ran out, perhaps while the event loop was stalled): rows it had claimed are left
   * for the new owner instead of going out twice.
   */
  mayPush?: () => boolean;
  /** Who is told when a push is given up (the town's admins). */
  admins?: readonly string[];
  /**
   * How long a push may keep failing before the worker stops and tells the admins. Held rows
   * (waiting for their person to write) do not age: they wait as long as it takes. Default 24 h.
   */
  maxLifeMs?: number;
}

/** Reason of the rows that tell an admin a push was given up; never themselves reported. */
export const GIVE_UP_REASON = 'outbox.given-up';
export const NUDGE_REASON = 'outbox.nudge';

/** The calendar day in China (UTC+8), for one nudge per person, group and day. */
function chinaDay(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** How long a poke waits for others to join it; a push is not a reply, nobody waits on it. */
export const POKE_COALESCE_MS = 50;

/** Exponential backoff for a failed push: 5 s, 10 s, 20 s … capped at 30 minutes (the row's life bounds the tries). */
export function retryDelayMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000);
}

/**
 * Sends what handlers and jobs put in the outbox. A row is marked sent only after the channel
 * resolved (the platform acknowledged it); a failure schedules a retry. The row is the source
 * of truth, so a restart simply picks up whatever is still unsent.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private poked = false;
  /** Targets the pacer is holding back, until when. */
  private readonly held = new Map<string, { target: PushTarget; until: number }>();
  /**
   * Rows the platform acknowledged whose 'sent' could not be written (the store cannot write).
   * Kept in memory and marked first on later passes, so nobody gets a push again every poll.
   */
  private readonly unrecorded = new Map<number, { at: Date; used?: PushTarget }>();
  /** Whether the last pass failed, so a lasting store failure is logged once, not every poll. */
  private failing = false;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly pacer: Pacer;
  private readonly mayPush: () => boolean;
  private readonly admins: readonly string[];
  private readonly maxLifeMs: number;

  constructor(
    private readonly store: Store,
    private readonly channel: Channel,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: OutboxWorkerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1_000;
    this.batch = opts.batch ?? 50;
    this.pacer = opts.pacer ?? noPacing;
    this.mayPush = opts.mayPush ?? (() => true);
    this.admins = opts.admins ?? [];
    this.maxLifeMs = opts.maxLifeMs ?? 24 * 3_600_000;
  }

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      void this.drainOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
      });
    };
    tick();
  }

  /**
   * Wake the worker soon (after a handler enqueued something) instead of at the next poll.
   * Pokes within {@link POKE_COALESCE_MS} collapse into one pass: every answered message pokes,
   * and at hundreds of turns a second a pass per batch spent more on reading the outbox (whose
   * due rows, behind a rate-limited group, only grow) than on the turns themselves.
   */
  poke(): void {
    if (this.stopped || this.poked) return;
    this.poked = true;
    setTimeout(() => {
      this.poked = false;
      if (!this.stopped) void this.drainOnce();
    }, POKE_COALESCE_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Send every due row once (respecting pacing); resolves with how many were sent. */
  drainOnce(): Promise<number> {
    if (!this.running) {
      this.running = this.drain()
        .then((n) => {
          if (this.failing) this.log.info({}, 'outbox worker: the store answers again');
          this.failing = false;
          return n;
        })
        // A pass that could not read or write the outbox ends; the next poll tries again. A
        // rejection here would end the process, and with it every answer to users.
        .catch((err: unknown) => {
          const storage = writeFailureOf(err);
          const fields = storage ? { storage: storage.kind, code: storage.code } : { err };
          if (this.failing) this.log.debug(fields, 'outbox pass failed again');
          else this.log.error(fields, 'outbox pass failed; retrying at the next poll');
          this.failing = true;
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }
    return this.running;
  }

  /** Writes the marks that failed before; throws while the store still cannot take them. */
  private async recordDelivered(): Promise<void> {
    for (const [id, d] of this.unrecorded) {
      await this.store.outbox.markSent(id, d.at, d.used);
      this.unrecorded.delete(id);
    }
  }

  /**
   * Counts a delivered push and marks its rows sent. When that cannot be written the rows are
   * remembered as delivered and the pass ends: treating it as a failed push would send it again.
   */
  private async delivered(ids: readonly number[], target: PushTarget, used: PushTarget | void, scheduled: boolean): Promise<void> {
    const at = this.clock.now();
    const to = used ?? undefined;
    try {
      await this.pacer.record(used ?? target, at, scheduled);
      if (ids.length === 1) await this.store.outbox.markSent(ids[0]!, at, to);
      else await this.store.transaction(async () => {
        for (const id of ids) await this.store.outbox.markSent(id, at, to);
      });
    } catch (err) {
      for (const id of ids) this.unrecorded.set(id, { at, ...(to ? { used: to } : {}) });
      throw err;
    }
  }

  private async drain(): Promise<number> {
    let sent = 0;
    // Until the marks of what was already delivered are written, nothing more goes out.
    await this.recordDelivered();
    for (;;) {
      const now = this.clock.now();
      for (const [key, h] of this.held) if (h.until <= now.getTime()) this.held.delete(key);
      const due = await this.store.outbox.due(now, this.batch, [...this.held.values()].map((h) => h.target));
      if (due.length === 0 || this.stopped) return sent;
      // Between batches, let the event loop turn: a channel that resolves at once (the console) would
      // otherwise keep timers, inbound messages and V8's heap shrinking waiting for a long backlog.
      if (sent > 0) await new Promise((resolve) => setImmediate(resolve));
      // Several reminders due for one person (or group) go as one message: each push counts
      // against the chat's daily allowance, and one message with everything is easier to act on.
      const digests = new Map<string, OutboxItem[]>();
      for (const item of due) if (combinable(item)) digests.set(`${item.target.kind}:${item.target.id}`, [...(digests.get(`${item.target.kind}:${item.target.id}`) ?? []), item]);
      for (const item of due) {
        if (this.stopped) return sent;
        const group = digests.get(`${item.target.kind}:${item.target.id}`);
        if (group && group.length > 1 && group.includes(item) && group[0] !== item) continue;
        if (!this.mayPush()) {
          this.log.warn({ outboxId: item.id }, 'no longer the owner of this town: leaving the push to the new owner');
          return sent;
        }
        const key = `${item.target.kind}:${item.target.id}`;
        if (this.held.has(key)) continue;
        const wait = await this.pacer.delayFor(item.target, this.clock.now(), isScheduled(item));
        if (wait > 0) {
          // Hold the whole chat in memory until its window frees; writing each of its rows back
          // with a later time churned the database (and fsyncs) while a busy group filled up.
          this.held.set(key, { target: item.target, until: this.clock.now().getTime() + wait });
          continue;
        }
        if (group && group.length > 1 && group[0] === item) {
          if (await this.sendDigest(group)) sent += group.length;
        } else if (await this.sendOne(item)) sent++;
      }
    }
  }

  private async sendOne(item: OutboxItem): Promise<boolean> {
    let parts = item.partsSent;
    let used: PushTarget | void;
    try {
      const progress = {
        from: item.partsSent,
        onPart: async (n: number) => {
          parts = n;
          await this.store.outbox.markParts(item.id, n);
        },
      };
      used = await this.channel.push(item.target, item.reply, progress);
    } catch (err) {
      await this.failed(item, err, parts);
      return false;
    }
    await this.delivered([item.id], item.target, used, isScheduled(item));
    return true;
  }

  /** Due reminders for one target as one message, oldest first; every row is marked with it. */
  private async sendDigest(items: OutboxItem[]): Promise<boolean> {
    const target = items[0]!.target;
    const reply = { text: items.map((i) => i.reply.text).join('\n\n———\n\n') };
    let used: PushTarget | void;
    try {
      used = await this.channel.push(target, reply);
    } catch (err) {
      // Each row fails on its own; the next pass combines whatever is due again.
      await this.store.transaction(async () => {
        for (const i of items) await this.failed(i, err, 0);
      });
      return false;
    }
    await this.delivered(items.map((i) => i.id), target, used, true);
    return true;
  }

  private async failed(item: OutboxItem, err: unknown, parts: number): Promise<void> {
    const now = this.clock.now();
    const message = (err as Error).message ?? String(err);
    if (err instanceof HeldForReachError) {
      // The person never wrote to the bot: the message waits for them (their first message or
      // opening the chat delivers it); the group only gets a nudge, once a day, as its own row.
      await this.store.transaction(async () => {
        await this.store.outbox.hold(item.id, message, now);
        if (err.nudge) {
          await this.store.outbox.enqueue(
            { target: err.nudge.target, reply: err.nudge.reply, reason: NUDGE_REASON, dedupeKey: `nudge:${err.userId}:${err.nudge.target.id}:${chinaDay(now)}` },
            now,
          );
        }
      });
      this.log.info({ outboxId: item.id }, 'push held until the person writes to the bot');
      return;
    }
    const disposition = dispositionOf(err);
    const tooOld = now.getTime() - item.createdAt.getTime() >= this.maxLifeMs;
    if (disposition === 'drop') {
      await this.store.outbox.giveUp(item.id, message, now);
      this.log.warn({ outboxId: item.id, err: message }, 'push dropped: nothing to deliver');
      return;
    }
    if (disposition === 'give_up' || tooOld) {
      const why = disposition === 'give_up' ? '企业微信拒收' : `${Math.round(this.maxLifeMs / 3_600_000)} 小时内未能送达`;
      await this.store.transaction(async () => {
        await this.store.outbox.giveUp(item.id, message, now);
        if (item.reason !== GIVE_UP_REASON) await this.tellAdmins(item, why, message, parts, now);
      });
      this.log.error({ outboxId: item.id, attempts: item.attempts + 1, err: message }, 'push given up; admins told');
      return;
    }
    const retryAt = new Date(now.getTime() + retryDelayMs(item.attempts + 1));
    this.log.warn({ outboxId: item.id, attempts: item.attempts + 1, err: message }, 'push failed; will retry');
    await this.store.outbox.markFailed(item.id, message, retryAt);
  }

  /** The notice names where the push was going and why it stopped, never what it said. */
  private async tellAdmins(item: OutboxItem, why: string, error: string, parts: number, now: Date): Promise<void> {
    const to = item.target.kind === 'user' ? `成员 ${item.target.id}` : `群 ${item.target.id}`;
    const partly = parts > 0 ? `（已送达前 ${parts} 段）` : '';
    const text = `推送未送达：一条发给${to}的消息（第 ${item.id} 条，${item.reason}）${why}，已停止重试${partly}。原因：${error.slice(0, 120)}。请检查该会话是否仍可接收，必要时在 chats 中查看。`;
    for (const admin of this.admins) {
      if (item.target.kind === 'user' && item.target.id === admin) continue;
      await this.store.outbox.enqueue({ target: { kind: 'user', id: admin }, reply: { text }, reason: GIVE_UP_REASON, dedupeKey: `given-up:${item.id}:${admin}` }, now);
    }
  }
}
