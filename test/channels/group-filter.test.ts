import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Channel, MessageSink } from '../../src/core/channel.js';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { GroupFilterChannel, SensitiveIndex } from '../../src/channels/group-filter.js';
import { createApp } from '../../src/app.js';
import { fixedClock } from '../../src/core/clock.js';
import { OutboxWorker } from '../../src/core/outbox-worker.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { makeId } from '../helpers/intake-harness.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

const plan = loadPlanFile(new URL('../../plans/dunji-2023.txt', import.meta.url).pathname);

class RecordingChannel implements Channel {
  readonly name = 'test';
  sink!: MessageSink;
  readonly pushes: { target: PushTarget; reply: Reply }[] = [];
  async start(sink: MessageSink): Promise<void> {
    this.sink = sink;
  }
  async push(target: PushTarget, reply: Reply): Promise<void> {
    this.pushes.push({ target, reply });
  }
  async stop(): Promise<void> {}
}

function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  return { log, errors: () => lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50) };
}

const config = testConfig();

describe('the group filter', () => {
  it('masks names, ID numbers and phones on file in group replies and pushes, logs an error without the text, and leaves private chats alone', async () => {
    const store = await openSqliteStore(':memory:');
    await store.cases.insert(sampleCase);
    const inner = new RecordingChannel();
    const { log, errors } = capturingLogger();
    const ch = new GroupFilterChannel(inner, new SensitiveIndex(store, config), log);
    const leak = `王小明（341324201305061234）监护人王大山 13812345678，住王庄村`;
    await ch.start(async () => ({ replies: [{ text: leak, choices: [{ label: '王小明', value: 'x' }] }], duplicate: false }));
    const msg = { id: '1', channel: 'test', userId: 'lisi', chatId: 'wrkGroup1', chatType: 'group' as const, kind: 'text' as const, text: 'x', receivedAt: new Date() };
    const r = await inner.sink(msg);
    expect(r.replies[0]!.text).toBe('王*明（**************1234）监护人王*山 138****5678，住王庄村');
    expect(r.replies[0]!.choices![0]!.label).toBe('王*明');
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).not.toContain('王');
    expect(errors()[0]).not.toContain('1234');

    const priv = await inner.sink({ ...msg, id: '2', chatId: 'lisi', chatType: 'single' });
    expect(priv.replies[0]!.text).toBe(leak);

    await ch.push({ kind: 'chat', id: 'wrkGroup1' }, { text: leak });
    await ch.push({ kind: 'user', id: 'lisi' }, { text: leak });
    expect(inner.pushes.map((p) => p.reply.text.includes('王小明'))).toEqual([false, true]);
  });

  it('picks up a case added after start, and masks numbers shaped like an ID or a mobile even when not on file', async () => {
    const store = await openSqliteStore(':memory:');
    const index = new SensitiveIndex(store, config);
    await index.refresh();
    expect((await index.mask('刘小东')).hits).toBe(0);
    await store.cases.insert({ ...sampleCase, fullName: '刘小东' });
    await index.refresh();
    expect((await index.mask('个案 DJ-2026-0001 刘小东')).text).toBe('个案 DJ-2026-0001 刘*东');
    const other = makeId('11010519491231002');
    expect((await index.mask(`电话 13700001111 身份证 ${other}`)).text).toBe(`电话 137****1111 身份证 ${'*'.repeat(14)}${other.slice(-4)}`);
  });

  it('does not treat villages, units or staff names as children\'s names', async () => {
    const store = await openSqliteStore(':memory:');
    await store.cases.insert({ ...sampleCase, guardianName: '李四', bangjiaoName: '王庄' });
    const index = new SensitiveIndex(store, config);
    await index.refresh();
    expect((await index.mask('王庄村 帮扶责任人：李四')).hits).toBe(0);
  });

  it('end to end: no full name, ID number or phone reaches a group in a scripted session', async () => {
    const store = await openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    const clock = fixedClock(new Date('2026-11-29T02:00:00Z'));
    const { log, errors } = capturingLogger();
    const deps = { config, store, lookup: plainLookupKeys, plan, clock, log };
    const app = createApp(deps);
    const inner = new RecordingChannel();
    const ch = new GroupFilterChannel(inner, new SensitiveIndex(store, config), log);
    await ch.start(async (m) => app.router.dispatch(m));
    const worker = new OutboxWorker(store, ch, clock, log);
    const groupOut: string[] = [];
    let n = 0;
    const say = async (user: string, text: string, group?: string) => {
      const r = await inner.sink({ id: `s${++n}`, channel: 'test', userId: user, chatId: group ?? user, chatType: group ? 'group' : 'single', kind: 'text', text, receivedAt: clock.now() });
      if (group) groupOut.push(...r.replies.flatMap((x) => [x.text, ...(x.choices ?? []).map((c) => c.label)]));
    };
    const id = makeId('34132420100304123');
    // Everyone says hello in the groups so pushes can reach them.
    for (const u of ['lisi', 'zhangsan', 'wangwu', 'zhouba']) {
      await say(u, '你好', 'wrkGroup1');
      await say(u, '你好');
    }
    await say('zhangsan', '新增个案：刘小东，男，李庄村，有不良行为', 'wrkPolice');
    // The category comes from 「有不良行为」 in the first message; the guardian's name and phone come before the relation, and the mode is inferred from the relation, not asked.
    for (const a of [id, '初中', '陈梅 13600002222', '母亲', '逃学、网瘾', '公安机关矫治教育措施', '有', '否', '修改 帮扶责任人', '王五', '确认']) {
      await say('zhangsan', a);
    }
    expect(await store.cases.list()).toHaveLength(1);
    await say('zhangsan', '查看 DJ-2026-0001 完整 回访', 'wrkGroup1');
    await say('lisi', '刘小东的情况怎么样', 'wrkGroup1');
    await say('wangwu', `${id} 这个孩子归谁管`, 'wrkGroup1');
    await say('lisi', '帮助', 'wrkGroup1');
    await worker.drainOnce();
    groupOut.push(...inner.pushes.filter((p) => p.target.kind === 'chat').map((p) => p.reply.text));

    expect(groupOut.some((t) => t.includes('DJ-2026-0001'))).toBe(true);
    const all = groupOut.join('\n');
    for (const secret of ['刘小东', id, '陈梅', '13600002222', '公安机关矫治']) expect(all).not.toContain(secret);
    // The two messages where users typed the name or ID into a group were masked on the way back, if echoed at all;
    // nothing the bot composed itself needed the filter.
    expect(errors().every((l) => !l.includes('刘') && !l.includes(id))).toBe(true);
  });
});
