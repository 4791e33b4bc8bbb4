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
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, freshTownId, openPgTestStore, pgEnabled, pgTestUrl } from '../helpers/stores.js';

afterEach(cleanupStores);

const versions = (s: { db: { prepare(sql: string): { all(): unknown[] } } }) =>
  (s.db.prepare('SELECT version FROM schema_version ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);

describe.skipIf(!pgEnabled)('postgres store', () => {
  it('migrates a new town once; reopening applies nothing and keeps the data', () => {
    const s = openPgTestStore(freshTownId());
    const all = loadTownMigrations().map((m) => m.version);
    expect(versions(s)).toEqual(all);
    s.chats.touch('g1', 'group', 'u1', new Date());
    s.close();
    const again = s.reopen();
    expect(versions(again)).toEqual(all);
    expect(again.chats.get('g1')?.chatType).toBe('group');
  });

  it('two processes opening a new town at the same time both succeed', async () => {
    const town = freshTownId();
    const script = `import { openPostgresStore } from ${JSON.stringify(join(process.cwd(), 'store/postgres/postgres-store.ts'))};
      openPostgresStore(process.argv[1], { town: process.argv[2] }).close();`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, pgTestUrl, town], { cwd: process.cwd() });
    // allSettled: a failed start must not leave the others creating the schema after cleanup.
    const started = await Promise.allSettled([run(), run(), run()]);
    expect(started.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const s = openPgTestStore(town);
    expect(versions(s)).toEqual(loadTownMigrations().map((m) => m.version));
  });

  it('keeps towns apart: each sees only its own rows, and every row carries its town', () => {
    const townA = freshTownId();
    const townB = freshTownId();
    const a = openPgTestStore(townA);
    const b = openPgTestStore(townB);
    const c = a.cases.insert(sampleCase);
    expect(a.cases.getByCode(sampleCase.code)?.id).toBe(c.id);
    expect(b.cases.getByCode(sampleCase.code)).toBeUndefined();
    expect(b.cases.list()).toEqual([]);
    // Codes are numbered per town.
    expect([a.cases.nextCode('DJ', 2026), b.cases.nextCode('DJ', 2026)]).toEqual(['DJ-2026-0001', 'DJ-2026-0001']);
    expect(a.db.prepare('SELECT town FROM cases').all()).toEqual([{ town: townA }]);
    expect(a.db.prepare('SELECT town FROM case_categories').all()).toEqual([{ town: townA }]);

    // A row claiming another town is refused, also when written into that town's schema.
    expect(() => a.db.prepare("INSERT INTO chats (chat_id, chat_type, last_user_id, first_seen_at, last_seen_at, town) VALUES ('g', 'group', 'u', 'x', 'x', ?)").run(townB)).toThrow(
      /check constraint/,
    );
    expect(() =>
      a.db.prepare(`INSERT INTO town_${townB}.chats (chat_id, chat_type, last_user_id, first_seen_at, last_seen_at, town) VALUES ('g', 'group', 'u', 'x', 'x', ?)`).run(townA),
    ).toThrow(/check constraint/);
    expect(() => a.db.prepare('UPDATE cases SET town = ?').run(townB)).toThrow(/check constraint/);
    expect(b.chats.list()).toEqual([]);
  });

  it('hands back ids and counts as numbers', () => {
    const s = openPgTestStore(freshTownId());
    const c = s.cases.insert(sampleCase);
    const id = s.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 'x' }, reason: 'r' }, new Date());
    expect(typeof c.id).toBe('number');
    expect(typeof id).toBe('number');
    expect(s.outbox.pending()).toBe(1);
    expect(typeof s.audit.append({ at: new Date(), actor: 'a', action: 'view' }).id).toBe('number');
  });

  it('audit log and its sequence refuse UPDATE, DELETE and TRUNCATE', () => {
    const s = openPgTestStore(freshTownId());
    s.audit.append({ at: new Date(), actor: 'zhouba', action: 'create', caseCode: 'DJ-2026-0001' });
    s.audit.append({ at: new Date(), actor: 'lisi', action: 'view', caseCode: 'DJ-2026-0001' });
    expect(() => s.db.prepare("UPDATE audit_log SET actor = 'x' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => s.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => s.db.exec('TRUNCATE audit_log')).toThrow(/append-only/);
    expect(s.db.prepare('SELECT seq FROM audit_seq').get()).toEqual({ seq: 2 });
    expect(() => s.db.prepare('UPDATE audit_seq SET seq = 1').run()).toThrow(/only grows/);
    expect(() => s.db.prepare('DELETE FROM audit_seq').run()).toThrow(/cannot be removed/);
    expect(() => s.db.prepare('INSERT INTO audit_seq (seq) VALUES (0)').run()).toThrow(/duplicate key/);
    expect(s.audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('checks the data key per town', () => {
    const keyed = freshTownId();
    const cipher = new FieldCipher(randomBytes(32));
    const s = openPgTestStore(keyed, cipher);
    s.cases.insert(sampleCase);
    s.close();
    expect(() => s.reopen({ cipher: new FieldCipher(randomBytes(32)) })).toThrow(DataKeyMismatchError);
    expect(s.reopen({ cipher }).cases.list()[0]!.fullName).toBe('王小明');
    // Another town in the same database has no key check of its own yet.
    expect(openPgTestStore(freshTownId()).cases.list()).toEqual([]);
  });

  it('refuses a town id that cannot be a schema name, before connecting', () => {
    for (const town of ['DJ', '1town', 'a-b', 'x; DROP SCHEMA public', '', 'a'.repeat(32)]) {
      expect(() => openPostgresStore('postgres://nobody@127.0.0.1:1/none', { town })).toThrow(InvalidTownIdError);
    }
  });

  it('refuses a town schema written by a newer Humiao', () => {
    const s = openPgTestStore(freshTownId());
    s.db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (999, '999_future', 'x')").run();
    s.close();
    expect(() => s.reopen()).toThrow(SchemaTooNewError);
  });

  it('leaves backups to pg_dump', async () => {
    const s = openPgTestStore(freshTownId());
    await expect(s.backup('/tmp/never.db')).rejects.toThrow(BackupUnsupportedError);
    await expect(s.backup('/tmp/never.db')).rejects.toThrow(/pg_dump/);
  });
});

describe('choosing the store', () => {
  it('takes the town id from config id, else the case prefix in lower case', () => {
    expect(testConfig(`id: dunji\n${exampleConfigText}`).townId).toBe('dunji');
    expect(testConfig().townId).toBe('dj');
  });

  it('opens SQLite under HUMIAO_DATA_DIR without DATABASE_URL', () => {
    const s = openStore({ dataDir: mkdtempSync(join(tmpdir(), 'humiao-open-')) }, { townId: 'dj', cipher: null });
    expect(s).toBeInstanceOf(SqliteStore);
    s.close();
  });

  it.skipIf(!pgEnabled)('opens the town in PostgreSQL when DATABASE_URL is set', () => {
    const town = freshTownId();
    const s = openStore({ databaseUrl: pgTestUrl, dataDir: 'unused' }, { townId: town, cipher: null });
    try {
      expect(s).toBeInstanceOf(PostgresStore);
      expect((s as PostgresStore).db.query('SELECT current_schema() AS s')).toEqual([{ s: `town_${town}` }]);
    } finally {
      s.close();
    }
  });
});
