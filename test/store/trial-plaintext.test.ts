import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findDuplicateCodes, soundKey } from '../../src/domain/intake/submit.js';
import { lookupKeys, plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { sql } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { dumpTables, filesUnder, foundIn, pgPageBytes } from '../helpers/byte-search.js';
import { cleanupStores, storeKinds, type StoreKind, type TestStore } from '../helpers/stores.js';

afterEach(cleanupStores);

const t0 = new Date('2026-03-10T02:00:00Z');
const NAME = sampleCase.fullName;
const ID = sampleCase.idNumber!;
const NOTE = '外婆家在河西组第二排';
const DRAFT_NAME = '赵晓燕';
const CLOSED_WORDS = '随监护人迁往浙江义乌';
const SECRETS = [NAME, ID, sampleCase.guardianName!, sampleCase.guardianPhone!, sampleCase.notes!, NOTE, DRAFT_NAME, CLOSED_WORDS];

/** The SQLite file with its WAL and audit head; on PostgreSQL every row and, where it can, every page. */
async function bytesOf(s: TestStore): Promise<Buffer> {
  if (s instanceof SqliteStore) return Buffer.concat(filesUnder(dirname(s.file!)).map((f) => f.bytes));
  const pages = await pgPageBytes(s);
  return Buffer.concat([Buffer.from(await dumpTables(s), 'utf8'), ...(pages ? [pages] : [])]);
}

/** What a trial run (no HUMIAO_DATA_KEY) leaves, written through the store as the bot writes it. */
async function trialRun(s: TestStore): Promise<void> {
  const c = await s.cases.insert({
    ...sampleCase,
    idHash: plainLookupKeys.idLookupHash(ID),
    dupKey: soundKey(plainLookupKeys, NAME, sampleCase.village),
  });
  const other = await s.cases.insert({
    ...sampleCase,
    code: 'DJ-2026-0002',
    fullName: '李小红',
    idNumber: null,
    idHash: null,
    // The name + village key as versions before the sound key wrote it.
    dupKey: plainLookupKeys.nameVillageKey('李小红', '李庄村'),
    village: '李庄村',
  });
  await s.followup.addContact({ caseId: c.id, date: '2026-03-12', method: '上门', notes: NOTE, riskLevel: '中', loggedBy: 'wangwu', createdAt: t0 });
  await s.followup.close(other.id, `C99 其他：${CLOSED_WORDS}`, t0);
  await s.sessions.save({
    userId: 'zhouba', chatId: 'zhouba', formId: 'case-intake', status: 'active',
    state: { answers: { fullName: DRAFT_NAME, identity: { idNumber: '341324201401011234', birthDate: '2014-01-01' } } },
    startedIn: 'zhouba', createdAt: t0, lastActiveAt: t0,
  });
  await s.cards.save({ taskId: 't1', chatId: 'zhouba', userId: 'zhouba', forUser: 'zhouba', turn: 1, key: 'case-intake:2:__confirm', standing: false, body: { title: `核对${DRAFT_NAME}` }, createdAt: t0, expiresAt: new Date(t0.getTime() + 86_400_000) });
  await s.cards.saveTurn('zhouba', 'zhouba', { turn: 1, key: 'case-intake:2:__confirm', reply: { text: `请核对：姓名：${DRAFT_NAME}` }, at: t0 });
  await s.outcomes.save('wangwu', 'wangwu', { kind: 'intake.saved', reply: { text: `已保存个案。姓名：${NAME}` }, at: t0 });
  await s.audit.append({ at: t0, actor: 'wangwu', action: 'view-full', caseCode: c.code, reason: '核实监护人联系方式' });
}

describe.each(storeKinds)('data entered without a key, then a key is set ($name)', (kind: StoreKind) => {
  const key = new FieldCipher(randomBytes(32));
  const keyed = lookupKeys(key.macKey);

  it('is encrypted at the first keyed start: the bytes are gone, it reads back, duplicate checks find it, seals and chain hold', async () => {
    const trial = await kind.open({ persistent: true });
    await trialRun(trial);
    // The test would prove nothing if the trial rows were not in plain text to begin with.
    expect(foundIn(await bytesOf(trial), SECRETS)).toEqual(SECRETS);
    await trial.close();

    const s = await trial.reopen({ cipher: key });
    expect(foundIn(await bytesOf(s), SECRETS)).toEqual([]);

    const c = (await s.cases.getByCode(sampleCase.code))!;
    expect(c).toMatchObject({
      fullName: NAME, idNumber: ID, guardianName: sampleCase.guardianName, guardianPhone: sampleCase.guardianPhone,
      bangjiaoName: sampleCase.bangjiaoName, schoolDetail: sampleCase.schoolDetail, notes: sampleCase.notes, details: sampleCase.details,
    });
    expect((await s.cases.getByCode('DJ-2026-0002'))!.closeReason).toBe(`C99 其他：${CLOSED_WORDS}`);
    expect((await s.followup.contacts({ caseId: c.id }))[0]!.notes).toBe(NOTE);
    expect((await s.sessions.get('zhouba', 'zhouba'))!.state).toMatchObject({ answers: { fullName: DRAFT_NAME } });
    expect((await s.cards.get('t1', t0))!.body).toEqual({ title: `核对${DRAFT_NAME}` });
    expect((await s.cards.turn('zhouba', 'zhouba'))!.reply!.text).toContain(DRAFT_NAME);
    expect((await s.outcomes.get('wangwu', 'wangwu', t0))!.reply.text).toContain(NAME);

    // The town's lookup keys are now keyed: the same ID number, or the same name by sound, finds the trial case.
    expect(await findDuplicateCodes(s, keyed, { fullName: '张三', village: '张庄村', identity: { idNumber: ID, birthDate: sampleCase.birthDate } })).toEqual([sampleCase.code]);
    expect(await findDuplicateCodes(s, keyed, { fullName: '王晓明', village: sampleCase.village })).toEqual([sampleCase.code]);
    expect((await s.cases.findByDupKey(keyed.nameVillageKey('李小红', '李庄村'))).map((x) => x.code)).toEqual(['DJ-2026-0002']);
    // …and the keyless hashes, which anyone could compute from a guessed ID number, are gone.
    expect(await s.cases.findByIdHash(plainLookupKeys.idLookupHash(ID))).toEqual([]);

    expect(await s.caseSeals!.firstBroken()).toEqual({ code: null, count: 2 });
    expect(await s.audit.verify()).toMatchObject({ ok: true });
    const entry = (await s.audit.list()).filter((e) => e.action === 'encrypt-legacy');
    expect(entry).toHaveLength(1);
    expect(entry[0]).toMatchObject({
      actor: 'system',
      detail:
        'encrypted at upgrade: 1 audit reasons, 0 cached replies, 0 outbox bodies, 1 close reasons, 0 dialogs, 2 cases, 1 contact notes, 1 drafts, 1 cards, 1 answers, 1 outcomes',
    });
    const hashes = await s.db.all<{ id_hash: string | null; dup_key: string }>(sql`SELECT id_hash, dup_key FROM cases ORDER BY id`);
    await s.close();

    // Once only: a second keyed start changes nothing and writes no second entry.
    const again = await s.reopen({ cipher: key });
    expect((await again.audit.list()).filter((e) => e.action === 'encrypt-legacy')).toHaveLength(1);
    expect(await again.db.all(sql`SELECT id_hash, dup_key FROM cases ORDER BY id`)).toEqual(hashes);
    expect(await findDuplicateCodes(again, keyed, { fullName: '张三', village: '张庄村', identity: { idNumber: ID, birthDate: sampleCase.birthDate } })).toEqual([sampleCase.code]);
  });

  it('a trial case edited directly before the key was set is encrypted but not resealed', async () => {
    const trial = await kind.open({ persistent: true });
    await trialRun(trial);
    await trial.db.run(sql`UPDATE cases SET sealed = 0 WHERE code = ${sampleCase.code}`);
    await trial.close();
    const s = await trial.reopen({ cipher: key });
    expect(foundIn(await bytesOf(s), [NAME, ID])).toEqual([]);
    expect((await s.cases.getByCode(sampleCase.code))!.fullName).toBe(NAME);
    expect(await s.caseSeals!.firstBroken()).toEqual({ code: sampleCase.code, count: 1 });
  });
});
