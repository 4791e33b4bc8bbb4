import { describe, expect, it } from 'vitest';
import type { Channel, PushProgress } from '../../src/core/channel.js';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { GIVE_UP_REASON, OutboxWorker } from '../../src/core/outbox-worker.js';
import { WecomSendError } from '../../src/channels/wecom/errors.js';
import { testDeps } from '../helpers/deps.js';

/** A channel whose parts fail as the test says. */
function scriptedChannel(fail: (target: PushTarget, part: number) => Error | undefined) {
  const delivered: Array<{ to: string; part: number; text: string }> = [];
  const channel: Channel = {
    name: 'scripted',
    start: async () => {},
    stop: async () => {},
    async push(target: PushTarget, reply: Reply, progress?: PushProgress) {
      const parts = reply.text.split('|');
      for (let i = progress?.from ?? 0; i < parts.length; i++) {
        const err = fail(target, i);
        if (err) throw err;
        delivered.push({ to: target.id, part: i, text: parts[i]! });
        await progress?.onPart(i + 1);
      }
    },
  };
  return { channel, delivered };
}

describe('outbox failures', () => {
  it('a long push that failed halfway sends only the parts not yet delivered', async () => {
    const deps = await testDeps();
    let failSecond = true;
    const { channel, delivered } = scriptedChannel((_t, part) => {
      if (part === 1 && failSecond) {
        failSecond = false;
        return new WecomSendError('ack timeout');
      }
      return undefined;
    });
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log);
    await deps.store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: '一|二|三' }, reason: 't' }, deps.clock.now());
    expect(await worker.drainOnce()).toBe(0);
    expect((await deps.store.outbox.list(1))[0]!.partsSent).toBe(1);
    deps.clock.advance(60_000);
    expect(await worker.drainOnce()).toBe(1);
    expect(delivered.map((d) => d.text)).toEqual(['一', '二', '三']);
  });

  it('a refusal that retrying cannot change is given up at once and the admins are told, without the content', async () => {
    const deps = await testDeps();
    const { channel, delivered } = scriptedChannel((t) => (t.id === 'gone' ? new WecomSendError('企业微信未确认', 93006) : undefined));
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { admins: ['lisi'] });
    const id = (await deps.store.outbox.enqueue({ target: { kind: 'chat', id: 'gone' }, reply: { text: '王小明 的走访提醒' }, reason: 'followup.due' }, deps.clock.now()))!;
    await worker.drainOnce();
    const rows = await deps.store.outbox.list(10);
    expect(rows.find((r) => r.id === id)!.givenUpAt).not.toBeNull();
    const told = rows.find((r) => r.reason === GIVE_UP_REASON)!;
    expect(told.target).toEqual({ kind: 'user', id: 'lisi' });
    expect(told.sentAt).not.toBeNull();
    // A sent row keeps no body, so what the admin was told is read from what went out.
    const notice = delivered.filter((d) => d.to === 'lisi').map((d) => d.text).join('|');
    expect(notice).toMatch(/推送未送达/);
    expect(notice).not.toContain('王小明');
    expect(delivered.some((d) => d.to === 'gone')).toBe(false);
    // Nothing more is tried.
    deps.clock.advance(3_600_000);
    expect(await worker.drainOnce()).toBe(0);
  });

  it('a passing failure is retried with backoff until the push’s life runs out, then the admins are told', async () => {
    const deps = await testDeps();
    const { channel } = scriptedChannel((t) => (t.id === 'busy' ? new WecomSendError('system busy', -1) : undefined));
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { admins: ['lisi'], maxLifeMs: 3_600_000 });
    const id = (await deps.store.outbox.enqueue({ target: { kind: 'chat', id: 'busy' }, reply: { text: 'x' }, reason: 't' }, deps.clock.now()))!;
    await worker.drainOnce();
    const row = async () => (await deps.store.outbox.list(10)).find((r) => r.id === id)!;
    expect(await row()).toMatchObject({ attempts: 1, givenUpAt: null });
    for (let i = 0; i < 20 && (await row()).givenUpAt === null; i++) {
      deps.clock.advance(10 * 60_000);
      await worker.drainOnce();
    }
    expect((await row()).givenUpAt).not.toBeNull();
    expect((await row()).attempts).toBeGreaterThan(2);
    expect((await deps.store.outbox.list(10)).filter((r) => r.reason === GIVE_UP_REASON)).toHaveLength(1);
  });

  it('empty content is dropped quietly', async () => {
    const deps = await testDeps();
    const { channel } = scriptedChannel(() => new WecomSendError('empty', 44004));
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { admins: ['lisi'] });
    await deps.store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: ' ' }, reason: 't' }, deps.clock.now());
    await worker.drainOnce();
    expect((await deps.store.outbox.list(10)).filter((r) => r.reason === GIVE_UP_REASON)).toHaveLength(0);
    expect(await deps.store.outbox.pending()).toBe(0);
  });
});

describe('the store cannot write while pushes go out', () => {
  const full = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));

  it('a delivered push whose mark cannot be written is not sent again, ends no process, and is marked once the store writes', async () => {
    const deps = await testDeps();
    const { channel, delivered } = scriptedChannel(() => undefined);
    await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: '甲' }, reason: 't' }, deps.clock.now());
    await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'zhangsan' }, reply: { text: '乙' }, reason: 't' }, deps.clock.now());
    const outbox = deps.store.outbox;
    const { markSent, markFailed } = { markSent: outbox.markSent.bind(outbox), markFailed: outbox.markFailed.bind(outbox) };
    outbox.markSent = full;
    outbox.markFailed = full;
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log);
    // Each pass resolves: a rejection from the worker's poll would end the process.
    for (let i = 0; i < 3; i++) {
      await expect(worker.drainOnce()).resolves.toBe(0);
      deps.clock.advance(1_000);
    }
    expect(delivered.map((d) => d.text)).toEqual(['甲']);

    outbox.markSent = markSent;
    outbox.markFailed = markFailed;
    await worker.drainOnce();
    expect(delivered.map((d) => d.text)).toEqual(['甲', '乙']);
    expect(await deps.store.outbox.pending()).toBe(0);
  });

  it('a push that failed while its failure cannot be written is tried again, not lost', async () => {
    const deps = await testDeps();
    let down = true;
    const { channel, delivered } = scriptedChannel(() => (down ? new WecomSendError('ack timeout') : undefined));
    await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: '甲' }, reason: 't' }, deps.clock.now());
    const outbox = deps.store.outbox;
    const markFailed = outbox.markFailed.bind(outbox);
    outbox.markFailed = full;
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log);
    await expect(worker.drainOnce()).resolves.toBe(0);
    outbox.markFailed = markFailed;
    down = false;
    await expect(worker.drainOnce()).resolves.toBe(1);
    expect(delivered.map((d) => d.text)).toEqual(['甲']);
  });
});

describe('reminders combined', () => {
  it('several scheduled reminders due for one person go as one message; interactive ones stay separate', async () => {
    const deps = await testDeps();
    const { channel, delivered } = scriptedChannel(() => undefined);
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log);
    const me = { kind: 'user' as const, id: 'wangwu' };
    await deps.store.outbox.enqueue({ target: me, reply: { text: '【即将到期】A' }, reason: 'job.due-soon' }, deps.clock.now());
    await deps.store.outbox.enqueue({ target: me, reply: { text: '【逾期提醒】B' }, reason: 'job.overdue' }, deps.clock.now());
    await deps.store.outbox.enqueue({ target: me, reply: { text: '请继续登记' }, reason: 'intake.moved-to-private' }, deps.clock.now());
    expect(await worker.drainOnce()).toBe(3);
    expect(delivered.map((d) => d.text)).toEqual(['【即将到期】A\n\n———\n\n【逾期提醒】B', '请继续登记']);
    expect(await deps.store.outbox.pending()).toBe(0);
  });
});
