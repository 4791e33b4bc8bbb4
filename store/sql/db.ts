/**
 * The slice of a SQL connection the repositories use, asynchronous on both databases. SQL is
 * written once as a tagged template (`sql\`… WHERE id = ${id}\``): SQLite binds it as `?`,
 * PostgreSQL as `$n`, so no SQL text is rewritten at run time and a value can never become SQL.
 *
 * Transactions are explicit (`db.transaction(async () => …)`) and carried by the async context:
 * a query made anywhere inside the callback, however deep, runs in that transaction; a query made
 * elsewhere meanwhile waits for it on SQLite (one connection) and runs beside it on PostgreSQL.
 */
import sql, { empty, join, raw, Sql } from 'sql-template-tag';

export { sql, empty, join, raw, Sql };

/** New ids come from `INSERT … RETURNING id` (both databases), not from the run result. */
export interface SqlRunResult {
  changes: number;
}

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDb {
  readonly dialect: Dialect;
  get<R = Record<string, unknown>>(q: Sql): Promise<R | undefined>;
  all<R = Record<string, unknown>>(q: Sql): Promise<R[]>;
  /** Rows as arrays of column values instead of objects (cheaper for long scans). */
  values<R extends unknown[] = unknown[]>(q: Sql): Promise<R[]>;
  run(q: Sql): Promise<SqlRunResult>;
  /** Several statements without parameters (migrations, VACUUM). */
  exec(script: string): Promise<void>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. A
   * nested call becomes a savepoint of the outer transaction. On SQLite it takes the write lock
   * at once (BEGIN IMMEDIATE); on PostgreSQL it takes the town's write lock (see pg-pool-db.ts).
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` as one unit without a savepoint: outside a transaction it is a transaction of its
   * own; inside one it joins it, and a failure goes up to the level that began it, which rolls
   * it back. For a repository's statements that belong together (a contact and the case's new
   * risk); a caller that must survive an inner failure uses {@link transaction} (a savepoint),
   * as the group commit does for each message. On PostgreSQL a savepoint costs two round trips.
   */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
  /** True while the caller runs inside {@link transaction}. */
  inTransaction(): boolean;
  /** Runs `fn` once the current outermost transaction has committed (at once outside one). */
  afterCommit(fn: () => void): void;
  close(): Promise<void>;
}

/**
 * A stored timestamp as a Date: SQLite keeps ISO-8601 text, PostgreSQL a `timestamptz` that `pg`
 * returns as a Date already.
 */
export function toDate(v: string | Date): Date {
  return v instanceof Date ? new Date(v.getTime()) : new Date(v);
}

export function toDateOrNull(v: string | Date | null | undefined): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

/** A stored timestamp as the ISO text the repositories compare and hash. */
export function toIso(v: string | Date): string {
  return v instanceof Date ? v.toISOString() : v;
}

/** A stored JSON value: SQLite keeps its text, PostgreSQL's `jsonb` comes back parsed. */
export function fromJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * A JSON value to store: text for both databases (PostgreSQL casts it to `jsonb` on the way in).
 */
export function toJson(v: unknown): string {
  return JSON.stringify(v);
}

/** A dialect-specific fragment: SQLite's planner hints have no PostgreSQL counterpart. */
export function indexedBy(db: SqlDb, index: string): Sql {
  return db.dialect === 'sqlite' ? raw(`INDEXED BY ${index}`) : empty;
}
