/**
 * Moves one town from its SQLite file into its PostgreSQL schema `town_<id>`: every table, ids
 * and encrypted values as they are, in one PostgreSQL transaction that also checks the copy.
 * The SQLite file is only read, so it stays the way back.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { FieldCipher } from '../src/domain/security/field-crypto.js';
import { DataKeyMismatchError, DataKeyMissingError } from '../src/domain/security/field-crypto.js';
import { checkDataKey } from './data-key-check.js';
import { loadMigrations } from './migrate.js';
import { PgDb, PgQueryError } from './postgres/pg-db.js';
import { migrateTown, townSchema } from './postgres/schema.js';
import { pgAuditHead } from './postgres/postgres-store.js';
import { SqlAuditRepo } from './sql/audit.js';
import { SqlCaseRepo } from './sql/cases.js';
import type { SqlDb } from './sql/db.js';

export interface MigrateToPostgresOptions {
  /** The town's SQLite database (`databaseFile(dataDir)`). */
  sqliteFile: string;
  /** `DATABASE_URL`. */
  url: string;
  /** The town id: the target is schema `town_<id>`. */
  town: string;
  /** The town's data key; the same key must open the copy, so it is checked against both. */
  cipher: FieldCipher | null;
  /** Who ran the migration, for its audit entry (`os:<user>`). */
  actor: string;
  now?: () => Date;
}

export interface TableCopy {
  table: string;
  rows: number;
}

export interface MigrationResult {
  schema: string;
  /** In the order they were copied. */
  tables: TableCopy[];
  rows: number;
  /** Audit entries in PostgreSQL after the migration, its own entry included. */
  auditEntries: number;
  ms: number;
}

/** Thrown when the SQLite file is missing, has another schema version, or holds no town data; nothing is written. */
export class MigrationSourceError extends Error {
  override name = 'MigrationSourceError';
}

/** Thrown when the town's PostgreSQL schema already holds data, or is in use by a running bot; nothing is written. */
export class MigrationTargetError extends Error {
  override name = 'MigrationTargetError';
}

/** Thrown when the copy does not match the source (row counts, audit chain, cases); the transaction is rolled back. */
export class MigrationVerifyError extends Error {
  override name = 'MigrationVerifyError';
}

/** PostgreSQL allows 65,535 parameters per statement; this keeps a batch well below it. */
const MAX_PARAMS = 30_000;
const MAX_BATCH_ROWS = 500;
/** Fails fast, with a clear message, when a running bot holds the town's tables. */
const LOCK_TIMEOUT = '5s';

/** The data-key check value: opening the schema with the key writes it, so it proves nothing about emptiness. */
const KEY_TABLE = 'security_meta';

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export function migrateSqliteToPostgres(opts: MigrateToPostgresOptions): MigrationResult {
  const started = performance.now();
  const now = opts.now ?? (() => new Date());
  const schema = townSchema(opts.town);
  if (!existsSync(opts.sqliteFile)) throw new MigrationSourceError(`找不到 SQLite 数据库 ${opts.sqliteFile}，请检查 HUMIAO_DATA_DIR`);

  const src = new Database(opts.sqliteFile, { readonly: true, fileMustExist: true });
  try {
    const version = src.pragma('user_version', { simple: true }) as number;
    const latest = loadMigrations().length;
    if (version !== latest) {
      throw new MigrationSourceError(
        `SQLite 数据库 ${opts.sqliteFile} 的版本是 ${version}，本程序是 ${latest}：请先用本程序启动一次机器人（或运行任一管理命令）使其升级，或换用对应版本的护苗助手迁移`,
      );
    }
    // One read transaction: every table comes from the same moment, even should something write meanwhile.
    src.exec('BEGIN');
    try {
      return copy(src, opts, schema, now, started);
    } finally {
      src.exec('COMMIT');
    }
  } finally {
    src.close();
  }
}

function copy(src: Database.Database, opts: MigrateToPostgresOptions, schema: string, now: () => Date, started: number): MigrationResult {
  const tables = sourceTables(src);
  const counts = new Map(tables.map((t) => [t, (src.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as { n: number }).n]));
  const dataRows = tables.filter((t) => t !== KEY_TABLE && t !== 'audit_log').reduce((n, t) => n + counts.get(t)!, 0);
  if (dataRows === 0) {
    throw new MigrationSourceError(`SQLite 数据库 ${opts.sqliteFile} 中没有任何个案、会话或消息记录，无需迁移；请确认 HUMIAO_DATA_DIR 指向本镇正在使用的数据目录`);
  }
  sourceKeyCheck(src, opts.cipher);
  const sourceAudit = new SqlAuditRepo(src as unknown as SqlDb).verify();
  if (!sourceAudit.ok) {
    throw new MigrationSourceError(`SQLite 中的审计记录已不完整（${sourceAudit.problem}），已停止迁移：请先用 \`npm run humiao -- audit verify\` 查明原因`);
  }
  const sequences = new Map(
    (src.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>).map((r) => [r.name, r.seq]),
  );

  const pg = PgDb.open(opts.url, { searchPath: schema, applicationName: `humiao:${opts.town}:migrate-store` });
  try {
    // Its own transaction: creating the schema must not hold the county-wide migration lock for the whole copy.
    migrateTown(pg, opts.town);
    return pg.transaction(() => {
      const targetColumns = pgColumns(pg, schema);
      const missing = tables.filter((t) => !targetColumns.has(t));
      if (missing.length) throw new MigrationTargetError(`PostgreSQL 的 ${schema} 中没有表 ${missing.join('、')}：本程序的两种数据库结构不一致，请升级护苗助手`);
      lockTables(pg, [...targetColumns.keys()]);
      assertEmpty(pg, schema, tables);
      makeRoomForKeyCheck(pg, src, schema);

      const copied: TableCopy[] = [];
      for (const table of tables) copied.push({ table, rows: copyTable(src, pg, table, targetColumns.get(table)!) });
      resetSequences(pg, schema, sequences);

      verifyCopy(pg, src, opts.cipher, counts);
      // The head is a row in the shared schema, written in this same transaction.
      const audit = new SqlAuditRepo(pg, { cipher: opts.cipher, head: pgAuditHead(pg, opts.town) });
      audit.append({
        at: now(),
        actor: opts.actor,
        action: 'migrate-store',
        detail: `sqlite → postgres ${schema}: ${copied.reduce((n, t) => n + t.rows, 0)} rows in ${copied.length} tables`,
      });
      return {
        schema,
        tables: copied,
        rows: copied.reduce((n, t) => n + t.rows, 0),
        auditEntries: counts.get('audit_log')! + 1,
        ms: Math.round(performance.now() - started),
      };
    })();
  } finally {
    pg.close();
  }
}

/** The town's tables, each after the tables its foreign keys point to (then in creation order). */
function sourceTables(src: Database.Database): string[] {
  const names = (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid").all() as Array<{ name: string }>).map(
    (r) => r.name,
  );
  const deps = new Map(
    names.map((t) => [t, new Set((src.pragma(`foreign_key_list(${quote(t)})`) as Array<{ table: string }>).map((f) => f.table).filter((x) => x !== t))]),
  );
  const ordered: string[] = [];
  while (ordered.length < names.length) {
    const next = names.find((t) => !ordered.includes(t) && [...deps.get(t)!].every((d) => ordered.includes(d) || !deps.has(d)));
    if (!next) throw new MigrationSourceError(`SQLite 表之间的外键成环，无法确定复制顺序：${names.filter((t) => !ordered.includes(t)).join('、')}`);
    ordered.push(next);
  }
  return ordered;
}

/** The same rule as checkDataKey, without writing: the source is opened read-only. */
function sourceKeyCheck(src: Database.Database, cipher: FieldCipher | null): void {
  const stored = (src.prepare("SELECT value FROM security_meta WHERE name = 'key_check'").get() as { value: string } | undefined)?.value;
  if (stored === undefined) return;
  if (!cipher) throw new DataKeyMissingError('SQLite 数据库中有加密的个案数据，但没有设置 HUMIAO_DATA_KEY。请设置加密时使用的密钥后再迁移。');
  if (stored !== cipher.keyCheck()) throw new DataKeyMismatchError('HUMIAO_DATA_KEY 与加密 SQLite 数据时使用的密钥不一致。请使用原来的密钥。');
}

/** Column names of every table in the town's schema. */
function pgColumns(pg: PgDb, schema: string): Map<string, Set<string>> {
  const rows = pg.query<{ table_name: string; column_name: string }>(
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
    [schema],
  );
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const cols = out.get(r.table_name) ?? new Set<string>();
    cols.add(r.column_name);
    out.set(r.table_name, cols);
  }
  return out;
}

/** A bot already running on this town would write between the check for emptiness and the copy. */
function lockTables(pg: PgDb, tables: string[]): void {
  pg.exec(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
  try {
    pg.exec(`LOCK TABLE ${tables.map(quote).join(', ')} IN EXCLUSIVE MODE`);
  } catch (e) {
    if (e instanceof PgQueryError && e.code === '55P03') {
      throw new MigrationTargetError('PostgreSQL 中本镇的数据表正被其他连接使用（机器人是否已在用 DATABASE_URL 运行？）：请先停止本镇的机器人再迁移', { cause: e });
    }
    throw e;
  }
}

function assertEmpty(pg: PgDb, schema: string, tables: string[]): void {
  const probe = tables
    .filter((t) => t !== KEY_TABLE)
    .map((t) => `SELECT ${pgLiteral(t)} AS t WHERE EXISTS (SELECT 1 FROM ${quote(t)})`)
    .concat(["SELECT 'audit_seq' AS t WHERE EXISTS (SELECT 1 FROM audit_seq WHERE seq > 0)"])
    .join(' UNION ALL ');
  const used = pg.query<{ t: string }>(probe).map((r) => r.t);
  if (used.length === 0) return;
  throw new MigrationTargetError(
    `PostgreSQL 中镇的模式 ${schema} 已有数据（${used.join('、')}），为免覆盖，迁移没有写入任何内容。` +
      `如确认其中的数据可以丢弃（例如上次迁移后尚未投入使用），请先用 pg_dump --schema=${schema} 备份，再执行 psql "$DATABASE_URL" -c 'DROP SCHEMA ${schema} CASCADE'，然后重新迁移`,
  );
}

/**
 * Opening the town's schema with the data key (a connection test, say) records the key check
 * already: the same value is replaced by the copy, a different one means another key.
 */
function makeRoomForKeyCheck(pg: PgDb, src: Database.Database, schema: string): void {
  const source = new Map((src.prepare(`SELECT name, value FROM ${KEY_TABLE}`).all() as Array<{ name: string; value: string }>).map((r) => [r.name, r.value]));
  for (const r of pg.query<{ name: string; value: string }>(`SELECT name, value FROM ${KEY_TABLE}`)) {
    const theirs = source.get(r.name);
    if (theirs === undefined) continue;
    if (theirs !== r.value) {
      throw new MigrationTargetError(`PostgreSQL 中镇的模式 ${schema} 已用另一个数据密钥打开过（${r.name} 不同），迁移没有写入任何内容：请确认 HUMIAO_DATA_KEY，或删除该模式后重新迁移`);
    }
    pg.query(`DELETE FROM ${KEY_TABLE} WHERE name = $1`, [r.name]);
  }
}

const pgLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Copies a table in multi-row INSERTs, column by column name; PostgreSQL-only columns (town, claims) take their defaults. */
function copyTable(src: Database.Database, pg: PgDb, table: string, target: Set<string>): number {
  const info = src.pragma(`table_info(${quote(table)})`) as Array<{ name: string; pk: number }>;
  const columns = info.map((c) => c.name);
  const absent = columns.filter((c) => !target.has(c));
  if (absent.length) throw new MigrationTargetError(`PostgreSQL 表 ${table} 缺少列 ${absent.join('、')}：本程序的两种数据库结构不一致，请升级护苗助手`);
  const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
  const select = src.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}${key.length ? ` ORDER BY ${key.join(', ')}` : ''}`).raw(true);

  const perBatch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  const insertSql = (rows: number): string => {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  };
  // Full batches share one prepared statement; only the last, shorter one is planned separately.
  const full = pg.prepare(insertSql(perBatch));
  let batch: unknown[] = [];
  let inBatch = 0;
  let total = 0;
  const flush = (): void => {
    if (inBatch === 0) return;
    (inBatch === perBatch ? full : pg.prepare(insertSql(inBatch))).run(...batch);
    total += inBatch;
    batch = [];
    inBatch = 0;
  };

  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    for (const v of row) batch.push(v);
    if (++inBatch === perBatch) flush();
  }
  flush();
  return total;
}

/**
 * Identity sequences continue after the highest id SQLite ever handed out (sqlite_sequence, which
 * also remembers deleted rows), and audit_seq takes over the audit log's, so a deleted tail of the
 * log stays visible to verify() after the move as it was before.
 */
function resetSequences(pg: PgDb, schema: string, sqliteSeq: Map<string, number>): void {
  const identities = pg.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND is_identity = 'YES'",
    [schema],
  );
  for (const { table_name: table, column_name: column } of identities) {
    const max = pg.query<{ m: number | null }>(`SELECT max(${quote(column)}) AS m FROM ${quote(table)}`)[0]?.m ?? 0;
    const high = Math.max(max, sqliteSeq.get(table) ?? 0);
    if (high > 0) pg.query('SELECT setval(pg_get_serial_sequence($1, $2), $3)', [`${schema}.${table}`, column, high]);
  }
  const auditHigh = Math.max(sqliteSeq.get('audit_log') ?? 0, pg.query<{ m: number | null }>('SELECT max(id) AS m FROM audit_log')[0]?.m ?? 0);
  pg.query('UPDATE audit_seq SET seq = GREATEST(seq, $1)', [auditHigh]);
}

/** Inside the copy's transaction: anything that does not match rolls the whole copy back. */
function verifyCopy(pg: PgDb, src: Database.Database, cipher: FieldCipher | null, counts: Map<string, number>): void {
  for (const [table, n] of counts) {
    const got = pg.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`)[0]?.n ?? 0;
    if (got !== n) throw new MigrationVerifyError(`表 ${table} 复制后有 ${got} 行，SQLite 中有 ${n} 行；迁移已撤销`);
  }
  const audit = new SqlAuditRepo(pg).verify();
  if (!audit.ok) throw new MigrationVerifyError(`复制后的审计记录哈希链校验未通过（${audit.problem}）；迁移已撤销`);
  try {
    // The same key must open the copy: records the key check where the source had none yet, as opening would.
    checkDataKey(pg, cipher);
  } catch (e) {
    throw new MigrationVerifyError(`复制后的数据与 HUMIAO_DATA_KEY 不符（${(e as Error).message}）；迁移已撤销`, { cause: e });
  }
  // Every case read back through the repository, decrypted, equals the source's.
  const before = new SqlCaseRepo(src as unknown as SqlDb, cipher).list();
  const after = new SqlCaseRepo(pg, cipher).list();
  const differs = before.findIndex((c, i) => JSON.stringify(c) !== JSON.stringify(after[i]));
  if (differs >= 0 || before.length !== after.length) {
    throw new MigrationVerifyError(`复制后读出的个案 ${before[differs]?.code ?? ''} 与 SQLite 中的不一致；迁移已撤销`);
  }
}
