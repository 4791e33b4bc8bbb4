import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DataKeyMismatchError, FieldCipher } from '../../src/domain/security/field-crypto.js';
import { openStore } from '../../store/open.js';
import { exampleConfigText, testConfig } from '../helpers/deps.js';
import { BackupUnsupportedError, openPostgresStore, PostgresStore } from '../../store/postgres/postgres-store.js';
import { InvalidTownIdError, loadTownMigrations } from '../../store/postgres/schema.js';
import { SchemaTooNewError, SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { raw, sql, type SqlDb } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, freshTownId, openPgTestStore, pgEnabled, pgTestUrl } from '../helpers/stores.js';

afterEach(cleanupStores);

const versions = async (s: { db: SqlDb }) =>
  (await s.db.all<{ version: number }>(sql`SELECT version FROM schema_version ORDER BY version`)).map((r) => r.version);

describe.skipIf(!pgEnabled)('postgres store', () => {
  it('migrates a new town once; reopening applies nothing and keeps the data', async () => {
    const s = await openPgTestStore(freshTownId());
    const all = loadTownMigrations().map((m) => m.version);
    expect(await versions(s)).toEqual(all);
    await s.chats.touch('g1', 'group', 'u1', new Date());
    await s.close();
    const again = await s.reopen();
    expect(await versions(again)).toEqual(all);
    expect((await again.chats.get('g1'))?.chatType).toBe('group');
  });

  it('two processes opening a new town at the same time both succeed', async () => {
    const town = freshTownId();
    const script = `import { openPostgresStore } from ${JSON.stringify(join(process.cwd(), 'store/postgres/postgres-store.ts'))};
      await (await openPostgresStore(process.argv[1], { town: process.argv[2] })).close();`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, pgTestUrl, town], { cwd: process.cwd() });
    // allSettled: a failed start must not leave the others creating the schema after cleanup.
    const started = await Promise.allSettled([run(), run(), run()]);
    expect(started.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const s = await openPgTestStore(town);
    expect(await versions(s)).toEqual(loadTownMigrations().map((m) => m.version));
  });

  it('keeps towns apart: each sees only its own rows, and every row carries its town', async () => {
    const townA = freshTownId();
    const townB = freshTownId();
    const a = await openPgTestStore(townA);
    const b = await openPgTestStore(townB);
    const c = await a.cases.insert(sampleCase);
    expect((await a.cases.getByCode(sampleCase.code))?.id).toBe(c.id);
    expect(await b.cases.getByCode(sampleCase.code)).toBeUndefined();
    expect(await b.cases.list()).toEqual([]);
    // Codes are numbered per town.
    expect([await a.cases.nextCode('DJ', 2026), await b.cases.nextCode('DJ', 2026)]).toEqual(['DJ-2026-0001', 'DJ-2026-0001']);
    expect(await a.db.all(sql`SELECT town FROM cases`)).toEqual([{ town: townA }]);
    expect(await a.db.all(sql`SELECT town FROM case_categories`)).toEqual([{ town: townA }]);

    // A row claiming another town is refused, also when written into that town's schema.
    const at = new Date();
    await expect(
      a.db.run(sql`INSERT INTO chats (chat_id, chat_type, last_user_id, first_seen_at, last_seen_at, town) VALUES ('g', 'group', 'u', ${at}, ${at}, ${townB})`),
    ).rejects.toThrow(/check constraint/);
    await expect(
      a.db.run(
        sql`INSERT INTO ${raw(`town_${townB}`)}.chats (chat_id, chat_type, last_user_id, first_seen_at, last_seen_at, town) VALUES ('g', 'group', 'u', ${at}, ${at}, ${townA})`,
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(a.db.run(sql`UPDATE cases SET town = ${townB}`)).rejects.toThrow(/check constraint/);
    expect(await b.chats.list()).toEqual([]);
  });

  it('hands back ids and counts as numbers, timestamps and JSON as native values', async () => {
    const s = await openPgTestStore(freshTownId());
    const c = await s.cases.insert(sampleCase);
    const id = await s.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 'x' }, reason: 'r' }, new Date());
    expect(typeof c.id).toBe('number');
    expect(typeof id).toBe('number');
    expect(await s.outbox.pending()).toBe(1);
    expect(typeof (await s.audit.append({ at: new Date(), actor: 'a', action: 'view' })).id).toBe('number');
    const row = await s.db.get<{ created_at: unknown; lead_units: unknown }>(
      sql`SELECT c.created_at, cc.lead_units FROM cases c JOIN case_categories cc ON cc.case_id = c.id LIMIT 1`,
    );
    expect(row!.created_at).toBeInstanceOf(Date);
    expect(Array.isArray(row!.lead_units)).toBe(true);
  });

  it('audit log and its sequence refuse UPDATE, DELETE and TRUNCATE', async () => {
    const s = await openPgTestStore(freshTownId());
    await s.audit.append({ at: new Date(), actor: 'zhouba', action: 'create', caseCode: 'DJ-2026-0001' });
    await s.audit.append({ at: new Date(), actor: 'lisi', action: 'view', caseCode: 'DJ-2026-0001' });
    await expect(s.db.run(sql`UPDATE audit_log SET actor = 'x' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(s.db.run(sql`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(s.db.exec('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    expect(await s.db.get(sql`SELECT seq FROM audit_seq`)).toEqual({ seq: 2 });
    await expect(s.db.run(sql`UPDATE audit_seq SET seq = 1`)).rejects.toThrow(/only grows/);
    await expect(s.db.run(sql`DELETE FROM audit_seq`)).rejects.toThrow(/cannot be removed/);
    await expect(s.db.run(sql`INSERT INTO audit_seq (seq) VALUES (0)`)).rejects.toThrow(/duplicate key/);
    expect(await s.audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('checks the data key per town', async () => {
    const keyed = freshTownId();
    const cipher = new FieldCipher(randomBytes(32));
    const s = await openPgTestStore(keyed, cipher);
    await s.cases.insert(sampleCase);
    await s.close();
    await expect(s.reopen({ cipher: new FieldCipher(randomBytes(32)) })).rejects.toThrow(DataKeyMismatchError);
    expect((await (await s.reopen({ cipher })).cases.list())[0]!.fullName).toBe('王小明');
    // Another town in the same database has no key check of its own yet.
    expect(await (await openPgTestStore(freshTownId())).cases.list()).toEqual([]);
  });

  it('refuses a town id that cannot be a schema name, before connecting', async () => {
    for (const town of ['DJ', '1town', 'a-b', 'x; DROP SCHEMA public', '', 'a'.repeat(32)]) {
      await expect(openPostgresStore('postgres://nobody@127.0.0.1:1/none', { town })).rejects.toThrow(InvalidTownIdError);
    }
  });

  it('refuses a town schema written by a newer Humiao', async () => {
    const s = await openPgTestStore(freshTownId());
    await s.db.run(sql`INSERT INTO schema_version (version, name, applied_at) VALUES (999, '999_future', 'x')`);
    await s.close();
    await expect(s.reopen()).rejects.toThrow(SchemaTooNewError);
  });

  it('leaves backups to pg_dump', async () => {
    const s = await openPgTestStore(freshTownId());
    await expect(s.backup('/tmp/never.db')).rejects.toThrow(BackupUnsupportedError);
    await expect(s.backup('/tmp/never.db')).rejects.toThrow(/pg_dump/);
  });
});

describe('choosing the store', () => {
  it('takes the town id from config id, else the case prefix in lower case', () => {
    expect(testConfig(`id: dunji\n${exampleConfigText}`).townId).toBe('dunji');
    expect(testConfig().townId).toBe('dj');
  });

  it('opens SQLite under HUMIAO_DATA_DIR without DATABASE_URL', async () => {
    const s = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'humiao-open-')) }, { townId: 'dj', cipher: null });
    expect(s).toBeInstanceOf(SqliteStore);
    await s.close();
  });

  it.skipIf(!pgEnabled)('opens the town in PostgreSQL when DATABASE_URL is set', async () => {
    const town = freshTownId();
    const s = await openStore({ databaseUrl: pgTestUrl, dataDir: 'unused' }, { townId: town, cipher: null });
    try {
      expect(s).toBeInstanceOf(PostgresStore);
      expect(await (s as PostgresStore).db.all(sql`SELECT current_schema() AS s`)).toEqual([{ s: `town_${town}` }]);
    } finally {
      await s.close();
    }
  });
});
