import { describe, expect, it } from 'vitest';
import { Router } from '../../src/core/router.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { Handler } from '../../src/core/context.js';
import { testDeps } from '../helpers/deps.js';

const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  id: 'm1',
  channel: 'test',
  userId: 'lisi',
  chatId: 'wrkGroup1',
  chatType: 'group',
  kind: 'text',
  text: '你好',
  receivedAt: new Date(),
  ...over,
});

describe('router', () => {
  it('offers the message to handlers in order and records the chat', async () => {
    const deps = await testDeps();
    const seen: string[] = [];
    const pass: Handler = { name: 'pass', handle: () => (seen.push('pass'), null) };
    const take: Handler = { name: 'take', handle: (ctx) => [{ text: `收到 ${ctx.member?.name}` }] };
    const never: Handler = { name: 'never', handle: () => (seen.push('never'), []) };
    const r = await new Router(deps, [pass, take, never]).dispatch(msg());
    expect(r).toEqual({ replies: [{ text: '收到 李四' }], duplicate: false });
    expect(seen).toEqual(['pass']);
    expect((await deps.store.chats.get('wrkGroup1'))?.lastUserId).toBe('lisi');
  });

  it('runs handlers once per message id and repeats the first answer on redelivery', async () => {
    const deps = await testDeps();
    let n = 0;
    const h: Handler = {
      name: 'count',
      handle: async (ctx) => {
        n++;
        await ctx.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: 'x' }, reason: 't' }, ctx.clock.now());
        return [{ text: `第${n}次` }];
      },
    };
    const router = new Router(deps, [h]);
    expect((await router.dispatch(msg())).replies).toEqual([{ text: '第1次' }]);
    expect(await router.dispatch(msg())).toEqual({ replies: [{ text: '第1次' }], duplicate: true });
    expect(n).toBe(1);
    expect(await deps.store.outbox.pending()).toBe(1);
  });

  it('rolls back a failing turn so a redelivery can try again, and answers politely', async () => {
    const deps = await testDeps();
    let fail = true;
    const h: Handler = {
      name: 'flaky',
      handle: async (ctx) => {
        await ctx.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: 'x' }, reason: 't' }, ctx.clock.now());
        if (fail) throw new Error('disk on fire');
        return [{ text: 'ok' }];
      },
    };
    const router = new Router(deps, [h]);
    const first = await router.dispatch(msg());
    expect(first.replies[0]!.text).toContain('没有生效');
    expect(await deps.store.outbox.pending()).toBe(0);
    fail = false;
    expect(await router.dispatch(msg())).toEqual({ replies: [{ text: 'ok' }], duplicate: false });
  });

  it('leaves member undefined for people not in the config', async () => {
    const deps = await testDeps();
    let member: unknown = 'unset';
    await new Router(deps, [{ name: 'm', handle: (ctx) => ((member = ctx.member), []) }]).dispatch(msg({ userId: 'stranger' }));
    expect(member).toBeUndefined();
  });
});
