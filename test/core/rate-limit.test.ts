import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { rateLimitedSink, TOO_FAST_TEXT, UserRateLimiter } from '../../src/core/rate-limit.js';
import type { InboundMessage } from '../../src/domain/model/message.js';

const msg = (userId: string, i: number): InboundMessage => ({
  id: `${userId}-${i}`, channel: 'test', userId, chatId: userId, chatType: 'single', kind: 'text', text: '你好', receivedAt: new Date(),
});

describe('per-user rate limit', () => {
  it('answers a flood of 50 messages in one second with one notice, then silence, and does not slow others', async () => {
    const clock = fixedClock(new Date('2026-11-29T02:00:00Z'));
    let handled = 0;
    const sink = rateLimitedSink(async () => (handled++, { replies: [{ text: 'ok' }], duplicate: false }), new UserRateLimiter(clock));
    const texts: string[] = [];
    for (let i = 0; i < 50; i++) {
      clock.advance(20);
      texts.push(...(await sink(msg('flood', i))).replies.map((r) => r.text));
    }
    expect(texts.filter((t) => t === TOO_FAST_TEXT)).toHaveLength(1);
    const handledFlood = handled;
    expect(handledFlood).toBeLessThan(15);
    expect(handledFlood).toBeGreaterThanOrEqual(10);
    expect((await sink(msg('calm', 1))).replies).toEqual([{ text: 'ok' }]);

    // After the window the flooding user is served again, and a new flood earns a new notice.
    clock.advance(10_000);
    expect((await sink(msg('flood', 100))).replies).toEqual([{ text: 'ok' }]);
  });

  it('never limits someone writing at a human pace', async () => {
    const clock = fixedClock(new Date('2026-11-29T02:00:00Z'));
    const sink = rateLimitedSink(async () => ({ replies: [{ text: 'ok' }], duplicate: false }), new UserRateLimiter(clock));
    for (let i = 0; i < 200; i++) {
      clock.advance(600);
      expect((await sink(msg('u', i))).replies).toEqual([{ text: 'ok' }]);
    }
  });
});
