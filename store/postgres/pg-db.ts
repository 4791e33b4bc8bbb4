/**
 * The `SqlDb` port on PostgreSQL: the repositories in store/sql run unchanged over one `pg`
 * connection, made synchronous by the worker bridge in sync-client.ts. SQLite-style `?`/`@name`
 * placeholders are rewritten to `$n` once per statement (placeholders.ts), and each prepared
 * statement becomes a named server-side statement, so repeated calls skip parsing and planning.
 */
import type { SqlDb, SqlRunResult, SqlStatement, SqlTransaction } from '../sql/db.js';
import { bindParams, type ParamShape, translatePlaceholders } from './placeholders.js';
import {
  type BridgeError,
  type BridgeReply,
  type BridgeRequest,
  PgBridgeSendError,
  PgTimeoutError,
  SyncPgBridge,
} from './sync-client.js';

export { PgBridgeSendError, PgTimeoutError };

/** Thrown when PostgreSQL rejects a statement; `code` is the SQLSTATE (23505: unique violation). */
export class PgQueryError extends Error {
  override name = 'PgQueryError';
  code?: string;
  hint?: string;
  constraint?: string;
  table?: string;
  column?: string;
  /** The statement as sent (placeholders already `$n`); it carries no parameter values. */
  sql?: string;

  constructor(e: BridgeError, sql?: string) {
    super(e.message);
    this.sql = sql;
    this.code = e.code;
    this.hint = e.hint;
    this.constraint = e.constraint;
    this.table = e.table;
    this.column = e.column;
  }
}

/** Thrown when no connection to PostgreSQL can be made: by `PgDb.open`, or by a call that has to reconnect. */
export class PgConnectError extends Error {
  override name = 'PgConnectError';
  code?: string;
}

/**
 * Thrown when the connection broke while a statement was running or a transaction was open.
 * Inside a transaction everything since BEGIN is gone, so every call until the outermost
 * `transaction()` unwinds throws this too; after that the next call reconnects.
 */
export class PgConnectionLostError extends Error {
  override name = 'PgConnectionLostError';
}

/** Thrown by any call on a `PgDb` after `close()`. */
export class PgClosedError extends Error {
  override name = 'PgClosedError';
}

export interface PgDbOptions {
  /** Comma-separated schemas for `search_path`, e.g. `town_xy` or `town_xy, humiao`. */
  searchPath?: string;
  applicationName?: string;
  /**
   * Longest a statement may run, default 60 s: the server cancels it then (PgQueryError, SQLSTATE
   * 57014) and the connection stays usable. Should the server not answer at all, the caller stops
   * waiting a little later, resets the connection and throws PgTimeoutError.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Room for the server's own cancellation to arrive before the caller gives up on the connection. */
const WAIT_GRACE_MS = 1_000;
/** Dynamic SQL (an IN list per shape) could otherwise name statements without end. */
const MAX_NAMED_STATEMENTS = 2000;
/** Rows per FETCH when iterating: a long scan (the whole audit log) never sits in memory at once. */
const SCAN_CHUNK = 1000;

export class PgDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  private depth = 0;
  /** Transaction control deferred until the next statement; see runInTransaction. */
  private pending: string[] = [];
  /** A BEGIN has gone to the server and no COMMIT/ROLLBACK yet. */
  private serverTx = false;
  private closed = false;
  private readonly statementNames = new Map<string, string>();
  private cursorSeq = 0;

  private constructor(private readonly bridge: SyncPgBridge) {}

  /** Connects synchronously (blocks until connected or throws PgConnectError). */
  static open(url: string, opts: PgDbOptions = {}): PgDb {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const searchPath = opts.searchPath
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const bridge = new SyncPgBridge(
      {
        url,
        searchPath,
        applicationName: opts.applicationName ?? 'humiao',
        connectTimeoutMs: Math.min(timeoutMs, 15_000),
        statementTimeoutMs: timeoutMs,
      },
      timeoutMs + WAIT_GRACE_MS,
    );
    const db = new PgDb(bridge);
    try {
      db.send({ op: 'connect' });
    } catch (e) {
      bridge.stop();
      if (e instanceof PgConnectError) throw e;
      throw new PgConnectError(`Cannot connect to PostgreSQL: ${(e as Error).message}`, { cause: e });
    }
    return db;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqlStatement<P, R> {
    this.assertOpen();
    const { text, shape } = translatePlaceholders(sql);
    return new PgStatement<P, R>(this, text, shape, this.nameFor(text));
  }

  transaction<T>(fn: () => T): SqlTransaction<T> {
    const run = (): T => this.runInTransaction(fn);
    return Object.assign(run, { immediate: run });
  }

  /** Runs multi-statement SQL text (DDL) without parameters, over the simple query protocol. */
  exec(sql: string): void {
    this.sendStatement({ op: 'exec', sql, tx: false });
  }

  /** Runs native PostgreSQL SQL (`$1` placeholders), unprepared. */
  query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): R[] {
    const bound = bindParams({ kind: 'positional', count: params.length }, params);
    return this.sendStatement({ op: 'query', sql, params: bound, tx: false }).rows as R[];
  }

  /** Ends the connection and the worker; idempotent. An open transaction is rolled back by the server. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.bridge.running) {
      try {
        this.bridge.call({ op: 'close' }, 5_000);
      } catch {
        // Terminating the worker below closes the socket anyway.
      }
    }
    this.bridge.stop();
  }

  /** @internal Used by PgStatement. */
  execute(text: string, shape: ParamShape, name: string | undefined, args: unknown[], mode: 'rows' | 'array' | 'run'): BridgeReply {
    return this.sendStatement({
      op: mode === 'run' ? 'run' : 'query',
      sql: text,
      params: bindParams(shape, args),
      name,
      array: mode === 'array',
      tx: false,
    });
  }

  /**
   * @internal Used by PgStatement.iterate: rows come in chunks through a server-side cursor. WITH
   * HOLD lets the cursor outlive the statement's own implicit transaction, so other statements
   * may run on the connection between chunks, inside a transaction or not.
   */
  *scan<R>(text: string, shape: ParamShape, args: unknown[], array: boolean): Generator<R> {
    const cursor = `hm_cur_${++this.cursorSeq}`;
    const query = text.replace(/[\s;]+$/, '');
    this.execute(`DECLARE ${cursor} NO SCROLL CURSOR WITH HOLD FOR ${query}`, shape, undefined, args, 'run');
    try {
      for (;;) {
        const reply = this.execute(`FETCH ${SCAN_CHUNK} FROM ${cursor}`, NO_PARAMS, undefined, [], array ? 'array' : 'rows');
        const rows = reply.rows as R[];
        yield* rows;
        if (rows.length < SCAN_CHUNK) break;
      }
    } finally {
      if (!this.closed) {
        try {
          this.exec(`CLOSE ${cursor}`);
        } catch {
          // A rollback or a lost connection has already dropped the cursor.
        }
      }
    }
  }

  private nameFor(text: string): string | undefined {
    let name = this.statementNames.get(text);
    if (name === undefined && this.statementNames.size < MAX_NAMED_STATEMENTS) {
      name = `hm_${this.statementNames.size + 1}`;
      this.statementNames.set(text, name);
    }
    return name;
  }

  /**
   * BEGIN, SAVEPOINT and RELEASE are not sent on their own: they wait in `pending` and go with the
   * next statement (or the COMMIT), saving a bridge round trip each; a savepoint nothing ran in is
   * never sent at all. A failed savepoint's ROLLBACK TO waits the same way, ahead of whatever the
   * outer transaction does next.
   */
  private runInTransaction<T>(fn: () => T): T {
    const depth = this.depth;
    const savepoint = `hm_sp_${depth}`;
    this.pending.push(depth === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`);
    this.depth = depth + 1;
    let result: T;
    try {
      result = fn();
      if (isThenable(result)) throw new TypeError('Transaction function cannot return a promise');
      if (depth === 0) this.commit();
      else this.release(savepoint);
    } catch (e) {
      this.unwind(depth, savepoint);
      throw e;
    }
    this.depth = depth;
    return result;
  }

  private commit(): void {
    if (!this.serverTx) {
      // Nothing ran inside: the BEGIN (and any savepoints) never left this process.
      this.pending = [];
      return;
    }
    const sql = [...this.pending, 'COMMIT'].join('; ');
    this.pending = [];
    this.send({ op: 'exec', sql, tx: true });
    this.serverTx = false;
  }

  private release(savepoint: string): void {
    if (this.pending.at(-1) === `SAVEPOINT ${savepoint}`) this.pending.pop();
    else this.pending.push(`RELEASE SAVEPOINT ${savepoint}`);
  }

  private unwind(depth: number, savepoint: string): void {
    this.depth = depth;
    if (depth === 0) {
      this.pending = [];
      if (!this.serverTx) return;
      this.serverTx = false;
      // After a failed COMMIT the server has already ended the transaction; ROLLBACK is then a no-op.
      if (!this.bridge.running) return;
      try {
        this.bridge.call({ op: 'exec', sql: 'ROLLBACK', tx: true });
      } catch {
        // The connection is gone: the server drops the transaction with it.
      }
      return;
    }
    const unsent = this.pending.lastIndexOf(`SAVEPOINT ${savepoint}`);
    if (unsent >= 0) {
      // Nothing inside the savepoint reached the server, so there is nothing to undo.
      this.pending.length = unsent;
    } else {
      // Everything still pending concerns deeper savepoints, which this rollback discards anyway.
      this.pending = [`ROLLBACK TO SAVEPOINT ${savepoint}`, `RELEASE SAVEPOINT ${savepoint}`];
    }
  }

  /** Sends a statement, with any deferred transaction control in front of it. */
  private sendStatement(req: BridgeRequest & { op: 'exec' | 'query' | 'run' }): BridgeReply {
    if (this.pending.length === 0) return this.send({ ...req, tx: this.serverTx });
    const deferred = this.pending;
    const tx = this.serverTx;
    this.pending = [];
    // Whatever the outcome, the server may now hold a transaction: unwinding must roll it back.
    if (this.depth > 0) this.serverTx = true;
    try {
      return this.send({ ...req, pre: deferred.join('; '), tx });
    } catch (e) {
      if (e instanceof PgBridgeSendError) {
        // Nothing left this process, so the deferred control is still owed to the server.
        this.pending = deferred;
        this.serverTx = tx;
      }
      throw e;
    }
  }

  private send(req: BridgeRequest): BridgeReply {
    this.assertOpen();
    if (this.serverTx && req.op !== 'close' && !this.bridge.running) {
      throw new PgConnectionLostError('The PostgreSQL connection was reset inside a transaction; the transaction is gone');
    }
    const reply = this.bridge.call(req);
    if (reply.error) throw toError(reply.error, 'sql' in req ? req.sql : undefined);
    return reply;
  }

  private assertOpen(): void {
    if (this.closed) throw new PgClosedError('The PostgreSQL connection is closed');
  }
}

class PgStatement<P extends unknown[], R> implements SqlStatement<P, R> {
  private array = false;

  constructor(
    private readonly db: PgDb,
    private readonly text: string,
    private readonly shape: ParamShape,
    private readonly name: string | undefined,
  ) {}

  get(...params: P): R | undefined {
    return this.all(...params)[0];
  }

  all(...params: P): R[] {
    return this.db.execute(this.text, this.shape, this.name, params, this.array ? 'array' : 'rows').rows as R[];
  }

  run(...params: P): SqlRunResult {
    const reply = this.db.execute(this.text, this.shape, this.name, params, 'run');
    return { changes: reply.changes ?? 0 };
  }

  iterate(...params: P): IterableIterator<R> {
    return this.db.scan<R>(this.text, this.shape, params, this.array);
  }

  raw(toggle = true): this {
    this.array = toggle;
    return this;
  }
}

const NO_PARAMS: ParamShape = { kind: 'none' };

function toError(e: BridgeError, sql: string | undefined): Error {
  switch (e.kind) {
    case 'query':
      return new PgQueryError(e, sql);
    case 'connect': {
      const err = new PgConnectError(`Cannot connect to PostgreSQL: ${e.message}`);
      err.code = e.code;
      return err;
    }
    case 'connection':
    case 'lost':
      return new PgConnectionLostError(`PostgreSQL connection lost: ${e.message}`);
    case 'internal':
      return new Error(`PostgreSQL bridge failed: ${e.message}`);
  }
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
