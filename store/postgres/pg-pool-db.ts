import type pg from 'pg';
import type { Dialect, Sql, SqlDb, SqlRunResult } from '../sql/db.js';
import { TxFrames, type TxFrame } from '../sql/tx-frames.js';

/** Thrown when PostgreSQL rejects a statement; `code` is the SQLSTATE (23505: unique violation). */
export class PgQueryError extends Error {
  override name = 'PgQueryError';
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  /** The statement as sent (`$n` placeholders); it carries no parameter values. */
  sql?: string;

  constructor(e: pg.DatabaseError, sql?: string) {
    super(e.message, { cause: e });
    this.code = e.code;
    this.constraint = e.constraint;
    this.table = e.table;
    this.column = e.column;
    this.sql = sql;
  }
}

/** Thrown when no connection to PostgreSQL can be made: by {@link PgPoolDb.open}, or by a query that needs a new one. */
export class PgConnectError extends Error {
  override name = 'PgConnectError';
  /** The driver's own SQLSTATE or errno code, when it gave one. */
  readonly code?: string;

  constructor(
    /** Why, in the driver's words: callers put it after their own 「无法连接 PostgreSQL…」 lead. */
    readonly reason: string,
    cause: unknown,
  ) {
    super(`无法连接 PostgreSQL：${reason}`, { cause });
    this.code = (cause as { code?: string } | null)?.code;
  }
}

/**
 * Thrown by a write transaction of a fenced town (county mode) when the lease it was opened
 * under is no longer this process's: another process took the town over (a higher epoch), so
 * nothing this one meant to write may commit. The transaction is rolled back.
 */
export class FencedOffError extends Error {
  override name = 'FencedOffError';
}

/** Thrown by any query on a {@link PgPoolDb} after `close()`. */
export class PgClosedError extends Error {
  override name = 'PgClosedError';
}

/** Who may write a fenced town's tables: the holder of the lease at this epoch. */
export interface PgFence {
  town: string;
  holder: string;
  /** The epoch of the lease this process holds now; null while it holds none. */
  epoch(): number | null;
}

export interface PgPoolOptions {
  /** Schemas for `search_path`, e.g. `town_xy`. */
  searchPath?: string;
  applicationName?: string;
  /** Longest a statement may run, default 60 s: the server cancels it then (SQLSTATE 57014). */
  timeoutMs?: number;
  /** Connections at most; a town's messages share them. */
  max?: number;
  /**
   * Longest a transaction may sit idle between statements, default 15 s: the server then ends
   * the session. A process stalled inside a fenced transaction holds the lease row share-locked,
   * which would hold a takeover back for as long as the stall lasts.
   */
  idleInTransactionMs?: number;
  /** The key of the town's write lock (see {@link PgPoolDb.transaction}). */
  writeLock: number;
  fence?: PgFence;
}

/** One transaction or savepoint level, carried by the async context of its callback. */
interface Frame extends TxFrame {
  client: pg.PoolClient;
  /**
   * BEGIN with the town's lock (and the lease check) as sent ahead of the callback's first
   * statements: it settles when their verdict is back, rejecting with FencedOffError when the lease
   * is gone. Shared by every level of one transaction.
   */
  begun: Promise<void>;
  /** Savepoints opened directly in this level take turns (two at once on one connection would interleave). */
  turn: Promise<void>;
}

/**
 * The client library, loaded by the first {@link PgPoolDb.open}: importing it (with the HTTP client
 * it pulls in) was a fifth of every SQLite start and CLI command, which never use it. Every use
 * below comes after an open.
 */
let pgLib: typeof pg | undefined;
const loadedPg = (): typeof pg => pgLib!;

/** int8 and numeric are counts and sums here: plain numbers are what the repositories expect. */
const toNumber = (v: string | null) => (v === null ? null : Number(v));
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if ((format === undefined || format === 'text') && (oid === 20 || oid === 1700)) return toNumber;
    return loadedPg().types.getTypeParser(oid, format ?? 'text');
  },
} as unknown as pg.CustomTypesConfig;

/**
 * One town's tables in PostgreSQL over a `pg.Pool`: queries are asynchronous, so a slow statement
 * or a stalled network holds one message, never the event loop that serves every town.
 *
 * Every transaction first takes the town's transaction-scoped advisory lock, so the town's write
 * transactions run one at a time as on SQLite (BEGIN IMMEDIATE): a duplicate check and the insert
 * it guards cannot interleave with another registration's. Reads outside a transaction run beside
 * them. When the town is fenced (county mode), the same first statement checks that this process
 * still holds the town's lease at its epoch, and keeps that lease row share-locked until commit,
 * so a takeover waits for the commit and a stalled former owner cannot commit at all.
 *
 * The connections pipeline: a statement is sent without waiting for the answer to the one before,
 * and answers come back in order. So BEGIN and the lock travel with the callback's first
 * statements, and a write that sends its statements together (a contact and its case's latest
 * day) waits for the server twice, there and at COMMIT. On a busy host every wait is a chance to
 * wait for the CPU as well, which is what a write's slowest times were made of.
 */
export class PgPoolDb implements SqlDb {
  readonly dialect: Dialect = 'postgres';
  private readonly frames = new TxFrames<Frame>();
  private savepoints = 0;
  private closed = false;
  /**
   * This process's outer transactions take turns before they take a connection: a transaction
   * waiting for the town's lock would otherwise hold a pooled connection that reads need.
   */
  private readonly outerTurns: { turn: Promise<void> } = { turn: Promise.resolve() };

  private fence: PgFence | undefined;

  private constructor(
    readonly pool: pg.Pool,
    private readonly opts: PgPoolOptions,
  ) {
    this.fence = opts.fence;
  }

  /**
   * Fences the town from now on (county mode): the store is opened, and its schema migrated,
   * before this process takes the town's lease; from the first transaction after this call on,
   * only the lease's holder at its current epoch can commit.
   */
  setFence(fence: PgFence | undefined): void {
    this.fence = fence;
  }

  /** Opens the pool and makes one connection, so a wrong URL or password fails here. */
  static async open(url: string, opts: PgPoolOptions): Promise<PgPoolDb> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const searchPath = opts.searchPath ? `-c search_path=${opts.searchPath.replace(/[^a-z0-9_,]/g, '')}` : '';
    pgLib ??= (await import('pg')).default;
    const pool = new pgLib.Pool({
      connectionString: url,
      application_name: opts.applicationName ?? 'humiao',
      connectionTimeoutMillis: Math.min(timeoutMs, 15_000),
      statement_timeout: timeoutMs,
      // The quarterly statistics query is costed high enough to trigger JIT compilation, which
      // took ~290 ms of a 650 ms report; the statements here are short, JIT never pays off.
      options: `${searchPath} -c jit=off`.trim(),
      idle_in_transaction_session_timeout: opts.idleInTransactionMs ?? 15_000,
      max: opts.max ?? 4,
      // A transaction's statements go out without waiting for the answer to the one before:
      // BEGIN with the lock travels with the first statement, and statements sent together
      // (a contact and its case's date) share a round trip. See inFrame.
      pipeline: true,
      idleTimeoutMillis: 30_000,
      types: TYPES,
    });
    // An idle connection that breaks (server restart) is dropped by the pool; the next query makes a new one.
    pool.on('error', () => {});
    try {
      const c = await pool.connect();
      c.release();
    } catch (e) {
      await pool.end().catch(() => {});
      throw new PgConnectError((e as Error).message, e);
    }
    return new PgPoolDb(pool, opts);
  }

  async get<R>(q: Sql): Promise<R | undefined> {
    return (await this.query<R>(q.text, q.values)).rows[0];
  }

  async all<R>(q: Sql): Promise<R[]> {
    return (await this.query<R>(q.text, q.values)).rows;
  }

  async values<R extends unknown[]>(q: Sql): Promise<R[]> {
    return (await this.query<R>(q.text, q.values, 'array')).rows;
  }

  async run(q: Sql): Promise<SqlRunResult> {
    return { changes: (await this.query(q.text, q.values)).rowCount ?? 0 };
  }

  async exec(script: string): Promise<void> {
    await this.query(script, []);
  }

  atomic<T>(fn: () => Promise<T>): Promise<T> {
    return this.inTransaction() ? fn() : this.transaction(fn);
  }

  inTransaction(): boolean {
    return this.frame() !== undefined;
  }

  afterCommit(fn: () => void): void {
    this.frames.afterCommit(fn);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.frame();
    if (outer) return this.savepoint(outer, fn);
    if (this.closed) throw new PgClosedError('PostgreSQL store is closed');
    // Refused before anything is sent: without a lease there is nothing this process may write.
    if (this.fence && this.fence.epoch() === null) throw this.fencedOff(null);
    const release = await takeTurn(this.outerTurns);
    let frame: Frame | undefined;
    let out: T;
    try {
      const client = await this.connect();
      let broken: Error | undefined;
      try {
        // Sent now and not awaited: on the pipelined connection the callback's first statements
        // follow it in the same round trip, and each waits for its verdict before it resolves.
        // When it throws instead, nothing was sent and the callback never runs.
        const begun = this.beginLocked(client);
        begun.catch(() => {});
        frame = { client, open: true, after: [], turn: Promise.resolve(), begun };
        out = await this.frames.run(frame, fn);
        // A callback that sent nothing still commits only under the lease.
        await begun;
        frame.open = false;
        await this.send(client, 'COMMIT', []);
      } catch (err) {
        if (frame) frame.open = false;
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw err;
      } finally {
        if (frame) frame.open = false;
        client.release(broken);
      }
    } finally {
      release();
    }
    // After the commit and outside it.
    TxFrames.committed(frame);
    return out;
  }

  private async savepoint<T>(outer: Frame, fn: () => Promise<T>): Promise<T> {
    const release = await takeTurn(outer);
    const name = `sp${++this.savepoints}`;
    const frame: Frame = { client: outer.client, open: true, after: [], turn: Promise.resolve(), begun: outer.begun };
    try {
      await this.inFrame(outer, `SAVEPOINT ${name}`, []);
      try {
        const out = await this.frames.run(frame, fn);
        frame.open = false;
        await this.inFrame(outer, `RELEASE SAVEPOINT ${name}`, []);
        TxFrames.released(frame, outer);
        return out;
      } catch (err) {
        frame.open = false;
        await this.inFrame(outer, `ROLLBACK TO SAVEPOINT ${name}`, []).catch(() => {});
        throw err;
      }
    } finally {
      frame.open = false;
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * BEGIN, the town's write lock and, when fenced, the lease check (see the class comment), as
   * one simple-protocol text, which takes no parameters: the lock key is a number computed here,
   * and the town, holder and epoch are written as literals by the driver's own escaping. It is
   * sent without waiting (see {@link transaction}); the promise settles with the verdict.
   */
  private beginLocked(client: pg.PoolClient): Promise<void> {
    const lock = this.opts.writeLock;
    if (!Number.isSafeInteger(lock)) throw new RangeError(`town write lock key must be an integer, got ${lock}`);
    const fence = this.fence;
    if (!fence) return this.send(client, `BEGIN; SELECT pg_advisory_xact_lock(${lock})`, []).then(() => {});
    const epoch = fence.epoch();
    // Thrown before anything is sent, so no statement of the callback is sent either: without
    // BEGIN on the wire it would commit on its own.
    if (epoch === null || !Number.isSafeInteger(epoch)) throw this.fencedOff(epoch);
    return this.send(
      client,
      `BEGIN; SELECT pg_advisory_xact_lock(${lock}), l.epoch FROM humiao.leases l
        WHERE l.town = ${client.escapeLiteral(fence.town)} AND l.holder = ${client.escapeLiteral(fence.holder)}
          AND l.epoch = ${epoch} AND l.expires_at > now() FOR SHARE OF l`,
      [],
    ).then((sent) => {
      const results = sent as unknown as pg.QueryResult[];
      if ((results[1]?.rows.length ?? 0) === 0) throw this.fencedOff(epoch);
    });
  }

  private fencedOff(epoch: number | null): FencedOffError {
    const town = this.fence?.town ?? '?';
    return new FencedOffError(`town ${town}: this process no longer holds its lease (epoch ${epoch ?? 'none'}); the write was not committed`);
  }

  /**
   * The innermost open level; work that outlives its transaction (started inside, still running
   * after the commit) sees a closed frame and goes to the pool like any other query.
   */
  private frame(): Frame | undefined {
    return this.frames.current();
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new PgClosedError('PostgreSQL store is closed');
    try {
      return await this.pool.connect();
    } catch (e) {
      throw new PgConnectError((e as Error).message, e);
    }
  }

  private async query<R>(text: string, values: readonly unknown[], rowMode?: 'array'): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
    const f = this.frame();
    if (f) return this.inFrame<R>(f, text, values, rowMode);
    if (this.closed) throw new PgClosedError('PostgreSQL store is closed');
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await this.send<R>(client, text, values, rowMode);
    } catch (err) {
      if (!(err instanceof PgQueryError)) broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * A statement on a transaction's connection, sent at once behind the ones already sent on it
   * (the connection pipelines, and answers come back in the order sent). Its result is handed
   * over only once BEGIN's lock and lease verdict is in: a fenced-off transaction ran the
   * statement, but the caller sees FencedOffError and the transaction is rolled back.
   */
  private async inFrame<R>(
    f: Frame,
    text: string,
    values: readonly unknown[],
    rowMode?: 'array',
  ): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
    const sent = this.send<R>(f.client, text, values, rowMode);
    try {
      await f.begun;
    } catch (err) {
      sent.catch(() => {});
      throw err;
    }
    return sent;
  }

  private async send<R>(
    client: pg.PoolClient,
    text: string,
    values: readonly unknown[],
    rowMode?: 'array',
  ): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
    try {
      const config: pg.QueryConfig = { text, values: values.map(toPg) };
      return await client.query<R & pg.QueryResultRow>(rowMode ? { ...config, rowMode } as pg.QueryConfig : config);
    } catch (e) {
      if (e instanceof loadedPg().DatabaseError) throw new PgQueryError(e, text);
      throw e;
    }
  }
}

/** Waits for the previous holder of `owner.turn` and returns the function that lets the next one in. */
async function takeTurn(owner: { turn: Promise<void> }): Promise<() => void> {
  const before = owner.turn;
  let release!: () => void;
  owner.turn = new Promise<void>((r) => (release = r));
  await before;
  return release;
}

/** undefined → null; bigint → its decimal text; Date → ISO text (exact to the millisecond in any time zone). */
function toPg(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}
