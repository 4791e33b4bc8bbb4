import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { Reply } from '../../src/domain/model/message.js';
import { purgeClosedBefore } from '../../src/domain/privacy/purge.js';
import { sql } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { dumpTables, filesUnder, foundIn } from '../helpers/byte-search.js';
import { cleanupStores, storeKinds, type StoreKind, type TestStore } from '../helpers/stores.js';

afterEach(cleanupStores);

const SECRETS = ['王小明', '341324201305061234', '13812345678', '王大山'];
const t0 = new Date('2026-03-10T02:00:00Z');

/** One copy of the child's identity in every table that can hold one. */
async function writeEverywhere(s: TestStore): Promise<number> {
  const c = await s.cases.insert(sampleCase);
  await s.inbound.claim({ channel: 'test', id: 'm1', userId: 'u1', chatId: 'u1' }, t0);
  await s.inbound.saveReplies('test', 'm1', [{ text: '王小明 341324201305061234 监护人王大山 13812345678' }]);
  await s.outbox.enqueue({ target: { kind: 'user', id: 'u1' }, reply: { text: '您负责的王小明（王大山 13812345678）' }, reason: 'test' }, t0);
  const sent = (await s.outbox.enqueue({ target: { kind: 'user', id: 'u2' }, reply: { text: '王小明' }, reason: 'test' }, t0))!;
  await s.outbox.markSent(sent, t0);
  await s.audit.append({ at: t0, actor: 'u1', action: 'view-full', caseCode: c.code, reason: '核实王小明的监护人王大山' });
  await s.followup.saveDialog('u1', 'u1', { kind: 'close', code: c.code, step: 'confirm', reason: 'C99 其他：王小明随王大山外出' }, t0);
  await s.followup.close(c.id, 'C99 其他：王小明随监护人王大山迁往外省', new Date('2026-04-01T02:00:00Z'));
  const summary: Reply = { text: '请核对：姓名：王小明 身份证号：341324201305061234 监护人：王大山 13812345678', choices: [{ label: '确认', value: '确认' }] };
  await s.cards.save({ taskId: 't1', chatId: 'u1', userId: 'u1', forUser: 'u1', turn: 1, key: 'case-intake:2:__confirm', standing: false, body: { title: '核对王小明', choices: summary.choices }, createdAt: t0, expiresAt: new Date(t0.getTime() + 86_400_000) });
  await s.cards.saveTurn('u1', 'u1', { turn: 1, key: 'case-intake:2:__confirm', reply: summary, at: t0 });
  await s.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply: { text: '已保存个案。姓名：王小明 监护人：王大山 13812345678' }, at: t0 });
  return c.id;
}

describe.each(storeKinds)('personal data at rest ($name)', (kind: StoreKind) => {
  it('with the key, no table holds the name, ID number, phone or guardian in plain text, and everything reads back', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)), persistent: true });
    await writeEverywhere(s);
    expect(foundIn(await dumpTables(s), SECRETS)).toEqual([]);
    expect((await s.inbound.replies('test', 'm1'))![0]!.text).toContain('王小明');
    expect((await s.outbox.due(t0, 10))[0]!.reply.text).toContain('王大山');
    expect((await s.audit.list())[0]!.reason).toBe('核实王小明的监护人王大山');
    expect((await s.cases.getByCode(sampleCase.code))!.closeReason).toBe('C99 其他：王小明随监护人王大山迁往外省');
    expect((await s.cases.summaries())[0]!.closeReason).toBe('C99 其他：王小明随监护人王大山迁往外省');
    expect(((await s.followup.dialog('u1', 'u1'))!.state as { reason: string }).reason).toContain('王小明');
    expect(await s.audit.verify()).toMatchObject({ ok: true, count: 1 });
    expect(((await s.cards.get('t1', t0))!.body as { title: string }).title).toBe('核对王小明');
    expect((await s.cards.turn('u1', 'u1'))!.reply!.text).toContain('王小明');
    expect((await s.outcomes.get('u1', 'u1', t0))!.reply.text).toContain('王大山');
  });

  it('a sent push keeps no body', async () => {
    const s = await kind.open();
    const id = (await s.outbox.enqueue({ target: { kind: 'user', id: 'u1' }, reply: { text: '王小明' }, reason: 'test' }, t0))!;
    await s.outbox.markSent(id, t0);
    expect((await s.outbox.list(1))[0]!.reply.text).toBe('');
  });

  it('cached replies are dropped after their retention, message ids later', async () => {
    const s = await kind.open();
    await s.inbound.claim({ channel: 'test', id: 'old', userId: 'u1', chatId: 'u1' }, t0);
    await s.inbound.saveReplies('test', 'old', [{ text: '王小明' }]);
    await s.inbound.claim({ channel: 'test', id: 'new', userId: 'u1', chatId: 'u1' }, new Date(t0.getTime() + 86_400_000));
    await s.inbound.saveReplies('test', 'new', [{ text: '王小明' }]);
    expect(await s.inbound.prune(new Date(t0.getTime() + 1000), new Date(t0.getTime() - 1000))).toEqual({ replies: 1, ids: 0 });
    expect(await s.inbound.replies('test', 'old')).toBeUndefined();
    expect(await s.inbound.replies('test', 'new')).toEqual([{ text: '王小明' }]);
    // The id is still known, so a late redelivery is still recognised.
    expect(await s.inbound.claim({ channel: 'test', id: 'old', userId: 'u1', chatId: 'u1' }, t0)).toBe(false);
    expect((await s.inbound.prune(t0, new Date(t0.getTime() + 1000))).ids).toBe(1);
    expect(await s.inbound.claim({ channel: 'test', id: 'old', userId: 'u1', chatId: 'u1' }, t0)).toBe(true);
  });

  it('purge erases the identity from every table (no key: the plain text itself is gone), and the audit still verifies', async () => {
    const s = await kind.open({ persistent: true });
    await writeEverywhere(s);
    expect(foundIn(await dumpTables(s), SECRETS)).toEqual(SECRETS);
    const codes = await s.transaction(() => purgeClosedBefore(s, new Date('2026-06-01T00:00:00+08:00'), new Date('2026-11-29T02:00:00Z')));
    await s.followup.deleteDialog('u1', 'u1');
    await s.compact();
    expect(codes).toEqual([sampleCase.code]);
    expect(foundIn(await dumpTables(s), SECRETS)).toEqual([]);
    expect((await s.audit.list())[0]!.reason).toMatch(/已随个案匿名化清除/);
    expect((await s.cases.getByCode(sampleCase.code))!.closeReason).toBe('C99 其他');
    expect((await s.audit.verify()).ok).toBe(true);
    if (kind.name === 'sqlite') {
      const file = (s as unknown as { file: string }).file;
      const leaks = filesUnder(dirname(file)).filter((f) => foundIn(f.bytes, SECRETS).length > 0).map((f) => f.path);
      expect(leaks).toEqual([]);
    }
  });
});

describe.each(storeKinds)('tamper-evident audit and case rows ($name)', (kind: StoreKind) => {
  const fill = async (s: TestStore, n: number) => {
    for (let i = 0; i < n; i++) await s.audit.append({ at: t0, actor: 'u1', action: 'view', caseCode: 'DJ-2026-0001' });
  };
  const cutTail = async (s: TestStore, keep: number) => {
    await s.dropTrigger('audit_log_no_delete', 'audit_log');
    await s.db.run(sql`DELETE FROM audit_log WHERE id > ${keep}`);
    if (kind.name === 'sqlite') await s.db.run(sql`UPDATE sqlite_sequence SET seq = ${keep} WHERE name = 'audit_log'`);
    else {
      await s.dropTrigger('audit_seq_no_lower', 'audit_seq');
      await s.db.run(sql`UPDATE audit_seq SET seq = ${keep}`);
    }
  };

  it('catches a cut tail even when the sequence is fixed to match', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)), persistent: true });
    await fill(s, 5);
    expect(await s.audit.verify()).toEqual({ ok: true, count: 5 });
    await cutTail(s, 3);
    const r = await s.audit.verify();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/共 5 条.*只有 3 条/);
  });

  it('catches an emptied table', async () => {
    const s = await kind.open({ persistent: true });
    await fill(s, 4);
    await cutTail(s, 0);
    if (kind.name === 'sqlite') await s.db.exec("DELETE FROM sqlite_sequence WHERE name = 'audit_log'");
    expect((await s.audit.verify()).ok).toBe(false);
  });

  it('catches a head rewritten without the key', async () => {
    const cipher = new FieldCipher(randomBytes(32));
    const s = await kind.open({ cipher, persistent: true });
    await fill(s, 3);
    await cutTail(s, 1);
    // Someone with the database but not the key writes a head for the cut table.
    const first = await s.db.get<{ hash: string }>(sql`SELECT hash FROM audit_log WHERE id = 1`);
    const forged = JSON.stringify({ count: 1, lastId: 1, lastHash: first?.hash ?? '', seal: 'hmac:00' });
    if (kind.name === 'sqlite') {
      writeFileSync(`${(s as unknown as { file: string }).file}.audit-head`, forged);
    } else await s.db.run(sql`UPDATE humiao.audit_heads SET head = ${forged} WHERE town = current_schema()`);
    const r = await s.audit.verify();
    expect(r.ok).toBe(false);
  });

  it('catches a case row edited directly (sealed = 0) and ciphertexts swapped between rows', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    await s.cases.insert(sampleCase);
    await s.cases.insert({ ...sampleCase, code: 'DJ-2026-0002', fullName: '李小红' });
    expect(await s.caseSeals!.firstBroken()).toEqual({ code: null, count: 2 });
    await s.db.exec("UPDATE cases SET sealed = 0 WHERE code = 'DJ-2026-0001'");
    expect((await s.caseSeals!.firstBroken()).code).toBe('DJ-2026-0001');
    await s.db.exec("UPDATE cases SET sealed = 1 WHERE code = 'DJ-2026-0001'");
    expect((await s.caseSeals!.firstBroken()).code).toBeNull();
    const names = await s.db.all<{ id: number; full_name: string }>(sql`SELECT id, full_name FROM cases ORDER BY id`);
    await s.db.run(sql`UPDATE cases SET full_name = ${names[1]!.full_name} WHERE id = ${names[0]!.id}`);
    await s.db.run(sql`UPDATE cases SET full_name = ${names[0]!.full_name} WHERE id = ${names[1]!.id}`);
    expect((await s.caseSeals!.firstBroken()).code).toBe('DJ-2026-0001');
  });

  it('closing, reassigning and a contact that changes risk keep the seal valid', async () => {
    const s = await kind.open();
    const c = await s.cases.insert(sampleCase);
    await s.followup.addContact({ caseId: c.id, date: '2026-04-01', method: '上门', notes: 'x', riskLevel: '高', loggedBy: 'u', createdAt: t0 });
    await s.followup.reassign(c.id, 'lisi', '李四', t0);
    await s.followup.close(c.id, 'C02 已入学(复学)', t0);
    expect(await s.caseSeals!.firstBroken()).toEqual({ code: null, count: 1 });
  });
});
