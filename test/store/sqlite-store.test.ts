import { mkdtempSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../store/migrate.js';
import { openSqliteStore, SchemaTooNewError } from '../../store/sqlite/sqlite-store.js';
import { SqliteDb } from '../../store/sqlite/sqlite-db.js';
import { sql } from '../../store/sql/db.js';

const now = new Date('2026-11-29T02:00:00Z');
const tmp = () => mkdtempSync(join(tmpdir(), 'humiao-store-'));

describe('sqlite store', () => {
  it('runs an atomic block as its own transaction outside one and as part of the enclosing one inside', async () => {
    const db = new SqliteDb(new Database(':memory:'));
    await db.exec('CREATE TABLE t (v TEXT)');
    await db.atomic(async () => void (await db.run(sql`INSERT INTO t VALUES ('alone')`)));
    await expect(
      db.transaction(async () => {
        await db.atomic(async () => void (await db.run(sql`INSERT INTO t VALUES ('joined')`)));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await db.all(sql`SELECT v FROM t`)).toEqual([{ v: 'alone' }]);
    await db.close();
  });

  it('runs after-commit work only for what committed: a rolled-back savepoint drops its own', async () => {
    const db = new SqliteDb(new Database(':memory:'));
    const ran: string[] = [];
    await db.transaction(async () => {
      db.afterCommit(() => ran.push('outer'));
      await db.transaction(async () => db.afterCommit(() => ran.push('kept')));
      await db.transaction(async () => {
        db.afterCommit(() => ran.push('dropped'));
        throw new Error('rolled back');
      }).catch(() => {});
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['outer', 'kept']);
    await expect(
      db.transaction(async () => {
        db.afterCommit(() => ran.push('failed'));
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(ran).toEqual(['outer', 'kept']);
    await db.close();
  });

  it('creates the database owner-only, in WAL mode, fully migrated', async () => {
    const file = join(tmp(), 'sub', 'humiao.db');
    const store = await openSqliteStore(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const pragma = (p: string) => store.db.raw.pragma(p, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('synchronous')).toBe(2);
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('secure_delete')).toBe(1);
    expect(pragma('busy_timeout')).toBe(5000);
    expect(pragma('user_version')).toBe(loadMigrations().length);
    await store.close();
    // Re-opening an up-to-date database runs no migration again.
    await (await openSqliteStore(file)).close();
  });

  it('refuses a database written by a newer version', async () => {
    const file = join(tmp(), 'humiao.db');
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    await expect(openSqliteStore(file)).rejects.toThrow(SchemaTooNewError);
  });

  it('backs up online to an owner-only file', async () => {
    const dir = tmp();
    const store = await openSqliteStore(join(dir, 'live.db'));
    await store.chats.touch('g1', 'group', 'u1', now);
    await store.backup(join(dir, 'copy.db'));
    expect(existsSync(join(dir, 'copy.db'))).toBe(true);
    expect(statSync(join(dir, 'copy.db')).mode & 0o777).toBe(0o600);
    const copy = await openSqliteStore(join(dir, 'copy.db'));
    expect((await copy.chats.get('g1'))?.chatType).toBe('group');
    await copy.close();
    await store.close();
  });

  it('queues a call from outside a transaction until it commits, and runs calls from inside it at once', async () => {
    const store = await openSqliteStore(':memory:');
    const order: string[] = [];
    let inside!: () => void;
    const held = new Promise<void>((resolve) => (inside = resolve));
    const tx = store.transaction(async () => {
      await store.chats.touch('a', 'single', 'u', now);
      order.push('tx wrote a');
      await held;
      order.push('tx done');
    });
    const outside = store.chats.list().then((l) => order.push(`outside saw ${l.map((c) => c.chatId).join(',')}`));
    await new Promise((r) => setTimeout(r, 10));
    inside();
    await Promise.all([tx, outside]);
    expect(order).toEqual(['tx wrote a', 'tx done', 'outside saw a']);
    await store.close();
  });
});
