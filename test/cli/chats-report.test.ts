import { describe, expect, it } from 'vitest';
import { renderChatsReport } from '../../src/cli/chats-report.js';
import { memoryChats } from '../channels/wecom/memory-chats.js';
import { testConfig, testDeps } from '../helpers/deps.js';

describe('renderChatsReport', () => {
  it('shows reachable and unreachable groups and members, and chats seen but not configured', async () => {
    const config = testConfig();
    const store = memoryChats();
    const at = new Date('2026-11-29T02:05:00Z'); // 10:05 in China
    await store.chats.touch('wrkGroup1', 'group', 'lisi', at);
    await store.chats.touch('lisi', 'single', 'lisi', at);
    await store.chats.touch('wrkStranger', 'group', 'zhouba', at);
    await store.chats.touch('visitor', 'single', 'visitor', at);
    const out = await renderChatsReport(config, store);
    const line = (needle: string) => out.split('\n').find((l) => l.includes(needle)) ?? '';

    expect(line('wrkGroup1')).toMatch(/^ {2}✓ 重点青少年工作群（wrkGroup1，广播群） — 可推送，最近一次 2026-11-29 10:05$/);
    expect(line('wrkPolice')).toMatch(/✗ 派出所工作群（wrkPolice，单位：镇派出所） — 尚不可推送/);
    expect(line('（镇团委，lisi）')).toMatch(/✓ 李四/);
    // The police group has not reached the bot yet, so the reachable broadcast group is used.
    expect(line('zhangsan')).toMatch(/✗ 张三.*尚未私聊过机器人.*「重点青少年工作群」/);
    expect(line('wangwu')).toMatch(/✗ 王五.*「重点青少年工作群」/);
    expect(line('wrkStranger')).toMatch(/群 wrkStranger — 最近一次 2026-11-29 10:05.*加到 groups/);
    expect(line('私聊 visitor')).toMatch(/不在 members 中/);
    expect(out).not.toMatch(/私聊 lisi/); // configured members are not "unconfigured chats"
  });

  it('shows who still has messages waiting for them', async () => {
    const deps = await testDeps();
    const now = new Date('2026-11-29T02:05:00Z');
    const id = (await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'zhangsan' }, reply: { text: '个案详情' }, reason: 't' }, now))!;
    await deps.store.outbox.hold(id, 'never wrote', now);
    const out = await renderChatsReport(deps.config, deps.store);
    expect(out.split('\n').find((l) => l.includes('zhangsan'))).toMatch(/有 1 条消息在等他（最早 2026-11-29 10:05）/);
    expect(out).not.toContain('个案详情');
  });

  it('says when a member cannot be reached at all', async () => {
    const config = { ...testConfig(), groups: [] };
    const out = await renderChatsReport(config, memoryChats());
    expect(out).toContain('（配置中没有 groups）');
    expect(out).toMatch(/张三.*只能等他自己来私聊/);
    expect(out).toContain('（无）');
  });
});
