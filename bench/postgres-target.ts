/**
 * Where the store benchmark's PostgreSQL runs go: the server, a throwaway town schema per scale,
 * the bulk load from the generated SQLite file, and dropping the schema afterwards.
 */
import { migrateSqliteToPostgres } from '../store/migrate-to-postgres.js';
import pg from 'pg';
import { townSchema } from '../store/postgres/schema.js';
import type { FieldCipher } from '../src/domain/security/field-crypto.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/postgres-store.js';
import { LeaseManager, openLeasePool } from '../src/county/lease.js';

export interface PgTarget {
  url: string;
  /** host:port/database, for the results: the URL itself may carry a password. */
  where: string;
  /** Server version and the durability settings a write time depends on. */
  server: string;
  /** Median of a prepared `SELECT 1` on one connection: the floor under every statement. */
  roundTripMs: number;
}

export type PgProbe = { ok: true; target: PgTarget } | { ok: false; reason: string };

/** `BENCH_DATABASE_URL`, else the tests' server; `none` in either leaves PostgreSQL out. */
export function benchPgUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Connects once, briefly: an unreachable server must cost the bench seconds, not its run. */
export async function probePostgres(url: string): Promise<PgProbe> {
  if (url === 'none') return { ok: false, reason: 'BENCH_DATABASE_URL/TEST_DATABASE_URL = none' };
  try {
    const db = await connect(url, 5_000);
    try {
      const { rows: [r] } = await db.query<{ v: string; f: string; s: string; b: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('fsync') AS f, current_setting('synchronous_commit') AS s, current_setting('shared_buffers') AS b",
      );
      const server = `PostgreSQL ${r!.v}, fsync=${r!.f}, synchronous_commit=${r!.s}, shared_buffers=${r!.b}`;
      const xs: number[] = [];
      for (let i = 0; i < 500; i++) {
        const t = performance.now();
        await db.query({ name: 'bench-one', text: 'SELECT 1 AS x' });
        xs.push(performance.now() - t);
      }
      xs.sort((a, b) => a - b);
      return { ok: true, target: { url, where: where(url), server, roundTripMs: xs[xs.length >> 1]! } };
    } finally {
      await db.end();
    }
  } catch (e) {
    return { ok: false, reason: `no server answered at ${where(url)} (${(e as Error).message})` };
  }
}

/** A town id of its own per run and scale, so concurrent runs (and the test suite) never meet. */
export function benchTown(index: number): string {
  return `bench_${process.pid}_${index}`;
}

export interface PgLoad {
  /** The copy itself, in one transaction, with migrate-store's checks (counts, audit chain, cases read back). */
  copyMs: number;
  /** VACUUM ANALYZE and a CHECKPOINT afterwards: planner statistics and the visibility map an index-only scan needs, as autovacuum would leave them. */
  vacuumMs: number;
  rows: number;
}

/**
 * The generated SQLite town into `town_<town>` through migrate-store (multi-row INSERTs of up to
 * 500 rows in one transaction): the same rows, ids and encrypted values as SQLite measured.
 */
export async function loadIntoPostgres(target: PgTarget, sqliteFile: string, town: string, cipher: FieldCipher): Promise<PgLoad> {
  const r = await migrateSqliteToPostgres({ sqliteFile, url: target.url, town, cipher, actor: 'os:bench' });
  const t = performance.now();
  const db = await connect(target.url, 600_000);
  try {
    // Named tables only: a bare VACUUM would walk every schema in the database, other towns' too.
    const { rows } = await db.query<{ t: string }>('SELECT quote_ident(schemaname) || \'.\' || quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = $1', [townSchema(town)]);
    if (rows.length) await db.query(`VACUUM (ANALYZE) ${rows.map((r) => r.t).join(', ')}`);
    // The load's WAL is flushed to the tables now, not by a checkpoint in the middle of the
    // measures that follow (SQLite's included, on the same disk). Needs the right to checkpoint;
    // without it the measures just may pay for it.
    await db.query('CHECKPOINT').catch(() => {});
  } finally {
    await db.end();
  }
  return { copyMs: r.ms, vacuumMs: performance.now() - t, rows: r.rows };
}

/**
 * Drops the bench town's schema and its rows in the shared schema (the audit head migrate-store
 * wrote, the lease the bench or the county process took); also after a failed run, so it never
 * leaves data behind.
 */
export async function dropTown(target: PgTarget, town: string): Promise<void> {
  const db = await connect(target.url, 120_000);
  try {
    await db.query(`DROP SCHEMA IF EXISTS ${townSchema(town)} CASCADE`);
    for (const table of ['humiao.audit_heads', 'humiao.leases']) {
      // Either table may not exist yet on a server no bot has started on.
      if ((await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]?.t) await db.query(`DELETE FROM ${table} WHERE town = $1`, [town]);
    }
  } finally {
    await db.end();
  }
}

/**
 * The town's store as the bot opens it on PostgreSQL: on the connection pool, fenced by a lease
 * this process takes (so every write transaction takes the town's advisory lock and checks the
 * lease epoch, as in a county process). `close` gives the lease back and closes both pools.
 */
export async function openBenchStore(target: PgTarget, town: string, cipher: FieldCipher | null): Promise<{ store: PostgresStore; close(): Promise<void> }> {
  const store = await openPostgresStore(target.url, { town, cipher });
  const pool = openLeasePool(target.url);
  try {
    const leases = new LeaseManager(pool);
    await leases.ensureTable();
    const lease = await leases.tryAcquire(town);
    if (!lease) throw new Error(`bench town ${town}: its lease is held by another process`);
    store.db.setFence(leases.fenceFor(town));
    return {
      store,
      close: async () => {
        await store.close();
        await lease.release().catch(() => {});
        await pool.end();
      },
    };
  } catch (e) {
    await store.close();
    await pool.end();
    throw e;
  }
}

/** A short-lived client on the bench's server, for statements the store has no API for. */
export function benchClient(target: PgTarget, timeoutMs = 120_000): Promise<pg.Client> {
  return connect(target.url, timeoutMs);
}

/** Size of the town's schema on the server: tables, indexes and TOAST. */
export async function schemaBytes(target: PgTarget, town: string): Promise<number> {
  const db = await connect(target.url, 60_000);
  try {
    const { rows } = await db.query<{ b: string | null }>(
      `SELECT sum(pg_total_relation_size(c.oid)) AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [townSchema(town)],
    );
    return Number(rows[0]?.b ?? 0);
  } finally {
    await db.end();
  }
}

async function connect(url: string, timeoutMs: number): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: 'humiao:bench', connectionTimeoutMillis: Math.min(timeoutMs, 15_000), statement_timeout: timeoutMs });
  await c.connect();
  return c;
}
