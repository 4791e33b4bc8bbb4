import { describe, expect, it } from 'vitest';
import { OutboxWorker, retryDelayMs, type Pacer } from '../../src/core/outbox-worker.js';
import type { Channel } from '../../src/core/channel.js';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { silentLogger } from '../../src/core/log.js';
import { fixedClock } from '../../src/core/clock.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { WecomPacer, WECOM_LIMITS } from '../../src/channels/wecom/pacing.js';

function fakeChannel(fail: (t: PushTarget) => boolean) {
  const sent: Array<[PushTarget, Reply]> = [];
  const ch: Channel = {
    name: 'fake',
    start: async () => {},
    stop: async () => {},
    push: async (t, r) => {
      if (fail(t)) throw new Error('not acknowledged');
      sent.push([t, r]);
    },
  };
  return { ch, sent };
}

describe('outbox worker', () => {
  it('sends due rows once and retries failures with backoff', async () => {
    const store = await openSqliteStore(':memory:');
    const clock = fixedClock(new Date('2026-11-29T00:00:00Z'));
    let down = true;
    const { ch, sent } = fakeChannel((t) => t.id === 'g' && down);
    await store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: '一' }, reason: 't' }, clock.now());
    await store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: '二' }, reason: 't' }, clock.now());
    const w = new OutboxWorker(store, ch, clock, silentLogger);
    expect(await w.drainOnce()).toBe(1);
    expect(await w.drainOnce()).toBe(0); // the failed one waits for its retry time
    down = false;
    clock.advance(retryDelayMs(1));
    expect(await w.drainOnce()).toBe(1);
    expect(await w.drainOnce()).toBe(0);
    expect(sent.map(([, r]) => r.text)).toEqual(['一', '二']);
    expect(await store.outbox.pending()).toBe(0);
  });

  it('a scheduled push is counted against its chat’s daily allowance before the next one is judged', async () => {
    const store = await openSqliteStore(':memory:');
    const clock = fixedClock(new Date('2026-11-30T01:00:00Z')); // 09:00 in China
    const { ch, sent } = fakeChannel(() => false);
    // Twelve reminders to people who never wrote, all redirected into one group; finding where a
    // push goes takes a while, longer on some calls than others, as a store read can.
    for (let i = 0; i < 12; i++) await store.outbox.enqueue({ target: { kind: 'user', id: `u${i}` }, reply: { text: `提醒 ${i}` }, reason: 'job.visit-due' }, clock.now());
    let calls = 0;
    const pacer = new WecomPacer({
      chatOf: async () => {
        await new Promise((r) => setTimeout(r, calls++ % 2 === 1 ? 20 : 0));
        return 'unitGroup';
      },
    });
    const w = new OutboxWorker(store, ch, clock, silentLogger, { pacer });
    await w.drainOnce();
    expect(sent).toHaveLength(WECOM_LIMITS.scheduledPerDay);
    expect(await store.outbox.pending()).toBe(12 - WECOM_LIMITS.scheduledPerDay);
  });

  it('stops pushing the moment this process no longer owns the town, leaving the rows unsent', async () => {
    const store = await openSqliteStore(':memory:');
    const clock = fixedClock(new Date('2026-11-29T00:00:00Z'));
    const { ch, sent } = fakeChannel(() => false);
    for (const text of ['一', '二', '三']) await store.outbox.enqueue({ target: { kind: 'user', id: text }, reply: { text }, reason: 't' }, clock.now());
    let owner = true;
    const w = new OutboxWorker(store, ch, clock, silentLogger, {
      mayPush: () => owner,
      pacer: { delayFor: () => 0, record: () => void (owner = false) }, // the lease lapses after the first push
    });
    expect(await w.drainOnce()).toBe(1);
    expect(sent.map(([, r]) => r.text)).toEqual(['一']);
    expect(await store.outbox.pending()).toBe(2);
  });

  it('holds back a chat the pacer says is full, without writing to its rows, and sends it later', async () => {
    const store = await openSqliteStore(':memory:');
    const clock = fixedClock(new Date('2026-11-29T00:00:00Z'));
    const { ch, sent } = fakeChannel(() => false);
    let busyUntil = clock.now().getTime() + 30_000;
    const pacer: Pacer = { delayFor: (t, now) => (t.id === 'busy' ? Math.max(0, busyUntil - now.getTime()) : 0), record: () => {} };
    for (const text of ['a1', 'a2', 'a3']) await store.outbox.enqueue({ target: { kind: 'chat', id: 'busy' }, reply: { text }, reason: 't' }, clock.now());
    await store.outbox.enqueue({ target: { kind: 'chat', id: 'free' }, reply: { text: 'b' }, reason: 't' }, clock.now());
    const w = new OutboxWorker(store, ch, clock, silentLogger, { pacer, batch: 2 });
    await w.drainOnce();
    // The free chat is not stuck behind the busy one, even with a batch smaller than the queue.
    expect(sent.map(([t]) => t.id)).toEqual(['free']);
    const held = (await store.outbox.list(10)).filter((i) => i.target.id === 'busy');
    expect(held.map((i) => [i.attempts, i.nextAttemptAt.getTime()])).toEqual(held.map(() => [0, clock.now().getTime()]));
    clock.advance(30_000);
    busyUntil = 0;
    await w.drainOnce();
    expect(sent.map(([, r]) => r.text)).toEqual(['b', 'a1', 'a2', 'a3']);
  });

  it('backoff grows and is capped', () => {
    expect(retryDelayMs(1)).toBe(5_000);
    expect(retryDelayMs(2)).toBe(10_000);
    expect(retryDelayMs(50)).toBe(30 * 60_000);
  });
});
