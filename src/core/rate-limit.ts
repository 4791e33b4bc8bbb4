import type { MessageSink } from './channel.js';
import type { Clock } from './clock.js';
import type { Reply } from '../domain/model/message.js';

export const TOO_FAST_TEXT = '您发送得太快了，请稍后再试。';

export interface RateLimitOptions {
  /** Messages a user may send at once before the limit applies. */
  burst: number;
  /** Messages per second a user may keep sending. */
  perSecond: number;
}

/** Generous for people typing or clicking buttons; a script or a stuck client hits it at once. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 10, perSecond: 2 };

interface Bucket {
  tokens: number;
  at: number;
  noticed: boolean;
}

/**
 * A token bucket per user. A flood gets one polite notice and then silence until the bucket
 * has refilled completely (burst / perSecond seconds, 5 s by default), so one user cannot starve the others or fill the database; other users have their
 * own buckets and are not slowed.
 */
export class UserRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: RateLimitOptions = DEFAULT_RATE_LIMIT,
  ) {}

  check(userId: string): 'ok' | 'notice' | 'silent' {
    const now = this.clock.now().getTime();
    const b = this.buckets.get(userId) ?? { tokens: this.opts.burst, at: now, noticed: false };
    b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.perSecond);
    b.at = now;
    this.buckets.set(userId, b);
    if (this.buckets.size > 10_000) this.prune(now);
    // After a notice the user waits for a full bucket, so a steady flood gets one notice per
    // window instead of one per trickled-in token.
    if (b.tokens >= (b.noticed ? this.opts.burst : 1)) {
      b.tokens -= 1;
      b.noticed = false;
      return 'ok';
    }
    if (b.noticed) return 'silent';
    b.noticed = true;
    return 'notice';
  }

  /** Full buckets carry no state worth keeping. */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.opts.perSecond >= this.opts.burst) this.buckets.delete(k);
    }
  }
}

/** Wraps the router's sink: over-limit messages never reach a handler or the database. */
export function rateLimitedSink(sink: MessageSink, limiter: UserRateLimiter): MessageSink {
  const notice: Reply = { text: TOO_FAST_TEXT };
  return async (msg) => {
    const verdict = limiter.check(msg.userId);
    if (verdict === 'ok') return sink(msg);
    return { replies: verdict === 'notice' ? [notice] : [], duplicate: false };
  };
}
