import { describe, expect, it } from 'vitest';
import { resolvePushTarget, UnreachableTargetError } from '../../src/core/push-target.js';
import { memoryChats } from '../channels/wecom/memory-chats.js';
import { testConfig } from '../helpers/deps.js';

const now = new Date('2026-11-29T02:00:00Z');

function setup() {
  const config = testConfig();
  const store = memoryChats();
  return { config, store };
}

describe('resolvePushTarget', () => {
  it('a person who wrote to the bot privately is reached directly', async () => {
    const { config, store } = setup();
    await store.chats.touch('zhangsan', 'single', 'zhangsan', now);
    expect(await resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, config)).toEqual({
      target: { kind: 'user', id: 'zhangsan' },
      redirected: false,
    });
  });

  it('otherwise a notice naming the cadre goes to their unit’s group', async () => {
    const { config, store } = setup();
    const r = await resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, config);
    expect(r.target).toEqual({ kind: 'chat', id: 'wrkPolice' }); // 镇派出所's group
    expect(r.redirected).toBe(true);
    expect(r.notice).toEqual({ text: expect.stringMatching(/^@张三：您有护苗助手的私信提醒，请私聊机器人/), mentions: ['zhangsan'] });
    expect(r.mention).toEqual({ userid: 'zhangsan', name: '张三' });
  });

  it('falls back to the broadcast group when the unit has none', async () => {
    const { config, store } = setup();
    const r = await resolvePushTarget({ kind: 'user', id: 'wangwu' }, store, config); // 镇民政所
    expect(r.target).toEqual({ kind: 'chat', id: 'wrkGroup1' });
    expect(r.notice!.text).toContain('@王五');
  });

  it('prefers a group the bot can reach over an unreachable unit group', async () => {
    const { config, store } = setup();
    await store.chats.touch('wrkGroup1', 'group', 'lisi', now);
    expect((await resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, config)).target.id).toBe('wrkGroup1');
    await store.chats.touch('wrkPolice', 'group', 'zhangsan', now);
    expect((await resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, config)).target.id).toBe('wrkPolice');
  });

  it('a group with a webhook key counts as reachable', async () => {
    const { config, store } = setup();
    await store.chats.touch('wrkGroup1', 'group', 'lisi', now);
    const groups = config.groups.map((g) => (g.chatid === 'wrkPolice' ? { ...g, webhookKey: 'k' } : g));
    const r = await resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, { ...config, groups });
    expect(r.target.id).toBe('wrkPolice');
    expect(r.group?.webhookKey).toBe('k');
  });

  it('group targets go where addressed', async () => {
    const { config, store } = setup();
    expect(await resolvePushTarget({ kind: 'chat', id: 'wrkPolice' }, store, config)).toMatchObject({
      target: { kind: 'chat', id: 'wrkPolice' },
      redirected: false,
      group: { name: '派出所工作群' },
    });
  });

  it('with no group to leave a notice in, it says whom to ask', async () => {
    const { config, store } = setup();
    await expect(resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, { ...config, groups: [] })).rejects.toThrow(UnreachableTargetError);
    await expect(resolvePushTarget({ kind: 'user', id: 'zhangsan' }, store, { ...config, groups: [] })).rejects.toThrow(/张三（zhangsan）/);
  });
});
