import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/core/group-commit.js';
import { Router } from '../../src/core/router.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { Handler } from '../../src/core/context.js';
import { silentLogger } from '../../src/core/log.js';
import { testDeps } from '../helpers/deps.js';

const msg = (id: string, text: string): InboundMessage => ({
  id,
  channel: 'test',
  userId: 'lisi',
  chatId: 'lisi',
  chatType: 'single',
  kind: 'text',
  text,
  receivedAt: new Date(),
});

/** Enqueues one push per message, and fails on 「坏」. */
const pushing: Handler = {
  name: 'pushing',
  async handle(ctx) {
    await ctx.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: ctx.msg.text }, reason: 't' }, ctx.clock.now());
    if (ctx.msg.text === '坏') throw new Error('handler bug');
    return [{ text: `好:${ctx.msg.text}` }];
  },
};

describe('group commit', () => {
  it('handles a burst in one commit, isolating a failing message to its own savepoint', async () => {
    const deps = await testDeps();
    let commits = 0;
    const tx = deps.store.transaction.bind(deps.store);
    deps.store.transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
      const outer = !(deps.store as unknown as { db: { inTransaction(): boolean } }).db.inTransaction();
      const r = await tx(fn);
      if (outer) commits++;
      return r;
    };
    const gc = new GroupCommit(deps.store, new Router(deps, [pushing]), silentLogger);
    const results = await Promise.all(['一', '坏', '三'].map((t, i) => gc.dispatch(msg(`m${i}`, t))));
    expect(commits).toBe(1);
    expect(results.map((r) => r.replies[0]!.text)).toEqual(['好:一', expect.stringContaining('没有生效'), '好:三']);
    // The failed message left nothing behind; the others kept their pushes.
    expect((await deps.store.outbox.list(10)).map((o) => o.reply.text).sort()).toEqual(['一', '三']);
    // …and its id was not recorded, so a redelivery is handled afresh.
    expect(await deps.store.inbound.claim({ id: 'm1', channel: 'test', userId: 'lisi', chatId: 'lisi' }, new Date())).toBe(true);
    expect(await deps.store.inbound.claim({ id: 'm0', channel: 'test', userId: 'lisi', chatId: 'lisi' }, new Date())).toBe(false);
  });

  it('answers only after the commit, and a failed commit answers with an apology and keeps nothing', async () => {
    const deps = await testDeps();
    const gc = new GroupCommit(deps.store, new Router(deps, [pushing]), silentLogger);
    const realTx = deps.store.transaction.bind(deps.store);
    deps.store.transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
      if ((deps.store as unknown as { db: { inTransaction(): boolean } }).db.inTransaction()) return realTx(fn);
      return realTx(async () => {
        await fn();
        throw new Error('disk I/O error');
      });
    };
    const r = await gc.dispatch(msg('x1', '一'));
    expect(r.replies[0]!.text).toContain('没有生效');
    expect(await deps.store.outbox.pending()).toBe(0);
  });
});
