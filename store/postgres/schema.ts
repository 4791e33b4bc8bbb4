import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '../migrate.js';
import { SchemaTooNewError } from '../sqlite/sqlite-store.js';
import { createHash } from 'node:crypto';
import { sql } from '../sql/db.js';
import type { PgPoolDb } from './pg-pool-db.js';

/** A town id as config `id` allows it; it becomes part of SQL identifiers, so nothing else passes. */
const TOWN_ID = /^[a-z][a-z0-9_]{0,30}$/;

/** Thrown by {@link townSchema} (and so by openPostgresStore) when a town id could not be a schema name. */
export class InvalidTownIdError extends Error {
  override name = 'InvalidTownIdError';
}

/** Thrown by {@link migrateTown} when the connection would create the tables outside the town's schema. */
export class TownSchemaMismatchError extends Error {
  override name = 'TownSchemaMismatchError';
}

/** The schema holding one town's tables: `town_<id>`. */
export function townSchema(town: string): string {
  if (!TOWN_ID.test(town)) {
    throw new InvalidTownIdError(`镇 id「${town}」不合规：应为小写英文字母开头的 1–31 位小写字母、数字或下划线`);
  }
  return `town_${town}`;
}

/** Cross-town tables (leases for standby processes) live here. */
export const SHARED_SCHEMA = 'humiao';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The PostgreSQL migrations, numbered like store/migrations, as templates over `{{town}}`. */
export function loadTownMigrations(): Migration[] {
  return loadMigrations(migrationsDir);
}

/** A migration's SQL for one town; the id is validated before it reaches the SQL text. */
export function renderMigration(sql: string, town: string): string {
  townSchema(town);
  return sql.replaceAll('{{town}}', town);
}

/**
 * One key for every Humiao migration in the database: two processes starting together (or two
 * towns of one county) queue instead of racing to create the same schema or table.
 */
const MIGRATION_LOCK = 0x68756d69; // 'humi'

/**
 * The key of one town's write lock (see PgPoolDb.transaction): 48 bits of a hash of the id, so
 * two towns practically never share one and every process computes the same key.
 */
export function townWriteLock(town: string): number {
  return createHash('sha256').update(`humiao:town:${townSchema(town)}`).digest().readUIntBE(0, 6);
}

/**
 * Brings the town's schema to the latest version in one transaction: the schema and every
 * pending migration appear together or not at all. `db` must have `search_path` = the town's schema.
 * A fenced `db` migrates only while this process holds the town's lease.
 */
export async function migrateTown(db: PgPoolDb, town: string): Promise<void> {
  const schema = townSchema(town);
  const migrations = loadTownMigrations();
  await db.transaction(async () => {
    await db.run(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    // Checked before creating: CREATE SCHEMA IF NOT EXISTS needs the CREATE right even when the
    // schema is there, and an operator may have made the schemas for a less privileged role.
    const existing = new Set(
      (await db.all<{ nspname: string }>(sql`SELECT nspname FROM pg_namespace WHERE nspname = ANY(${[schema, SHARED_SCHEMA]})`)).map((r) => r.nspname),
    );
    for (const name of [SHARED_SCHEMA, schema]) if (!existing.has(name)) await db.exec(`CREATE SCHEMA ${name}`);
    const current = (await db.get<{ s: string | null }>(sql`SELECT current_schema() AS s`))?.s;
    if (current !== schema) {
      throw new TownSchemaMismatchError(`PostgreSQL 连接的 search_path 指向「${current ?? '无'}」而不是 ${schema}，已停止建表`);
    }
    await db.exec(
      renderMigration(
        `CREATE TABLE IF NOT EXISTS schema_version (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          applied_at text NOT NULL,
          town       text NOT NULL DEFAULT '{{town}}' CHECK (town = '{{town}}'))`,
        town,
      ),
    );
    const version = (await db.get<{ v: number | null }>(sql`SELECT max(version) AS v FROM schema_version`))?.v ?? 0;
    if (version > migrations.length) {
      throw new SchemaTooNewError(`数据库中 ${schema} 的版本 ${version} 高于本程序支持的 ${migrations.length}，请升级护苗助手后再启动`);
    }
    for (const m of migrations.slice(version)) {
      await db.exec(renderMigration(m.sql, town));
      await db.run(sql`INSERT INTO schema_version (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${new Date().toISOString()})`);
    }
  });
}
