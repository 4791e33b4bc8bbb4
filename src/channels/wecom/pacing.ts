import type { PushTarget } from '../../core/message.js';
import type { Pacer } from '../../core/outbox-worker.js';

/** WeCom's documented limit per conversation, replies and pushes together (docs §6.2). */
export const WECOM_LIMITS = { perMinute: 30, perHour: 1000 } as const;

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

  constructor(
    opts: {
      perMinute?: number;
      perHour?: number;
      /** Maps a push target to the chat it will really go to (see resolvePushTarget). */
      chatOf?: (target: PushTarget) => string;
    } = {},
  ) {
    this.perMinute = opts.perMinute ?? WECOM_LIMITS.perMinute;
    this.perHour = opts.perHour ?? WECOM_LIMITS.perHour;
    this.chatOf = opts.chatOf ?? ((t) => t.id);
  }

  private readonly chatOf: (target: PushTarget) => string;

  delayFor(target: PushTarget, now: Date): number {
    return this.delayForChat(this.chatOf(target), now);
  }

  /** The worker's hook; a no-op because the channel counts real frames via noteSent. */
  record(_target: PushTarget, _now: Date): void {}

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
