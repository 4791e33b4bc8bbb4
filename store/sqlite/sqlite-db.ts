import type Database from 'better-sqlite3';
import type { Dialect, Sql, SqlDb, SqlRunResult } from '../sql/db.js';
import { TxFrames, type TxFrame } from '../sql/tx-frames.js';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * better-sqlite3 behind the asynchronous `SqlDb` port. The connection is one, so a transaction
 * holds it from BEGIN to COMMIT: a query from outside the transaction (another chat's message)
 * waits in a queue meanwhile, and one from inside it (found through the async context) runs at
 * once. Statements stay synchronous underneath: each one is a few microseconds of SQLite work and
 * the write's fsync, and a promise around them costs nothing a user could notice.
 *
 * Inside a transaction, never await work that was started outside it and touches this database:
 * that work waits in the queue for the transaction, which waits for it.
 */
export class SqliteDb implements SqlDb {
  readonly dialect: Dialect = 'sqlite';
  private readonly statements = new Map<string, Statement>();
  private readonly frames = new TxFrames<TxFrame>();
  /** A transaction holds the connection; others wait in `waiting`, first come first served. */
  private held = false;
  private readonly waiting: Array<() => void> = [];
  private savepoints = 0;

  constructor(readonly raw: Database.Database) {}

  get<R>(q: Sql): Promise<R | undefined> {
    return this.use(() => this.prepare(q.sql).get(...bind(q.values)) as R | undefined);
  }

  all<R>(q: Sql): Promise<R[]> {
    return this.use(() => this.prepare(q.sql).all(...bind(q.values)) as R[]);
  }

  values<R extends unknown[]>(q: Sql): Promise<R[]> {
    return this.use(() => {
      const st = this.prepare(q.sql);
      try {
        return st.raw(true).all(...bind(q.values)) as R[];
      } finally {
        st.raw(false);
      }
    });
  }

  run(q: Sql): Promise<SqlRunResult> {
    return this.use(() => ({ changes: this.prepare(q.sql).run(...bind(q.values)).changes }));
  }

  exec(script: string): Promise<void> {
    return this.use(() => void this.raw.exec(script));
  }

  atomic<T>(fn: () => Promise<T>): Promise<T> {
    return this.inTransaction() ? fn() : this.transaction(fn);
  }

  inTransaction(): boolean {
    return this.frames.current() !== undefined;
  }

  afterCommit(fn: () => void): void {
    this.frames.afterCommit(fn);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.frames.current();
    if (outer) {
      const name = `sp${++this.savepoints}`;
      const frame: TxFrame = { open: true, after: [] };
      this.raw.exec(`SAVEPOINT ${name}`);
      try {
        const out = await this.frames.run(frame, fn);
        this.raw.exec(`RELEASE ${name}`);
        TxFrames.released(frame, outer);
        return out;
      } catch (err) {
        frame.open = false;
        if (this.raw.inTransaction) this.raw.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw err;
      }
    }
    await this.acquire();
    const frame: TxFrame = { open: true, after: [] };
    let out: T;
    try {
      this.raw.exec('BEGIN IMMEDIATE');
      try {
        out = await this.frames.run(frame, fn);
      } catch (err) {
        frame.open = false;
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw err;
      }
      frame.open = false;
      this.raw.exec('COMMIT');
    } finally {
      frame.open = false;
      this.release();
    }
    TxFrames.committed(frame);
    return out;
  }

  async close(): Promise<void> {
    while (this.held) await this.acquire().then(() => this.release());
    this.statements.clear();
    if (this.raw.open) this.raw.close();
  }

  /** Synchronous access for what runs before the first message (open, migrate) and for backups. */
  prepare(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.raw.prepare(text) as Statement;
      this.statements.set(text, st);
    }
    return st;
  }

  /** Runs one statement: at once inside the caller's transaction or when nobody holds the connection. */
  private use<T>(work: () => T): Promise<T> {
    if (this.frames.current() || !this.held) {
      try {
        return Promise.resolve(work());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.acquire().then(() => {
      try {
        return work();
      } finally {
        this.release();
      }
    });
  }

  private acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null; the repositories also pass these. */
function bind(values: readonly unknown[]): unknown[] {
  return values.map((v) => {
    if (v === undefined) return null;
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v;
  });
}
