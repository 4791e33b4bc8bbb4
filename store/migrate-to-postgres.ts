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
import { PgPoolDb, PgQueryError } from './postgres/pg-pool-db.js';
import { migrateTown, townSchema, townWriteLock } from './postgres/schema.js';
import { pgAuditHead } from './postgres/postgres-store.js';
import { SqlAuditRepo } from './sql/audit.js';
import { SqlCaseRepo } from './sql/cases.js';
import { join, raw, sql, type Sql } from './sql/db.js';
import { SqliteDb } from './sqlite/sqlite-db.js';

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

export async function migrateSqliteToPostgres(opts: MigrateToPostgresOptions): Promise<MigrationResult> {
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
      return await copy(src, opts, schema, now, started);
    } finally {
      src.exec('COMMIT');
    }
  } finally {
    src.close();
  }
}

async function copy(src: Database.Database, opts: MigrateToPostgresOptions, schema: string, now: () => Date, started: number): Promise<MigrationResult> {
  const tables = sourceTables(src);
  const counts = new Map(tables.map((t) => [t, (src.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as { n: number }).n]));
  const dataRows = tables.filter((t) => t !== KEY_TABLE && t !== 'audit_log').reduce((n, t) => n + counts.get(t)!, 0);
  if (dataRows === 0) {
    throw new MigrationSourceError(`SQLite 数据库 ${opts.sqliteFile} 中没有任何个案、会话或消息记录，无需迁移；请确认 HUMIAO_DATA_DIR 指向本镇正在使用的数据目录`);
  }
  sourceKeyCheck(src, opts.cipher);
  // The repositories read the source through the same port as the bot; its statements run inside
  // the read transaction opened above (the port opens none of its own for reads).
  const srcDb = new SqliteDb(src);
  const sourceAudit = await new SqlAuditRepo(srcDb).verify();
  if (!sourceAudit.ok) {
    throw new MigrationSourceError(`SQLite 中的审计记录已不完整（${sourceAudit.problem}），已停止迁移：请先用 \`npm run humiao -- audit verify\` 查明原因`);
  }
  const sequences = new Map(
    (src.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>).map((r) => [r.name, r.seq]),
  );

  // One connection: the copy is one transaction, and nothing else of this process uses the pool.
  const pg = await PgPoolDb.open(opts.url, {
    searchPath: schema,
    applicationName: `humiao:${opts.town}:migrate-store`,
    writeLock: townWriteLock(opts.town),
    max: 1,
    // A large table's batches are read from SQLite between statements; that is not a stall.
    idleInTransactionMs: 0,
  });
  try {
    // Its own transaction: creating the schema must not hold the county-wide migration lock for the whole copy.
    await migrateTown(pg, opts.town);
    // The head is a row in the shared schema, written once the copy's transaction has committed.
    const audit = new SqlAuditRepo(pg, { cipher: opts.cipher, head: pgAuditHead(pg, opts.town) });
    // The town's write lock (taken by transaction()) also keeps a bot of this version out meanwhile.
    const result = await pg.transaction(async () => {
      const targetColumns = await pgColumns(pg, schema);
      const missing = tables.filter((t) => !targetColumns.has(t));
      if (missing.length) throw new MigrationTargetError(`PostgreSQL 的 ${schema} 中没有表 ${missing.join('、')}：本程序的两种数据库结构不一致，请升级护苗助手`);
      await lockTables(pg, [...targetColumns.keys()]);
      await assertEmpty(pg, schema, tables);
      await makeRoomForKeyCheck(pg, src, schema);

      const copied: TableCopy[] = [];
      for (const table of tables) copied.push({ table, rows: await copyTable(src, pg, table, targetColumns.get(table)!) });
      await resetSequences(pg, schema, sequences);

      await verifyCopy(pg, srcDb, opts.cipher, counts);
      await audit.append({
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
    });
    await audit.headWritten();
    return result;
  } finally {
    await pg.close();
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
async function pgColumns(pg: PgPoolDb, schema: string): Promise<Map<string, Set<string>>> {
  const rows = await pg.all<{ table_name: string; column_name: string }>(
    sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ${schema}`,
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
async function lockTables(pg: PgPoolDb, tables: string[]): Promise<void> {
  await pg.exec(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
  try {
    await pg.exec(`LOCK TABLE ${tables.map(quote).join(', ')} IN EXCLUSIVE MODE`);
  } catch (e) {
    if (e instanceof PgQueryError && e.code === '55P03') {
      throw new MigrationTargetError('PostgreSQL 中本镇的数据表正被其他连接使用（机器人是否已在用 DATABASE_URL 运行？）：请先停止本镇的机器人再迁移', { cause: e });
    }
    throw e;
  }
}

async function assertEmpty(pg: PgPoolDb, schema: string, tables: string[]): Promise<void> {
  const probe = tables
    .filter((t) => t !== KEY_TABLE)
    .map((t) => `SELECT ${pgLiteral(t)} AS t WHERE EXISTS (SELECT 1 FROM ${quote(t)})`)
    .concat(["SELECT 'audit_seq' AS t WHERE EXISTS (SELECT 1 FROM audit_seq WHERE seq > 0)"])
    .join(' UNION ALL ');
  // Table names come from the source's catalogue, quoted; there are no values to bind.
  const used = (await pg.all<{ t: string }>(raw(probe))).map((r) => r.t);
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
async function makeRoomForKeyCheck(pg: PgPoolDb, src: Database.Database, schema: string): Promise<void> {
  const source = new Map((src.prepare(`SELECT name, value FROM ${KEY_TABLE}`).all() as Array<{ name: string; value: string }>).map((r) => [r.name, r.value]));
  for (const r of await pg.all<{ name: string; value: string }>(sql`SELECT name, value FROM security_meta`)) {
    const theirs = source.get(r.name);
    if (theirs === undefined) continue;
    if (theirs !== r.value) {
      throw new MigrationTargetError(`PostgreSQL 中镇的模式 ${schema} 已用另一个数据密钥打开过（${r.name} 不同），迁移没有写入任何内容：请确认 HUMIAO_DATA_KEY，或删除该模式后重新迁移`);
    }
    await pg.run(sql`DELETE FROM security_meta WHERE name = ${r.name}`);
  }
}

const pgLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * Copies a table in multi-row INSERTs, column by column name; PostgreSQL-only columns (town,
 * claims) take their defaults. Values go as SQLite has them: ISO text and JSON text become
 * timestamptz and jsonb by the target column's type.
 */
async function copyTable(src: Database.Database, pg: PgPoolDb, table: string, target: Set<string>): Promise<number> {
  const info = src.pragma(`table_info(${quote(table)})`) as Array<{ name: string; pk: number }>;
  const columns = info.map((c) => c.name);
  const absent = columns.filter((c) => !target.has(c));
  if (absent.length) throw new MigrationTargetError(`PostgreSQL 表 ${table} 缺少列 ${absent.join('、')}：本程序的两种数据库结构不一致，请升级护苗助手`);
  const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
  const select = src.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}${key.length ? ` ORDER BY ${key.join(', ')}` : ''}`).raw(true);

  const perBatch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  const head = sql`INSERT INTO ${raw(quote(table))} (${raw(columns.map(quote).join(', '))}) VALUES `;
  let batch: Sql[] = [];
  let total = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await pg.run(sql`${head}${join(batch)}`);
    total += batch.length;
    batch = [];
  };

  // Nothing else reads the source while its rows are iterated, so awaiting between batches is safe.
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    batch.push(sql`(${join(row)})`);
    if (batch.length === perBatch) await flush();
  }
  await flush();
  return total;
}

/**
 * Identity sequences continue after the highest id SQLite ever handed out (sqlite_sequence, which
 * also remembers deleted rows), and audit_seq takes over the audit log's, so a deleted tail of the
 * log stays visible to verify() after the move as it was before.
 */
async function resetSequences(pg: PgPoolDb, schema: string, sqliteSeq: Map<string, number>): Promise<void> {
  const identities = await pg.all<{ table_name: string; column_name: string }>(
    sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ${schema} AND is_identity = 'YES'`,
  );
  for (const { table_name: table, column_name: column } of identities) {
    const max = (await pg.get<{ m: number | null }>(sql`SELECT max(${raw(quote(column))}) AS m FROM ${raw(quote(table))}`))?.m ?? 0;
    const high = Math.max(max, sqliteSeq.get(table) ?? 0);
    if (high > 0) await pg.run(sql`SELECT setval(pg_get_serial_sequence(${`${schema}.${table}`}, ${column}), ${high})`);
  }
  const auditHigh = Math.max(sqliteSeq.get('audit_log') ?? 0, (await pg.get<{ m: number | null }>(sql`SELECT max(id) AS m FROM audit_log`))?.m ?? 0);
  await pg.run(sql`UPDATE audit_seq SET seq = GREATEST(seq, ${auditHigh})`);
}

/** Inside the copy's transaction: anything that does not match rolls the whole copy back. */
async function verifyCopy(pg: PgPoolDb, src: SqliteDb, cipher: FieldCipher | null, counts: Map<string, number>): Promise<void> {
  for (const [table, n] of counts) {
    const got = (await pg.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${raw(quote(table))}`))?.n ?? 0;
    if (got !== n) throw new MigrationVerifyError(`表 ${table} 复制后有 ${got} 行，SQLite 中有 ${n} 行；迁移已撤销`);
  }
  const audit = await new SqlAuditRepo(pg).verify();
  if (!audit.ok) throw new MigrationVerifyError(`复制后的审计记录哈希链校验未通过（${audit.problem}）；迁移已撤销`);
  try {
    // The same key must open the copy: records the key check where the source had none yet, as opening would.
    await checkDataKey(pg, cipher);
  } catch (e) {
    throw new MigrationVerifyError(`复制后的数据与 HUMIAO_DATA_KEY 不符（${(e as Error).message}）；迁移已撤销`, { cause: e });
  }
  // Every case read back through the repository, decrypted, equals the source's.
  const before = await new SqlCaseRepo(src, cipher).list();
  const after = await new SqlCaseRepo(pg, cipher).list();
  const differs = before.findIndex((c, i) => JSON.stringify(c) !== JSON.stringify(after[i]));
  if (differs >= 0 || before.length !== after.length) {
    throw new MigrationVerifyError(`复制后读出的个案 ${before[differs]?.code ?? ''} 与 SQLite 中的不一致；迁移已撤销`);
  }
}
