import { mkdtempSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../store/migrate.js';
import { openSqliteStore, SchemaTooNewError } from '../../store/sqlite/sqlite-store.js';

const now = new Date('2026-11-29T02:00:00Z');
const tmp = () => mkdtempSync(join(tmpdir(), 'humiao-store-'));

describe('sqlite store', () => {
  it('creates the database owner-only, in WAL mode, fully migrated', () => {
    const file = join(tmp(), 'sub', 'humiao.db');
    const store = openSqliteStore(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('user_version', { simple: true })).toBe(loadMigrations().length);
    store.close();
    // Re-opening an up-to-date database runs no migration again.
    openSqliteStore(file).close();
  });

  it('refuses a database written by a newer version', () => {
    const file = join(tmp(), 'humiao.db');
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openSqliteStore(file)).toThrow(SchemaTooNewError);
  });

  it('backs up online to an owner-only file', async () => {
    const dir = tmp();
    const store = openSqliteStore(join(dir, 'live.db'));
    store.chats.touch('g1', 'group', 'u1', now);
    await store.backup(join(dir, 'copy.db'));
    expect(existsSync(join(dir, 'copy.db'))).toBe(true);
    expect(statSync(join(dir, 'copy.db')).mode & 0o777).toBe(0o600);
    const copy = openSqliteStore(join(dir, 'copy.db'));
    expect(copy.chats.get('g1')?.chatType).toBe('group');
  });
});
