import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Channel, MessageSink } from '../../src/core/channel.js';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { GroupFilterChannel, SensitiveIndex } from '../../src/channels/group-filter.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';
import { sampleCase } from '../helpers/case-fixture.js';

const config = testConfig();

async function indexWith() {
  const store = await openSqliteStore(':memory:');
  await store.cases.insert(sampleCase);
  const index = new SensitiveIndex(store, config);
  await index.refresh();
  return index;
}

describe('the group filter against disguised names and numbers', () => {
  it.each([
    ['王 小 明', '王*明'],
    ['王\u200b小\u200d明', '王*明'],
    ['王\u3000小明', '王*明'],
    ['138 1234 5678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    ['3413 2420 1305 0612 34', '**************1234'],
  ])('masks %j', async (written, masked) => {
    const r = await (await indexWith()).mask(`请联系 ${written} 家`);
    expect(r.text).toBe(`请联系 ${masked} 家`);
    expect(r.hits).toBe(1);
  });

  it('leaves ordinary text with spaces alone', async () => {
    const r = await (await indexWith()).mask('在册个案 3 件，逾期 1 件，帮扶责任人：李四');
    expect(r).toEqual({ text: '在册个案 3 件，逾期 1 件，帮扶责任人：李四', hits: 0 });
  });
});

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

describe('one unreadable record', () => {
  it('found while old cases are marked, does not silence groups: other cases are still masked, and the admin is told once', async () => {
    const store = await openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    await store.cases.insert(sampleCase);
    await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0002', fullName: '李小红', idNumber: null, guardianPhone: '13700001111' });
    // Corrupt the first case's name: a flipped ciphertext byte.
    const row = store.db.prepare('SELECT full_name FROM cases WHERE id = 1').get() as { full_name: string };
    store.db.prepare('UPDATE cases SET full_name = ? WHERE id = 1').run(row.full_name.slice(0, -4) + (row.full_name.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    // As a store from before the marks: the filter has to decrypt each case to mark it.
    store.db.prepare('DELETE FROM identity_marks').run();
    store.db.prepare('UPDATE identity_mark_fill SET through = 0').run();
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const told: number[][] = [];
    const inner = new RecordingChannel();
    const ch = new GroupFilterChannel(inner, new SensitiveIndex(store, config), log, (ids) => told.push(ids));
    await ch.start(async () => ({ replies: [{ text: '李小红 13700001111' }], duplicate: false }));
    const msg = { id: '1', channel: 'test', userId: 'lisi', chatId: 'wrkGroup1', chatType: 'group' as const, kind: 'text' as const, text: 'x', receivedAt: new Date() };
    expect((await inner.sink(msg)).replies[0]!.text).toBe('李*红 137****1111');
    expect((await inner.sink({ ...msg, id: '2' })).replies[0]!.text).toBe('李*红 137****1111');
    expect(told).toEqual([[1]]);
  });

  it('made after the case was marked, still has its name and numbers masked', async () => {
    const store = await openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    await store.cases.insert(sampleCase);
    store.db.prepare("UPDATE cases SET full_name = 'v1:AAAA:BBBB:CCCC' WHERE id = 1").run();
    const told: number[][] = [];
    const inner = new RecordingChannel();
    const ch = new GroupFilterChannel(inner, new SensitiveIndex(store, config), pino({ level: 'silent' }), (ids) => told.push(ids));
    await ch.start(async () => ({ replies: [{ text: '王小明 13812345678' }], duplicate: false }));
    const msg = { id: '1', channel: 'test', userId: 'lisi', chatId: 'wrkGroup1', chatType: 'group' as const, kind: 'text' as const, text: 'x', receivedAt: new Date() };
    expect((await inner.sink(msg)).replies[0]!.text).toBe('王*明 138****5678');
    expect(told).toEqual([]);
  });
});
