import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { GroupCommit } from '../../src/core/group-commit.js';
import { FAILURE_REPLY, Router } from '../../src/core/router.js';
import { STORAGE_FAILURE_REPLY, STORAGE_FAILURE_REPLY_UNTOLD, StorageAlarm, writeFailureOf } from '../../src/core/storage-alarm.js';
import type { Handler } from '../../src/core/context.js';
import type { InboundMessage, PushTarget, Reply } from '../../src/domain/model/message.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { storageFailure } from '../../store/storage-failure.js';
import { testDeps } from '../helpers/deps.js';
import { cleanupStores, freshTownId, openPgTestStore, pgEnabled } from '../helpers/stores.js';
import type { Store } from '../../src/domain/ports/store.js';

afterEach(cleanupStores);

const coded = (code: string, cause?: unknown) => Object.assign(new Error(`failed (${code})`), { code }, cause ? { cause } : {});

describe('what counts as a failure to write', () => {
  it.each([
    ['SQLITE_FULL', 'disk_full', false],
    ['ENOSPC', 'disk_full', false],
    ['EDQUOT', 'disk_full', false],
    ['SQLITE_READONLY', 'read_only', false],
    ['SQLITE_READONLY_DBMOVED', 'read_only', false],
    ['EROFS', 'read_only', false],
    ['SQLITE_IOERR_WRITE', 'io_error', false],
    ['EIO', 'io_error', false],
    // PostgreSQL class 53, insufficient resources: a full disk is told as one, the rest as refusing.
    ['53100', 'disk_full', true],
    ['53000', 'refused', true],
    ['53200', 'refused', true],
    ['53300', 'refused', true],
    ['53400', 'refused', true],
    ['25006', 'refused', true],
    ['58030', 'io_error', true],
  ] as const)('%s is %s', (code, kind, postgres) => {
    expect(writeFailureOf(coded(code))).toEqual({ kind, code, postgres });
  });

  it('finds the code on an error the driver wrapped', () => {
    expect(writeFailureOf(new Error('query failed', { cause: coded('53100') }))?.kind).toBe('disk_full');
  });

  it.each(['SQLITE_ERROR', 'SQLITE_CONSTRAINT_UNIQUE', '23505', '57P03', '5310', 'ECONNREFUSED', ''])('%s is not one', (code) => {
    expect(writeFailureOf(coded(code))).toBeNull();
  });

  it('is what start-up exits 6 for, so both name a full disk alike', () => {
    for (const code of ['SQLITE_FULL', 'ENOSPC', '53100', 'SQLITE_READONLY', 'EROFS', 'SQLITE_IOERR', '25006']) {
      expect(writeFailureOf(coded(code))).not.toBeNull();
      expect(storageFailure(coded(code))?.exitCode).toBe(6);
    }
  });
});

const msg = (id: string, text: string, chatType: 'single' | 'group' = 'single'): InboundMessage => ({
  id,
  channel: 'test',
  userId: 'wangwu',
  chatId: chatType === 'single' ? 'wangwu' : 'group-1',
  chatType,
  kind: 'text',
  text,
  receivedAt: new Date(),
});

/** Saves a push large enough to need new database pages, the way a registration would. */
const saving: Handler = {
  name: 'saving',
  async handle(ctx) {
    await ctx.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: '记录'.repeat(20_000) }, reason: 't' }, ctx.clock.now());
    return [{ text: '已保存' }];
  },
};

async function harness(store?: Store) {
  const deps = await testDeps(store ? { store } : {});
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const raw: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (raw.push(String(c)), lines.push(JSON.parse(String(c))), cb()) }));
  const sent: Array<{ target: PushTarget; reply: Reply; at: Date }> = [];
  const admins = deps.config.members.filter((m) => m.role === 'admin').map((m) => m.userid);
  const storage = new StorageAlarm({ admins, clock: deps.clock, log, send: async (target, reply) => void sent.push({ target, reply, at: deps.clock.now() }) });
  const router = new Router({ ...deps, log }, [saving], storage);
  const commits = new GroupCommit(deps.store, router, log, { storage });
  return {
    deps,
    lines,
    raw,
    sent,
    admins,
    storage,
    commits,
    /** The database may not grow: SQLite answers SQLITE_FULL, as on a full disk. */
    fillDisk: () => {
      const sqlite = (deps.store as SqliteStore).db.raw;
      // Without free pages to reuse, so the next row that needs space really finds none.
      sqlite.exec('VACUUM');
      sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
    },
    freeDisk: () => void (deps.store as SqliteStore).db.raw.pragma('max_page_count = 4294967294'),
  };
}

describe('the store cannot write while the bot runs', () => {
  it('tells the user nothing was saved, each admin once an hour directly, and all of them once when it writes again', async () => {
    const h = await harness();
    expect(h.admins.length).toBeGreaterThan(0);
    expect((await h.commits.dispatch(msg('m0', '你好'))).replies).toEqual([{ text: '已保存' }]);
    await h.deps.store.transaction(async () => {
      for (const o of await h.deps.store.outbox.list(10)) await h.deps.store.outbox.markSent(o.id, h.deps.clock.now());
    });
    const before = await h.deps.store.outbox.pending();
    h.fillDisk();

    const typed = '登记 张小明 身份证 110101201001011234';
    const r1 = await h.commits.dispatch(msg('m1', typed, 'group'));
    expect(r1.replies).toEqual([STORAGE_FAILURE_REPLY]);
    expect(r1.replies[0]!.text).toMatch(/没有保存/);
    expect(r1.replies[0]!.text).toMatch(/已通知管理员/);
    expect(r1.replies[0]!.text).toMatch(/稍后/);
    expect(r1.replies[0]!.text).not.toContain('张小明');
    await h.storage.settled();
    expect(h.sent.map((s) => s.target)).toEqual(h.admins.map((id) => ({ kind: 'user', id })));
    expect(h.sent[0]!.reply.text).toMatch(/磁盘已满/);
    expect(h.sent[0]!.reply.text).toContain('SQLITE_FULL');
    expect(h.sent[0]!.reply.text).toContain('2026-11-29 10:00'); // since when, in Beijing time
    expect(h.sent[0]!.reply.text).toMatch(/腾出/);

    // Within the hour: the user is told again, the admins are not.
    for (const [i, minutes] of [10, 30, 59].entries()) {
      h.deps.clock.set(new Date(Date.parse('2026-11-29T02:00:00Z') + minutes * 60_000));
      expect((await h.commits.dispatch(msg(`m2-${i}`, typed))).replies).toEqual([STORAGE_FAILURE_REPLY]);
    }
    await h.storage.settled();
    expect(h.sent).toHaveLength(h.admins.length);

    // After the hour, still failing: one more notice each, still dated from the start.
    h.deps.clock.set(new Date('2026-11-29T03:01:00Z'));
    await h.commits.dispatch(msg('m3', typed));
    await h.storage.settled();
    expect(h.sent).toHaveLength(2 * h.admins.length);
    expect(h.sent.at(-1)!.reply.text).toContain('2026-11-29 10:00');

    // Nothing of those turns was kept: no push queued, no message id recorded.
    expect(await h.deps.store.outbox.pending()).toBe(before);
    expect(await h.deps.store.inbound.claim({ id: 'm1', channel: 'test', userId: 'wangwu', chatId: 'group-1' }, h.deps.clock.now())).toBe(true);

    // One error line for the episode, carrying the kind and code and nothing the user typed.
    const errors = h.lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ storage: 'disk_full', code: 'SQLITE_FULL' });
    expect(h.raw.join('')).not.toContain('张小明');

    h.freeDisk();
    h.deps.clock.set(new Date('2026-11-29T03:20:00Z'));
    expect((await h.commits.dispatch(msg('m4', '你好'))).replies).toEqual([{ text: '已保存' }]);
    await h.commits.dispatch(msg('m5', '你好'));
    await h.storage.settled();
    const recovered = h.sent.slice(2 * h.admins.length);
    expect(recovered.map((s) => s.target)).toEqual(h.admins.map((id) => ({ kind: 'user', id })));
    expect(recovered[0]!.reply.text).toMatch(/已恢复保存/);
    expect(recovered[0]!.reply.text).toContain('11:20');
  });

  it('a commit that fails on PostgreSQL’s full disk is told as the database server’s', async () => {
    const h = await harness();
    const realTx = h.deps.store.transaction.bind(h.deps.store);
    let full = true;
    h.deps.store.transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
      if ((h.deps.store as SqliteStore).db.inTransaction() || !full) return realTx(fn);
      return realTx(async () => {
        await fn();
        throw coded('53100', undefined);
      });
    };
    const r = await h.commits.dispatch(msg('p1', '你好'));
    expect(r.replies).toEqual([STORAGE_FAILURE_REPLY]);
    await h.storage.settled();
    expect(h.sent).toHaveLength(h.admins.length);
    expect(h.sent[0]!.reply.text).toMatch(/PostgreSQL 数据库服务器的磁盘已满/);
    expect(await h.deps.store.outbox.pending()).toBe(0);

    full = false;
    await h.commits.dispatch(msg('p2', '你好'));
    await h.storage.settled();
    expect(h.sent).toHaveLength(2 * h.admins.length);
    expect(h.sent.at(-1)!.reply.text).toMatch(/已恢复保存/);
  });

  it('a commit of turns that all failed is no recovery, and other errors keep the general apology', async () => {
    const h = await harness();
    h.fillDisk();
    await Promise.all([h.commits.dispatch(msg('a', '一')), h.commits.dispatch(msg('b', '二'))]);
    await h.storage.settled();
    expect(h.sent).toHaveLength(h.admins.length);
    expect(h.sent.every((s) => !/已恢复/.test(s.reply.text))).toBe(true);

    const buggy = new Router(h.deps, [{ name: 'bug', handle: () => { throw new Error('bug'); } }], h.storage);
    expect((await buggy.dispatch(msg('c', '三'))).replies).toEqual([FAILURE_REPLY]);
  });

  it('an admin notice that cannot be delivered does not keep the user from being answered', async () => {
    const h = await harness();
    const storage = new StorageAlarm({ admins: h.admins, clock: h.deps.clock, log: h.deps.log, send: () => Promise.reject(new Error('unreachable')) });
    const commits = new GroupCommit(h.deps.store, new Router(h.deps, [saving], storage), h.deps.log, { storage });
    h.fillDisk();
    expect((await commits.dispatch(msg('d', '四'))).replies).toEqual([STORAGE_FAILURE_REPLY]);
    await storage.settled();
  });

  it('a town with no admin in its config does not claim one was told', async () => {
    const h = await harness();
    const storage = new StorageAlarm({ admins: [], clock: h.deps.clock, log: h.deps.log, send: async () => {} });
    const commits = new GroupCommit(h.deps.store, new Router(h.deps, [saving], storage), h.deps.log, { storage });
    h.fillDisk();
    const [reply] = (await commits.dispatch(msg('e', '五'))).replies;
    expect(reply).toEqual(STORAGE_FAILURE_REPLY_UNTOLD);
    expect(reply!.text).toMatch(/没有保存/);
    expect(reply!.text).not.toMatch(/已通知/);
  });
});

describe.skipIf(!pgEnabled)('PostgreSQL refusing the write', () => {
  it('its disk_full (53100) on a statement is told as the database server’s, and its end once', async () => {
    const store = await openPgTestStore(freshTownId());
    const h = await harness(store);
    // The server's own error, raised where a row would need space, as a full tablespace does.
    await store.db.exec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()`);
    expect((await h.commits.dispatch(msg('q1', '你好'))).replies).toEqual([STORAGE_FAILURE_REPLY]);
    await h.commits.dispatch(msg('q2', '你好'));
    await h.storage.settled();
    expect(h.sent).toHaveLength(h.admins.length);
    expect(h.sent[0]!.reply.text).toMatch(/PostgreSQL 数据库服务器的磁盘已满（53100）/);
    expect(await store.outbox.pending()).toBe(0);
    expect(h.lines.filter((l) => l.level === 50)).toEqual([expect.objectContaining({ storage: 'disk_full', code: '53100', postgres: true })]);

    await store.db.exec('DROP TRIGGER refuse ON outbox');
    expect((await h.commits.dispatch(msg('q3', '你好'))).replies).toEqual([{ text: '已保存' }]);
    await h.storage.settled();
    expect(h.sent).toHaveLength(2 * h.admins.length);
    expect(h.sent.at(-1)!.reply.text).toMatch(/已恢复保存/);
  });
});
