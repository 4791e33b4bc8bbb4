import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureLeaseTable } from '../../../src/county/lease.js';
import { sql } from '../../../store/sql/db.js';
import { FencedOffError, PgClosedError, PgPoolDb, PgQueryError, type PgFence } from '../../../store/postgres/pg-pool-db.js';
import { PgFlights } from '../../helpers/pg-flights.js';

// Read directly (not through test/helpers/stores.ts) so this file needs nothing but the pool.
const url = inject('pgTestUrl');

const schema = `t_pool_${randomBytes(5).toString('hex')}`;
const town = schema.slice(2);
const writeLock = randomBytes(4).readInt32BE(0);
let admin: pg.Pool;
const opened: PgPoolDb[] = [];

async function open(extra: { fence?: PgFence; max?: number; via?: string } = {}): Promise<PgPoolDb> {
  const { via, ...opts } = extra;
  const db = await PgPoolDb.open(via ?? url!, { searchPath: schema, writeLock, ...opts });
  opened.push(db);
  return db;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(url === null)('PgPoolDb', () => {
  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: url!, max: 3 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.t (id integer PRIMARY KEY, v text, at timestamptz, doc jsonb, n bigint)`);
    await ensureLeaseTable(admin);
  });

  afterAll(async () => {
    for (const db of opened) await db.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.query('DELETE FROM humiao.leases WHERE town = $1', [town]);
    await admin?.end();
  });

  const reset = () => admin.query(`TRUNCATE ${schema}.t`);
  const ids = async () => (await admin.query<{ id: number }>(`SELECT id FROM ${schema}.t ORDER BY id`)).rows.map((r) => r.id);

  it('binds template values, reads native types back, and reports the SQLSTATE', async () => {
    await reset();
    const db = await open();
    const at = new Date('2026-03-04T05:06:07.089Z');
    await db.run(sql`INSERT INTO t (id, v, at, doc, n) VALUES (${1}, ${"it's"}, ${at}, ${JSON.stringify({ a: [1, 2] })}, ${2n ** 40n})`);
    const row = await db.get<{ v: string; at: Date; doc: unknown; n: number }>(sql`SELECT v, at, doc, n FROM t WHERE id = ${1}`);
    expect(row).toEqual({ v: "it's", at, doc: { a: [1, 2] }, n: 2 ** 40 });
    // The ISO text of a stored timestamp is exactly what was written (the audit chain hashes it).
    expect(row!.at.toISOString()).toBe('2026-03-04T05:06:07.089Z');
    expect(await db.values(sql`SELECT id, v FROM t`)).toEqual([[1, "it's"]]);
    expect((await db.run(sql`UPDATE t SET v = ${'x'} WHERE id > ${0}`)).changes).toBe(1);
    const dup = await db.run(sql`INSERT INTO t (id) VALUES (${1})`).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(PgQueryError);
    expect((dup as PgQueryError).code).toBe('23505');
  });

  it('commits a resolved transaction and rolls back a thrown one', async () => {
    await reset();
    const db = await open();
    await db.transaction(async () => {
      expect(db.inTransaction()).toBe(true);
      await db.run(sql`INSERT INTO t (id) VALUES (${1})`);
    });
    expect(db.inTransaction()).toBe(false);
    await expect(
      db.transaction(async () => {
        await db.run(sql`INSERT INTO t (id) VALUES (${2})`);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await ids()).toEqual([1]);
  });

  it('nests savepoints: an inner failure undoes only the inner work; afterCommit runs once, after the commit', async () => {
    await reset();
    const db = await open();
    const seen: string[] = [];
    await db.transaction(async () => {
      await db.run(sql`INSERT INTO t (id) VALUES (${1})`);
      db.afterCommit(() => seen.push('outer'));
      await db
        .transaction(async () => {
          await db.run(sql`INSERT INTO t (id) VALUES (${2})`);
          db.afterCommit(() => seen.push('rolled-back'));
          throw new Error('inner');
        })
        .catch(() => {});
      await db.transaction(async () => {
        await db.run(sql`INSERT INTO t (id) VALUES (${3})`);
        await db.transaction(async () => {
          await db.run(sql`INSERT INTO t (id) VALUES (${4})`);
          db.afterCommit(() => seen.push('inner'));
        });
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['outer', 'inner']);
    expect(await ids()).toEqual([1, 3, 4]);
    // Outside a transaction afterCommit runs at once.
    db.afterCommit(() => seen.push('now'));
    expect(seen.at(-1)).toBe('now');
  });

  it('a query anywhere in the transaction’s async context runs on its connection', async () => {
    await reset();
    const db = await open();
    const pidOutside = await db.get<{ p: number }>(sql`SELECT pg_backend_pid() AS p`);
    await db.transaction(async () => {
      const pid = (await db.get<{ p: number }>(sql`SELECT pg_backend_pid() AS p`))!.p;
      await db.run(sql`INSERT INTO t (id) VALUES (${1})`);
      // Deep in timers and parallel calls, still the same connection: it sees the uncommitted row.
      const deep = await new Promise<{ p: number; n: number }[]>((resolve, reject) =>
        setTimeout(() => {
          Promise.all([1, 2, 3].map(() => db.get<{ p: number; n: number }>(sql`SELECT pg_backend_pid() AS p, count(*)::int AS n FROM t`)))
            .then((rows) => resolve(rows.map((r) => r!)), reject);
        }, 5),
      );
      expect(deep).toEqual([1, 2, 3].map(() => ({ p: pid, n: 1 })));
      // Another connection does not see it yet.
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.t`)).rows[0].n).toBe(0);
    });
    expect(pidOutside).toBeDefined();
  });

  it('concurrent outer transactions take turns on the town’s write lock, also across pools', async () => {
    await reset();
    const a = await open();
    const b = await open();
    const log: string[] = [];
    const tx = (db: PgPoolDb, name: string, id: number) =>
      db.transaction(async () => {
        // The callback runs at once; its first statement travels with BEGIN and the lock, so what
        // it reads is read under the lock.
        const n = (await db.get<{ n: number }>(sql`SELECT count(*)::int AS n FROM t`))!.n;
        log.push(`${name}:start`);
        await sleep(30);
        await db.run(sql`INSERT INTO t (id, v) VALUES (${id}, ${String(n)})`);
        log.push(`${name}:end`);
      });
    await Promise.all([tx(a, 'a1', 1), tx(b, 'b1', 2), tx(a, 'a2', 3), tx(b, 'b2', 4)]);
    // Each saw every earlier one's row: a read-then-write never interleaved with another.
    const rows = (await admin.query<{ v: string }>(`SELECT v FROM ${schema}.t ORDER BY v`)).rows.map((r) => r.v);
    expect(rows).toEqual(['0', '1', '2', '3']);
    for (let i = 0; i < log.length; i += 2) expect(log[i]!.split(':')[0]).toBe(log[i + 1]!.split(':')[0]);
  });

  it('a transaction waits for the server twice: BEGIN and the lock go with the first statements, then COMMIT', async () => {
    await reset();
    const relay = await PgFlights.start(url!);
    try {
      const db = await open({ via: relay.urlFor(url!) });
      await db.get(sql`SELECT 1 AS one`);
      // Statements sent together share the flight of BEGIN; one that waits for an answer takes its own.
      expect(await relay.count(() => db.transaction(() => Promise.all([db.run(sql`INSERT INTO t (id) VALUES (${1})`), db.run(sql`INSERT INTO t (id) VALUES (${2})`)])))).toBe(2);
      expect(
        await relay.count(() =>
          db.transaction(async () => {
            const n = (await db.get<{ n: number }>(sql`SELECT count(*)::int AS n FROM t`))!.n;
            await db.run(sql`INSERT INTO t (id, v) VALUES (${3}, ${String(n)})`);
          }),
        ),
      ).toBe(3);
      expect(await ids()).toEqual([1, 2, 3]);
      // A failed statement still rolls everything back, those sent with it included.
      const failed = db.transaction(() => Promise.all([db.run(sql`INSERT INTO t (id) VALUES (${4})`), db.run(sql`INSERT INTO t (id) VALUES (${1})`)]));
      await expect(failed).rejects.toMatchObject({ code: '23505' });
      expect(await ids()).toEqual([1, 2, 3]);
    } finally {
      await relay.close();
    }
  });

  it('reads outside transactions are not held back by a transaction waiting for the lock', async () => {
    await reset();
    const db = await open({ max: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = db.transaction(() => gate);
    const waiting = [db.transaction(async () => {}), db.transaction(async () => {}), db.transaction(async () => {})];
    // Three transactions queue, yet a read still gets the second connection.
    expect(await db.get<{ one: number }>(sql`SELECT 1 AS one`)).toEqual({ one: 1 });
    release();
    await Promise.all([first, ...waiting]);
  });

  describe('fence', () => {
    let epoch: number | null = 1;
    const fence: PgFence = { town, holder: 'me', epoch: () => epoch };
    const setLease = (holder: string, e: number, ttl = '1 minute') =>
      admin.query(
        `INSERT INTO humiao.leases (town, holder, epoch, expires_at, renewed_at) VALUES ($1, $2, $3, now() + $4::interval, now())
         ON CONFLICT (town) DO UPDATE SET holder = EXCLUDED.holder, epoch = EXCLUDED.epoch, expires_at = EXCLUDED.expires_at`,
        [town, holder, e, ttl],
      );

    it('commits while the lease row names this holder at this epoch', async () => {
      await reset();
      await setLease('me', 1);
      epoch = 1;
      const db = await open({ fence });
      await db.transaction(() => db.run(sql`INSERT INTO t (id) VALUES (${1})`));
      expect(await ids()).toEqual([1]);
    });

    it('refuses with FencedOffError when the epoch, the holder or the expiry no longer match', async () => {
      await reset();
      const db = await open({ fence });
      // The INSERT goes out right behind BEGIN, before the lease verdict is back: it must not
      // commit, and the callback must not go on as if it had.
      let wentOn = false;
      const write = () =>
        db.transaction(async () => {
          await db.run(sql`INSERT INTO t (id) VALUES (${1})`);
          wentOn = true;
        });
      await setLease('me', 2);
      epoch = 1;
      await expect(write()).rejects.toBeInstanceOf(FencedOffError);
      expect(wentOn).toBe(false);
      await setLease('other', 1);
      await expect(write()).rejects.toBeInstanceOf(FencedOffError);
      await setLease('me', 1, '-1 second');
      await expect(write()).rejects.toBeInstanceOf(FencedOffError);
      epoch = null;
      await expect(write()).rejects.toBeInstanceOf(FencedOffError);
      expect(await ids()).toEqual([]);
      // Reads outside a transaction are not fenced.
      expect(await db.get(sql`SELECT 1 AS one`)).toEqual({ one: 1 });
    });

    it('a takeover waits for an open fenced transaction to commit; the stalled owner cannot start another', async () => {
      await reset();
      await setLease('me', 1);
      epoch = 1;
      const db = await open({ fence });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inside!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      const tx = db.transaction(async () => {
        await db.run(sql`INSERT INTO t (id) VALUES (${1})`);
        inside();
        await gate;
        await db.run(sql`INSERT INTO t (id) VALUES (${2})`);
      });
      await entered;
      let takenAt = 0;
      const takeover = admin
        .query(`UPDATE humiao.leases SET holder = 'other', epoch = epoch + 1 WHERE town = $1`, [town])
        .then(() => (takenAt = Date.now()));
      await sleep(100);
      expect(takenAt).toBe(0);
      const committedAt = Date.now();
      release();
      await tx;
      await takeover;
      expect(takenAt).toBeGreaterThanOrEqual(committedAt);
      expect(await ids()).toEqual([1, 2]);
      await expect(db.transaction(() => db.run(sql`INSERT INTO t (id) VALUES (${3})`))).rejects.toBeInstanceOf(FencedOffError);
    });
  });

  it('refuses queries after close', async () => {
    const db = await PgPoolDb.open(url!, { searchPath: schema, writeLock });
    await db.close();
    await expect(db.get(sql`SELECT 1`)).rejects.toBeInstanceOf(PgClosedError);
    await expect(db.transaction(async () => {})).rejects.toBeInstanceOf(PgClosedError);
  });
});
