import Database from 'better-sqlite3';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AuditHeadStore } from '../../src/domain/security/audit-head.js';
import { dirname } from 'node:path';
import { loadMigrations } from '../migrate.js';
import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { checkDataKey } from '../data-key-check.js';
import { SqlStore } from '../sql/sql-store.js';
import { storageFailure } from '../storage-failure.js';
import { SqliteDb } from './sqlite-db.js';

export type Db = Database.Database;

/**
 * Thrown by {@link openSqliteStore} when the database file was written by a newer version of
 * Humiao (its schema version is above every migration this build knows).
 */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/**
 * A town's SQLite file behind the store port. Build it with {@link openSqliteStore}, which
 * migrates the file and awaits {@link SqlStore.init}; the constructor only wires repositories.
 */
export class SqliteStore extends SqlStore {
  constructor(
    /** The async connection the repositories use; `db.raw` is better-sqlite3 itself. */
    readonly db: SqliteDb,
    cipher: FieldCipher | null = null,
    /** The database file; null for `:memory:` (no audit head is kept then). */
    readonly file: string | null = null,
  ) {
    super(db, cipher, { auditHead: file ? fileAuditHead(auditHeadFile(file)) : null });
  }

  async compact(): Promise<void> {
    // Through the queue, so a checkpoint never runs in the middle of another caller's transaction.
    await this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  async backup(file: string): Promise<void> {
    await this.db.raw.backup(file);
    chmodSync(file, 0o600);
    // The backup carries the head it was taken with, so a restored copy can be verified too.
    if (this.file && existsSync(auditHeadFile(this.file))) {
      copyFileSync(auditHeadFile(this.file), auditHeadFile(file));
      chmodSync(auditHeadFile(file), 0o600);
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** The audit head beside a database file: `humiao.db` → `humiao.db.audit-head`. */
export const auditHeadFile = (dbFile: string): string => `${dbFile}.audit-head`;

function fileAuditHead(path: string): AuditHeadStore {
  return {
    where: path,
    // Synchronous file calls: the head is a few dozen bytes, and a write that a later read could
    // overtake (the next commit's head check) would be worse than a microsecond's block.
    read: async () => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
    async write(text) {
      // Written whole, then renamed over the old one: a crash leaves the old head or the new one.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}

export interface OpenOptions {
  /** Field encryption for case identity data; null stores it in plain text (see README). */
  cipher?: FieldCipher | null;
}

/**
 * Open (creating if needed) the database at `file`, or in memory for `:memory:`, and migrate it.
 * A folder or disk that cannot be used (read-only, full, held by another process, not a folder)
 * is a {@link StoreUnusableError} with one line saying so.
 */
export async function openSqliteStore(file: string, opts: OpenOptions = {}): Promise<SqliteStore> {
  let db: Db | undefined;
  try {
    db = openDatabase(file);
    migrate(db);
    const conn = new SqliteDb(db);
    await checkDataKey(conn, opts.cipher ?? null);
    const store = new SqliteStore(conn, opts.cipher ?? null, file === ':memory:' ? null : file);
    await store.init();
    // Plain text just encrypted in place may still sit in WAL frames: write them back and cut.
    if (store.upgradedPlaintext > 0) await store.compact();
    return store;
  } catch (err) {
    if (db?.open) db.close();
    throw file === ':memory:' ? err : (storageFailure(err, { dir: dirname(file), file }) ?? err);
  }
}

/**
 * mkdir -p, one level at a time: a recursive mkdirSync reports a read-only parent as ENOENT,
 * which would hide why the folder cannot be made.
 */
function makeDir(dir: string): void {
  if (existsSync(dir)) return;
  makeDir(dirname(dir));
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
}

function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    makeDir(dirname(file));
    // An existing folder keeps whatever mode it was made with: case data needs owner-only.
    chmodSync(dirname(file), 0o700);
    // Case data about minors: create the file owner-only before SQLite ever writes to it.
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  }
  const db = new Database(file);
  try {
    // First, so that even switching to WAL waits for a lock another process holds briefly.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    // FULL: a confirmed case survives power loss, not only a process crash.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Erased values (purge, blanked outbox bodies, dropped reply caches) are overwritten with
    // zeros in the file, not just unlinked from the b-tree.
    db.pragma('secure_delete = ON');
    // 4 MB of page cache, not the default 16: county scans read covering indexes once per run and
    // the OS file cache serves re-reads as fast, while a full cache stayed in the bot's RSS.
    db.pragma('cache_size = -4000');
    // Take the write lock once now: another process holding the file (mid-transaction, or in
    // exclusive locking mode) is then one line at start, not a failed reply to the first message.
    db.transaction(() => {}).immediate();
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function migrate(db: Db): void {
  const migrations = loadMigrations();
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    db.close();
    throw new SchemaTooNewError(`数据库版本 ${current} 高于本程序支持的 ${latest}，请升级护苗助手后再启动`);
  }
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
