import type { PushTarget } from '../../domain/model/message.js';
import type { Pacer } from '../../core/outbox-worker.js';

/**
 * WeCom's limits per conversation, replies and pushes together: 30 a minute and 1000 an hour.
 * Some readings of the long-connection docs add 10 proactive pushes per conversation a day; the
 * bot keeps to that stricter reading for its scheduled reminders and bulletins.
 */
export const WECOM_LIMITS = { perMinute: 30, perHour: 1000, scheduledPerDay: 10 } as const;

/** The China calendar day of an instant, and the instant the next one starts. */
function chinaDay(t: number): { day: string; next: number } {
  const shifted = t + 8 * HOUR_MS;
  const start = shifted - (shifted % (24 * HOUR_MS));
  return { day: new Date(start).toISOString().slice(0, 10), next: start + 24 * HOUR_MS - 8 * HOUR_MS };
}
const HOUR_MS = 3_600_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Per-chat sliding-window rate limiter for the long connection: at most 30 messages a minute
 * and 1000 an hour into one conversation, counting replies as well as pushes. Excess messages
 * are dropped or refused by WeCom, so the outbox worker asks {@link delayFor} before each push.
 *
 * The WeCom channel reports every frame it really sends through {@link noteSent} (a long reply
 * may take several frames, a redirected push lands in another chat), so {@link record} — the
 * worker's hook — does nothing; pass the same instance to the channel and to the worker.
 * Counts live in memory: after a restart the first minute may run a little over.
 */
export class WecomPacer implements Pacer {
  private readonly sent = new Map<string, number[]>();
  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly scheduledPerDay: number;
  private readonly scheduledToday = new Map<string, { day: string; n: number }>();

  constructor(
    opts: {
      perMinute?: number;
      perHour?: number;
      /** Scheduled pushes a conversation gets per day; the rest wait for the next day. */
      scheduledPerDay?: number;
      /** Maps a push target to the chat it will really go to (see resolvePushTarget). */
      chatOf?: (target: PushTarget) => Promise<string>;
    } = {},
  ) {
    this.perMinute = opts.perMinute ?? WECOM_LIMITS.perMinute;
    this.perHour = opts.perHour ?? WECOM_LIMITS.perHour;
    this.scheduledPerDay = opts.scheduledPerDay ?? WECOM_LIMITS.scheduledPerDay;
    this.chatOf = opts.chatOf ?? (async (t) => t.id);
  }

  private readonly chatOf: (target: PushTarget) => Promise<string>;

  async delayFor(target: PushTarget, now: Date, scheduled = false): Promise<number> {
    const chatId = await this.chatOf(target);
    const rate = this.delayForChat(chatId, now);
    if (!scheduled) return rate;
    const { day, next } = chinaDay(now.getTime());
    const used = this.scheduledToday.get(chatId);
    const full = used?.day === day && used.n >= this.scheduledPerDay;
    return Math.max(rate, full ? next - now.getTime() : 0);
  }

  /**
   * The worker's hook after a push: counts scheduled pushes per day. Frames are counted by the
   * channel itself through noteSent (a long message takes several).
   */
  async record(target: PushTarget, now: Date, scheduled = false): Promise<void> {
    if (!scheduled) return;
    const chatId = await this.chatOf(target);
    const { day } = chinaDay(now.getTime());
    const used = this.scheduledToday.get(chatId);
    this.scheduledToday.set(chatId, { day, n: used?.day === day ? used.n + 1 : 1 });
  }

  /**
   * Milliseconds until `frames` more messages fit into `chatId`'s windows; 0 when they fit now.
   * A burst bigger than a whole window is allowed once the window is empty.
   */
  delayForChat(chatId: string, now: Date, frames = 1): number {
    const t = now.getTime();
    const times = this.prune(chatId, t);
    const waitFor = (window: number, limit: number): number => {
      const inWindow = times.filter((x) => x > t - window);
      const need = Math.min(frames, limit);
      const excess = inWindow.length + need - limit;
      if (excess <= 0) return 0;
      // The oldest `excess` sends must leave the window first.
      return inWindow[excess - 1]! + window - t;
    };
    return Math.max(waitFor(MINUTE, this.perMinute), waitFor(HOUR, this.perHour));
  }

  /** Count `frames` messages just sent into `chatId`. */
  noteSent(chatId: string, now: Date, frames = 1): void {
    const t = now.getTime();
    const times = this.prune(chatId, t);
    for (let i = 0; i < frames; i++) times.push(t);
    this.sent.set(chatId, times);
  }

  private prune(chatId: string, t: number): number[] {
    const times = (this.sent.get(chatId) ?? []).filter((x) => x > t - HOUR);
    if (times.length) this.sent.set(chatId, times);
    else this.sent.delete(chatId);
    return times;
  }
}
