import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataKeyMismatchError, FieldCipher } from '../../src/domain/security/field-crypto.js';
import { migrateSqliteToPostgres, MigrationSourceError, MigrationTargetError } from '../../store/migrate-to-postgres.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../src/domain/ports/store.js';
import { sql } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { exampleConfigText } from '../helpers/deps.js';
import { runCli } from '../helpers/run-bot.js';
import { cleanupStores, freshTownId, openPgTestStore, pgEnabled, pgTestUrl } from '../helpers/stores.js';

afterEach(cleanupStores);

const at = (s: string) => new Date(s);

/** A town that has been working for a while: every table holds something, through the store's own API. */
async function fillTown(s: Store): Promise<void> {
  const [a, b] = await s.transaction(async () => {
    const a = await s.cases.insert({ ...sampleCase, code: await s.cases.nextCode('DJ', 2026) });
    const b = await s.cases.insert({
      ...sampleCase,
      code: await s.cases.nextCode('DJ', 2026),
      fullName: '李小红',
      gender: '女',
      idNumber: null,
      idHash: null,
      dupKey: 'k2',
      categories: [
        { code: '01', leadUnits: ['墩集中学', '镇社保所'] },
        { code: '03', leadUnits: ['镇民政所'] },
      ],
      primaryCategory: '01',
      details: {},
      createdAt: at('2026-04-01T02:00:00Z'),
    });
    return [a, b] as const;
  });
  const report = await s.cases.recordMandatoryReport({ caseId: null, userId: 'zhouba', chatId: 'zhouba', sign: 'SUSPECTED_ABUSE', reportTo: '镇派出所', promptedAt: at('2026-03-10T01:00:00Z') });
  await s.cases.attachMandatoryReports([report], a.id);
  for (let m = 4; m <= 9; m++) {
    for (const c of [a, b]) {
      await s.followup.addContact({ caseId: c.id, date: `2026-0${m}-15`, method: '上门', notes: `第${m}月走访，家中情况稳定`, riskLevel: m === 9 ? '高' : null, loggedBy: 'wangwu', createdAt: at(`2026-0${m}-15T03:00:00Z`) });
    }
  }
  await s.followup.close(b.id, 'C03', at('2026-10-01T02:00:00Z'));
  await s.followup.saveScreening({ period: '2026-09', unit: '镇派出所', userId: 'zhangsan', newRisks: 2, highRisks: 1, reportedAt: at('2026-09-26T02:00:00Z') });
  await s.followup.saveDialog('wangwu', 'wangwu', { step: 'method', caseCode: a.code }, at('2026-10-02T02:00:00Z'));
  await s.sessions.save({ userId: 'zhouba', chatId: 'zhouba', formId: 'case', status: 'paused', state: { answers: { fullName: '赵小刚' } }, startedIn: 'wrkGroup1', createdAt: at('2026-10-03T02:00:00Z'), lastActiveAt: at('2026-10-03T02:05:00Z') });
  await s.jobRuns.record({ job: 'overdue', period: '2026-10', status: 'done', trigger: 'cron', asOf: at('2026-10-01T01:00:00Z'), ranAt: at('2026-10-01T01:00:01Z'), summary: '2 条提醒' });
  await s.chats.touch('wrkGroup1', 'group', 'zhouba', at('2026-03-10T01:00:00Z'));
  await s.inbound.claim({ channel: 'wecom', id: 'm1', userId: 'zhouba', chatId: 'wrkGroup1' }, at('2026-03-10T01:00:00Z'));
  await s.inbound.saveReplies('wecom', 'm1', [{ text: '已收到' }]);
  const sent = (await s.outbox.enqueue({ target: { kind: 'chat', id: 'wrkGroup1' }, reply: { text: '新个案 DJ-2026-0001' }, reason: 'case.created' }, at('2026-03-10T02:00:00Z')))!;
  await s.outbox.markSent(sent, at('2026-03-10T02:00:05Z'));
  await s.outbox.enqueue({ target: { kind: 'user', id: 'wangwu' }, reply: { text: '本月走访提醒' }, reason: 'followup.dueSoon', dedupeKey: 'due:2026-10' }, at('2026-10-20T01:00:00Z'));
  for (const action of ['create', 'view-full', 'export'] as const) await s.audit.append({ at: at('2026-10-05T02:00:00Z'), actor: 'lisi', action, caseCode: a.code, detail: 'test' });
}

async function sqliteTown(cipher: FieldCipher | null): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-migrate-'));
  const file = join(dir, 'humiao.db');
  const s = await openSqliteStore(file, { cipher });
  await fillTown(s);
  // A deleted row leaves sqlite_sequence above max(id): ids after the move must not reuse it.
  const top = (await s.outbox.enqueue({ target: { kind: 'user', id: 'x' }, reply: { text: 'x' }, reason: 'r' }, new Date()))!;
  await s.db.run(sql`DELETE FROM outbox WHERE id = ${top}`);
  await s.close();
  return { dir, file };
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.skipIf(!pgEnabled)('migrate-store: SQLite to PostgreSQL', () => {
  it('copies every table with ids, decryptable cases and an intact audit chain; ids continue after the copied ones; a second run refuses', async () => {
    const cipher = new FieldCipher(randomBytes(32));
    const { file } = await sqliteTown(cipher);
    const before = digest(file);
    const src = await openSqliteStore(file, { cipher });
    const cases = await src.cases.list();
    const contacts = await src.followup.contacts();
    const reports = await src.cases.mandatoryReports();
    const outbox = await src.outbox.list(100);
    const audit = await src.audit.list();
    const topOutbox = (await src.db.get<{ seq: number }>(sql`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`))!.seq;
    await src.close();
    const sqliteAfterReading = digest(file);

    const town = freshTownId();
    const r = await migrateSqliteToPostgres({ sqliteFile: file, url: pgTestUrl, town, cipher, actor: 'os:tester' });
    expect(r.schema).toBe(`town_${town}`);
    expect(Object.fromEntries(r.tables.map((t) => [t.table, t.rows]))).toMatchObject({
      cases: 2, case_categories: 3, contacts: 12, mandatory_reports: 1, outbox: 2, chats: 1, inbound: 1, form_sessions: 1,
      job_runs: 1, screening_reports: 1, followup_dialogs: 1, case_serials: 1, security_meta: 3 /* key check, case seals, legacy plaintext encrypted */, audit_log: audit.length,
    });
    // Parents before children.
    const order = r.tables.map((t) => t.table);
    for (const child of ['case_categories', 'contacts', 'mandatory_reports']) expect(order.indexOf('cases')).toBeLessThan(order.indexOf(child));
    expect(digest(file)).toBe(sqliteAfterReading);
    expect(sqliteAfterReading).toBe(before);

    const pg = await openPgTestStore(town, cipher);
    expect(await pg.cases.list()).toEqual(cases);
    expect((await pg.cases.list()).map((c) => c.fullName)).toEqual(['王小明', '李小红']);
    expect(await pg.followup.contacts()).toEqual(contacts);
    expect(await pg.cases.mandatoryReports()).toEqual(reports);
    expect(await pg.outbox.list(100)).toEqual(outbox);
    expect((await pg.sessions.get('zhouba', 'zhouba'))?.state).toEqual({ answers: { fullName: '赵小刚' } });
    expect((await pg.followup.dialog('wangwu', 'wangwu'))?.state).toMatchObject({ step: 'method' });
    expect((await pg.jobRuns.get('overdue', '2026-10'))?.summary).toBe('2 条提醒');
    expect(await pg.followup.screenings('2026-09')).toHaveLength(1);
    expect(await pg.inbound.replies('wecom', 'm1')).toEqual([{ text: '已收到' }]);
    expect((await pg.chats.get('wrkGroup1'))?.chatType).toBe('group');

    const log = await pg.audit.list();
    expect(log.slice(0, -1)).toEqual(audit);
    expect(log.at(-1)).toMatchObject({ action: 'migrate-store', actor: 'os:tester' });
    expect(await pg.audit.verify()).toEqual({ ok: true, count: audit.length + 1 });

    // Sequences continue after the copied (and the deleted) ids; the case serial continues too.
    const next = await pg.transaction(async () =>
      pg.cases.insert({ ...sampleCase, code: await pg.cases.nextCode('DJ', 2026), dupKey: 'k3', idHash: 'h3', createdAt: new Date() }),
    );
    expect(next.code).toBe('DJ-2026-0003');
    expect(next.id).toBe(Math.max(...cases.map((c) => c.id)) + 1);
    expect(await pg.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 'x' }, reason: 'r' }, new Date())).toBe(topOutbox + 1);
    expect((await pg.followup.addContact({ ...contacts[0]!, riskLevel: null })).id).toBe(Math.max(...contacts.map((c) => c.id)) + 1);
    expect(await pg.cases.recordMandatoryReport({ ...reports[0]!, caseId: null })).toBe(reports[0]!.id + 1);
    expect((await pg.audit.append({ at: new Date(), actor: 'lisi', action: 'view' })).id).toBe(audit.length + 2);
    expect(await pg.db.get(sql`SELECT seq FROM audit_seq`)).toEqual({ seq: audit.length + 2 });
    expect((await pg.audit.verify()).ok).toBe(true);

    // Anything in the schema already: refused, and nothing changes.
    await expect(migrateSqliteToPostgres({ sqliteFile: file, url: pgTestUrl, town, cipher, actor: 'os:tester' })).rejects.toThrow(MigrationTargetError);
    expect(await pg.cases.list()).toHaveLength(3);
    expect(await pg.audit.verify()).toEqual({ ok: true, count: audit.length + 2 });
  });

  it('refuses a wrong data key, an empty source and a broken audit chain, writing nothing', async () => {
    const { file, dir } = await sqliteTown(new FieldCipher(randomBytes(32)));
    const town = freshTownId();
    await expect(migrateSqliteToPostgres({ sqliteFile: file, url: pgTestUrl, town, cipher: new FieldCipher(randomBytes(32)), actor: 'os:t' })).rejects.toThrow(DataKeyMismatchError);
    await expect(migrateSqliteToPostgres({ sqliteFile: join(dir, 'none.db'), url: pgTestUrl, town, cipher: null, actor: 'os:t' })).rejects.toThrow(MigrationSourceError);
    const empty = join(dir, 'empty.db');
    await (await openSqliteStore(empty)).close();
    await expect(migrateSqliteToPostgres({ sqliteFile: empty, url: pgTestUrl, town, cipher: null, actor: 'os:t' })).rejects.toThrow(/没有任何个案/);
    // Tampering shows in the source: it is for the operator to look into, not to carry over quietly.
    const plain = (await sqliteTown(null)).file;
    const rw = await openSqliteStore(plain);
    await rw.db.exec('DROP TRIGGER audit_log_no_update');
    await rw.db.run(sql`UPDATE audit_log SET actor = 'someone' WHERE action = 'export'`);
    await rw.close();
    await expect(migrateSqliteToPostgres({ sqliteFile: plain, url: pgTestUrl, town, cipher: null, actor: 'os:t' })).rejects.toThrow(/审计记录已不完整/);
    const pg = await openPgTestStore(town);
    expect(await pg.audit.verify()).toEqual({ ok: true, count: 0 });
  });

  it('runs from the admin CLI: exit 2 without DATABASE_URL, 0 with a Chinese summary, 1 on a second run', { timeout: 90_000 }, async () => {
    const key = randomBytes(32).toString('base64');
    const { dir } = await sqliteTown(new FieldCipher(Buffer.from(key, 'base64')));
    const town = freshTownId();
    const config = join(dir, 'humiao.config.yaml');
    writeFileSync(config, `id: ${town}\nplan: ${join(process.cwd(), 'plans/dunji-2023.txt')}\n${exampleConfigText}`);
    const env = { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: key, HUMIAO_CONFIG: config, DATABASE_URL: '' };

    const noUrl = runCli(['migrate-store', '--to', 'postgres'], env);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('没有设置 DATABASE_URL');
    expect(runCli(['migrate-store', '--to', 'mysql'], { ...env, DATABASE_URL: pgTestUrl }).code).toBe(2);

    const ok = runCli(['migrate-store', '--to', 'postgres'], { ...env, DATABASE_URL: pgTestUrl });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`迁移到 PostgreSQL 模式 town_${town}`);
    expect(ok.stdout).toMatch(/cases\s+2 行/);
    expect(ok.stdout).toContain('哈希链校验通过');

    // The bot's own commands now read the town from PostgreSQL.
    const exp = runCli(['cases', 'export', '--format', 'json'], { ...env, DATABASE_URL: pgTestUrl });
    expect(exp.code).toBe(0);
    expect((JSON.parse(exp.stdout) as Array<{ fullName: string }>).map((c) => c.fullName)).toEqual(['王小明', '李小红']);
    const shown = runCli(['audit', 'show'], { ...env, DATABASE_URL: pgTestUrl }).stdout;
    expect(shown).toMatch(/cli-login\s+-\s+migrate-store/);
    expect(shown).toMatch(/migrate-store\s+-\s+sqlite → postgres/);
    const verify = runCli(['audit', 'verify'], { ...env, DATABASE_URL: pgTestUrl });
    expect(verify.code).toBe(0);

    const again = runCli(['migrate-store', '--to', 'postgres'], { ...env, DATABASE_URL: pgTestUrl });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('已有数据');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });
});
