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

  it('claims each inbound message id once per channel and remembers the replies', () => {
    const store = openSqliteStore(':memory:');
    const rec = { id: 'm1', channel: 'wecom', userId: 'u', chatId: 'u' };
    expect(store.inbound.claim(rec, now)).toBe(true);
    expect(store.inbound.claim(rec, now)).toBe(false);
    expect(store.inbound.claim({ ...rec, channel: 'console' }, now)).toBe(true);
    store.inbound.saveReplies('wecom', 'm1', [{ text: '好' }]);
    expect(store.inbound.replies('wecom', 'm1')).toEqual([{ text: '好' }]);
    expect(store.inbound.replies('wecom', 'nope')).toBeUndefined();
  });

  it('rolls back every write of a failed transaction', () => {
    const store = openSqliteStore(':memory:');
    expect(() =>
      store.transaction(() => {
        store.inbound.claim({ id: 'x', channel: 'c', userId: 'u', chatId: 'u' }, now);
        store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 't' }, reason: 'test' }, now);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.outbox.pending()).toBe(0);
    expect(store.inbound.claim({ id: 'x', channel: 'c', userId: 'u', chatId: 'u' }, now)).toBe(true);
  });

  it('outbox: due order, dedupe keys, sent rows never come back, failures retry later', () => {
    const store = openSqliteStore(':memory:');
    const a = store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'a' }, reason: 'r', dedupeKey: 'k1' }, now);
    const b = store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 'b' }, reason: 'r' }, now);
    expect(store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'a2' }, reason: 'r', dedupeKey: 'k1' }, now)).toBeNull();
    expect(store.outbox.due(now, 10).map((i) => i.id)).toEqual([a, b]);
    store.outbox.markSent(a!, now, { kind: 'chat', id: 'other' });
    store.outbox.markSent(a!, new Date(now.getTime() + 1000));
    const sent = store.outbox.list(10).find((i) => i.id === a)!;
    expect(sent.sentAt).toEqual(now);
    expect(sent.deliveredTo).toEqual({ kind: 'chat', id: 'other' });
    store.outbox.markFailed(b!, 'offline', new Date(now.getTime() + 60_000));
    expect(store.outbox.due(now, 10)).toEqual([]);
    const later = store.outbox.due(new Date(now.getTime() + 60_000), 10);
    expect(later.map((i) => [i.id, i.attempts, i.lastError])).toEqual([[b, 1, 'offline']]);
    expect(store.outbox.pending()).toBe(1);
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
