import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH } from '../../src/domain/security/audit-chain.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { purgeClosedBefore } from '../../src/domain/privacy/purge.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { sql } from '../../store/sql/db.js';
import { loadMigrations } from '../../store/migrate.js';
import { loadTownMigrations } from '../../store/postgres/schema.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { dumpTables, filesUnder, foundIn } from '../helpers/byte-search.js';
import { cleanupStores, storeKinds, type StoreKind, type TestStore } from '../helpers/stores.js';

afterEach(cleanupStores);

const SECRETS = ['王小明', '13812345678', '王大山'];
const t0 = new Date('2026-03-10T02:00:00Z');
const REASONS = ['核实王小明的监护人王大山', '转介王小明到县救助站'];

/** What the SQLite file, its WAL and its audit head hold, or every row of the PostgreSQL town. */
async function bytesOf(s: TestStore): Promise<Buffer> {
  if (s instanceof SqliteStore) return Buffer.concat(filesUnder(dirname(s.file!)).map((f) => f.bytes));
  return Buffer.from(await dumpTables(s), 'utf8');
}

/**
 * The database as a version before this one left it, with the key already set: the case itself
 * encrypted, but audit reasons inline in the chained column (before 009), and the reply cache,
 * outbox bodies, a close reason's words and a dialog's state in plain text. The rows are written
 * as that version wrote them, then the schema is put back to before the migration that allows
 * the move (SQLite 014, PostgreSQL 008).
 */
async function asLeftByOldVersion(s: TestStore): Promise<number> {
  const c = await s.cases.insert(sampleCase);
  let prev = GENESIS_HASH;
  for (const [i, reason] of REASONS.entries()) {
    const f = { id: i + 1, at: t0.toISOString(), actor: 'u1', action: 'view-full', caseCode: c.code, reason, detail: null };
    const hash = auditHash(prev, f);
    await s.db.run(sql`INSERT INTO audit_log (id, at, actor, action, case_code, reason, detail, prev_hash, hash)
      VALUES (${f.id}, ${f.at}, ${f.actor}, ${f.action}, ${f.caseCode}, ${f.reason}, ${f.detail}, ${prev}, ${hash})`);
    prev = hash;
  }
  await s.audit.append({ at: t0, actor: 'u1', action: 'view', caseCode: c.code });
  await s.inbound.claim({ channel: 'test', id: 'm1', userId: 'u1', chatId: 'u1' }, t0);
  await s.db.run(sql`UPDATE inbound SET replies = ${JSON.stringify([{ text: '王小明 监护人王大山 13812345678' }])} WHERE id = ${'m1'}`);
  const due = (await s.outbox.enqueue({ target: { kind: 'user', id: 'u1' }, reply: { text: 'x' }, reason: 'test' }, t0))!;
  await s.db.run(sql`UPDATE outbox SET reply = ${JSON.stringify({ text: '您负责的王小明（王大山 13812345678）' })} WHERE id = ${due}`);
  const sent = (await s.outbox.enqueue({ target: { kind: 'user', id: 'u2' }, reply: { text: 'x' }, reason: 'test' }, t0))!;
  await s.outbox.markSent(sent, t0);
  await s.db.run(sql`UPDATE outbox SET reply = ${JSON.stringify({ text: '王小明已结案' })} WHERE id = ${sent}`);
  await s.followup.close(c.id, 'C99 其他：x', new Date('2026-04-01T02:00:00Z'));
  await s.db.run(sql`UPDATE cases SET close_reason = ${'C99 其他：王小明随监护人王大山迁往外省'} WHERE id = ${c.id}`);
  await (s.caseSeals as unknown as { reseal(id: number): Promise<void> }).reseal(c.id);
  await s.followup.saveDialog('u1', 'u1', { kind: 'close', code: c.code }, t0);
  await s.db.run(sql`UPDATE followup_dialogs SET state = ${JSON.stringify({ kind: 'close', code: c.code, step: 'confirm', reason: 'C99 其他：王小明随王大山外出' })}`);
  await s.db.run(sql`DELETE FROM security_meta WHERE name = 'legacy_plaintext'`);
  if (s.kind === 'sqlite') {
    await s.db.exec(`DROP TRIGGER audit_log_no_update; CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END; PRAGMA user_version = ${movesAt(loadMigrations()) - 1};`);
  } else {
    await s.db.exec(`DROP TRIGGER audit_log_no_update ON audit_log; DROP FUNCTION audit_refuse_update();
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
      DELETE FROM schema_version WHERE version >= ${movesAt(loadTownMigrations())};`);
  }
  return c.id;
}

/**
 * The migration that lets the log take the move. Rewinding to just before it re-runs it and every
 * later one, so a later one is allowed here only if it changes nothing when run again over its own
 * result: PostgreSQL's 009_native_types converts a column only while it is still text. A new
 * migration must be added here knowingly, after checking that.
 */
const RERUN_SAFE_AFTER_MOVE = ['009_native_types'];

function movesAt(migrations: Array<{ version: number; name: string }>): number {
  const m = migrations.find((x) => x.name.endsWith('_legacy_reasons'))!;
  const later = migrations.filter((x) => x.version > m.version).map((x) => x.name);
  expect(later.filter((name) => !RERUN_SAFE_AFTER_MOVE.includes(name))).toEqual([]);
  return m.version;
}

describe.each(storeKinds)('plain text left by earlier versions ($name)', (kind: StoreKind) => {
  const key = new FieldCipher(randomBytes(32));

  it('is encrypted at the first keyed start after the upgrade: the bytes are gone, everything reads back, the chain still holds', async () => {
    const old = await kind.open({ cipher: key, persistent: true });
    const caseId = await asLeftByOldVersion(old);
    // The test would prove nothing if the old rows were not in plain text to begin with.
    expect(foundIn(await bytesOf(old), SECRETS)).toEqual(SECRETS);
    const head = await old.audit.verify();
    expect(head).toMatchObject({ ok: true, count: 3 });
    await old.close();

    const s = await old.reopen({ cipher: key });
    // The rewound migrations ran again, to the newest, without failing the start.
    if (s.kind === 'postgres') {
      const v = (await s.db.get<{ v: number }>(sql`SELECT max(version) AS v FROM schema_version`))!.v;
      expect(Number(v)).toBe(loadTownMigrations().length);
    }
    expect(foundIn(await bytesOf(s), SECRETS)).toEqual([]);
    expect(foundIn(await bytesOf(s), REASONS)).toEqual([]);
    expect((await s.audit.list()).slice(0, 3).map((e) => e.reason)).toEqual([...REASONS, null]);
    expect((await s.inbound.replies('test', 'm1'))![0]!.text).toContain('王大山');
    expect((await s.outbox.due(t0, 10)).map((o) => o.reply.text)).toEqual(['您负责的王小明（王大山 13812345678）']);
    const c = (await s.cases.getByCode(sampleCase.code))!;
    expect(c.closeReason).toBe('C99 其他：王小明随监护人王大山迁往外省');
    expect(((await s.followup.dialog('u1', 'u1'))!.state as { reason: string }).reason).toContain('王小明');
    // The rows' hashes were not rewritten: the same chain verifies, with one entry saying what was done.
    expect(await s.audit.verify()).toEqual({ ok: true, count: 4 });
    expect(await s.caseSeals!.firstBroken()).toEqual({ code: null, count: 1 });
    expect((await s.audit.list()).at(-1)).toMatchObject({
      actor: 'system',
      action: 'encrypt-legacy',
      detail: 'encrypted at upgrade: 2 audit reasons, 1 cached replies, 2 outbox bodies, 1 close reasons, 1 dialogs, 0 cases, 0 contact notes, 0 drafts, 0 cards, 0 answers, 0 outcomes',
    });
    await s.close();

    // Once only.
    const again = await s.reopen({ cipher: key });
    expect((await again.audit.list()).filter((e) => e.action === 'encrypt-legacy')).toHaveLength(1);

    // After purge has erased the moved reasons, the rest of each row is still bound by its MAC.
    await again.transaction(() => purgeClosedBefore(again, new Date('2026-05-01T00:00:00Z'), t0));
    expect((await again.audit.list()).slice(0, 2).map((e) => e.reason)).toEqual(['（已随个案匿名化清除）', '（已随个案匿名化清除）']);
    expect(await again.audit.verify()).toMatchObject({ ok: true });
    await again.dropTrigger('audit_log_no_update', 'audit_log');
    await again.db.run(sql`UPDATE audit_log SET actor = 'someone-else' WHERE id = 2`);
    expect(await again.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
    void caseId;
  });

  it('the schema allows only that move: other edits of an entry stay refused', async () => {
    const s = await kind.open({ cipher: key, persistent: true });
    await s.audit.append({ at: t0, actor: 'u1', action: 'view-full', caseCode: 'DJ-2026-0001', reason: '核实监护人联系方式' });
    await expect(s.db.run(sql`UPDATE audit_log SET actor = 'x' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(s.db.run(sql`UPDATE audit_log SET reason = 'moved:aa:bb' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(s.db.run(sql`DELETE FROM audit_log WHERE id = 1`)).rejects.toThrow(/append-only/);
  });

  it('a moved reason cannot be moved again, and a case row edited before the upgrade is not resealed', async () => {
    const old = await kind.open({ cipher: key, persistent: true });
    await asLeftByOldVersion(old);
    // Someone edited the closed case directly before the upgrade: its seal no longer matches.
    await old.db.run(sql`UPDATE cases SET sealed = 0, risk_level = '低'`);
    await old.close();
    const s = await old.reopen({ cipher: key });
    expect((await s.cases.getByCode(sampleCase.code))!.closeReason).toBe('C99 其他：王小明随监护人王大山迁往外省');
    expect(foundIn(await bytesOf(s), SECRETS)).toEqual([]);
    expect(await s.caseSeals!.firstBroken()).toEqual({ code: sampleCase.code, count: 1 });
    const moved = (await s.db.get<{ reason: string }>(sql`SELECT reason FROM audit_log WHERE id = 1`))!.reason;
    expect(moved).toMatch(/^moved:[0-9a-f]{64}:[0-9a-f]{64}$/);
    await expect(s.db.run(sql`UPDATE audit_log SET reason = 'moved:aa:bb' WHERE id = 1`)).rejects.toThrow(/append-only/);
  });

  it('a moved reason swapped or altered in audit_reasons is reported', async () => {
    const old = await kind.open({ cipher: key, persistent: true });
    await asLeftByOldVersion(old);
    await old.close();
    const s = await old.reopen({ cipher: key });
    const [a, b] = await s.db.all<{ audit_id: number; salt: string; reason: string }>(sql`SELECT audit_id, salt, reason FROM audit_reasons ORDER BY audit_id`);
    await s.db.run(sql`UPDATE audit_reasons SET salt = ${b!.salt}, reason = ${b!.reason} WHERE audit_id = ${a!.audit_id}`);
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('what a trial run without a key left in plain text (reasons kept apart, replies, pushes) is encrypted too, and the log still verifies', async () => {
    const trial = await kind.open({ persistent: true });
    await trial.audit.append({ at: t0, actor: 'u1', action: 'view-full', caseCode: 'DJ-2026-0001', reason: '核实王大山的联系方式' });
    await trial.inbound.claim({ channel: 'test', id: 'm1', userId: 'u1', chatId: 'u1' }, t0);
    await trial.inbound.saveReplies('test', 'm1', [{ text: '请核对：赵小燕' }]);
    await trial.outbox.enqueue({ target: { kind: 'user', id: 'u1' }, reply: { text: '您负责的钱小雷' }, reason: 'test' }, t0);
    const words = ['王大山', '赵小燕', '钱小雷'];
    expect(foundIn(await bytesOf(trial), words)).toEqual(words);
    await trial.close();
    const s = await trial.reopen({ cipher: key });
    expect(foundIn(await bytesOf(s), words)).toEqual([]);
    expect((await s.audit.list())[0]!.reason).toBe('核实王大山的联系方式');
    expect(await s.inbound.replies('test', 'm1')).toEqual([{ text: '请核对：赵小燕' }]);
    expect((await s.outbox.due(t0, 10))[0]!.reply.text).toBe('您负责的钱小雷');
    expect(await s.audit.verify()).toEqual({ ok: true, count: 2 });
  });
});
