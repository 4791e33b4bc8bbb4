/**
 * The slice of a SQL connection the repositories use. better-sqlite3's `Database` has exactly
 * this shape; the PostgreSQL adapter (`store/postgres/`) provides it over a synchronous bridge,
 * so one set of repositories and one SQL text serve both databases.
 */
/** New ids come from `INSERT … RETURNING id` (both databases), not from the run result. */
export interface SqlRunResult {
  changes: number;
}

export interface SqlStatement<P extends unknown[], R> {
  get(...params: P): R | undefined;
  all(...params: P): R[];
  run(...params: P): SqlRunResult;
  iterate(...params: P): IterableIterator<R>;
  /** Rows as arrays of column values instead of objects (cheaper for long scans). */
  raw(toggle?: boolean): this;
}

export interface SqlTransaction<T> {
  (): T;
  /** BEGIN IMMEDIATE in SQLite; in PostgreSQL every transaction already takes its locks as it goes. */
  immediate(): T;
}

export interface SqlDb {
  /** Unset for SQLite (better-sqlite3 has no such property); the few dialect-specific queries check it. */
  readonly dialect?: 'postgres';
  /** Named parameters (`@name`) are passed as one object: `prepare<[{ name: string }], Row>`. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqlStatement<P, R>;
  /** Nested calls become savepoints of the outer transaction. */
  transaction<T>(fn: () => T): SqlTransaction<T>;
}
