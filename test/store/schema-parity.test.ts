import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadMigrations } from '../../store/migrate.js';
import { PgPoolDb } from '../../store/postgres/pg-pool-db.js';
import { migrateTown, townSchema, townWriteLock } from '../../store/postgres/schema.js';
import { sql } from '../../store/sql/db.js';

/**
 * The repositories run the same SQL on both databases, so the two migration sets must build the
 * same tables with the same columns. A column added on one side only fails here, not in
 * production on the other database. Types are compared by family: PostgreSQL keeps timestamps as
 * timestamptz and JSON as jsonb where SQLite keeps TEXT, which the repositories read through
 * toDate()/fromJson().
 */

// Read directly: this test needs the server only, not the store helpers.
const url = inject('pgTestUrl');

/** Tables that exist on one side only, on purpose. */
const ONLY_SQLITE = new Set<string>([
  // (none: SQLite's own bookkeeping, sqlite_sequence, is left out by name)
]);
const ONLY_POSTGRES = new Set<string>([
  // SQLite's schema version is `PRAGMA user_version`; PostgreSQL keeps it in a table per town.
  'schema_version',
  // SQLite's AUTOINCREMENT counter (sqlite_sequence) kept by hand: the highest audit id ever used.
  'audit_seq',
]);
/** Columns that exist on PostgreSQL only, on purpose, in every table (`*`) or in one. */
const ONLY_POSTGRES_COLUMNS: Record<string, string[]> = {
  // Each row names its town, fixed by a CHECK, so a row copied into another town's schema is refused.
  '*': ['town'],
  // Which process took a due row to send, and until when: only several processes share one
  // PostgreSQL database; a SQLite file has one bot.
  outbox: ['claimed_by', 'claimed_until'],
};

type Family = 'integer' | 'text' | 'real' | 'blob';

/** SQLite's declared type by its affinity rules (https://sqlite.org/datatype3.html §3.1). */
function sqliteFamily(declared: string): Family {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text';
  if (t === '' || t.includes('BLOB')) return 'blob';
  return 'real';
}

/** PostgreSQL types as the SQLite column that holds the same values. */
const PG_FAMILY: Record<string, Family> = {
  integer: 'integer',
  bigint: 'integer',
  smallint: 'integer',
  boolean: 'integer',
  text: 'text',
  'character varying': 'text',
  // ISO-8601 text on SQLite.
  'timestamp with time zone': 'text',
  // JSON text on SQLite.
  jsonb: 'text',
  'double precision': 'real',
  real: 'real',
  numeric: 'real',
  bytea: 'blob',
};

type Schema = Map<string, Map<string, string>>;

function sqliteSchema(): Schema {
  const db = new Database(':memory:');
  try {
    for (const m of loadMigrations()) db.exec(m.sql);
    const out: Schema = new Map();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const cols = db.pragma(`table_info("${name}")`) as Array<{ name: string; type: string }>;
      out.set(name, new Map(cols.map((c) => [c.name, sqliteFamily(c.type)])));
    }
    return out;
  } finally {
    db.close();
  }
}

const town = `parity_${randomBytes(4).toString('hex')}`;
let pgDb: PgPoolDb | undefined;

async function postgresSchema(): Promise<Schema> {
  pgDb = await PgPoolDb.open(url!, { searchPath: townSchema(town), writeLock: townWriteLock(town) });
  await migrateTown(pgDb, town);
  const rows = await pgDb.all<{ table_name: string; column_name: string; data_type: string }>(
    sql`SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
          JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = ${townSchema(town)} AND t.table_type = 'BASE TABLE'`,
  );
  const out: Schema = new Map();
  for (const r of rows) {
    const cols = out.get(r.table_name) ?? new Map<string, string>();
    cols.set(r.column_name, PG_FAMILY[r.data_type] ?? `unmapped PostgreSQL type ${r.data_type}`);
    out.set(r.table_name, cols);
  }
  return out;
}

describe.skipIf(url === null)('SQLite and PostgreSQL schemas', () => {
  afterAll(async () => {
    if (!pgDb) return;
    await pgDb.exec(`DROP SCHEMA IF EXISTS ${townSchema(town)} CASCADE`);
    await pgDb.close();
  });

  it('have the same tables and columns, with matching type families', async () => {
    const lite = sqliteSchema();
    const pg = await postgresSchema();
    const problems: string[] = [];
    for (const t of lite.keys()) if (!pg.has(t) && !ONLY_SQLITE.has(t)) problems.push(`table ${t}: SQLite only`);
    for (const t of pg.keys()) if (!lite.has(t) && !ONLY_POSTGRES.has(t)) problems.push(`table ${t}: PostgreSQL only`);
    for (const [t, liteCols] of lite) {
      const pgCols = pg.get(t);
      if (!pgCols) continue;
      const pgOnly = new Set([...(ONLY_POSTGRES_COLUMNS['*'] ?? []), ...(ONLY_POSTGRES_COLUMNS[t] ?? [])]);
      for (const [c, fam] of liteCols) {
        const other = pgCols.get(c);
        if (other === undefined) problems.push(`${t}.${c}: SQLite only`);
        else if (other !== fam) problems.push(`${t}.${c}: SQLite ${fam}, PostgreSQL ${other}`);
      }
      for (const c of pgCols.keys()) if (!liteCols.has(c) && !pgOnly.has(c)) problems.push(`${t}.${c}: PostgreSQL only`);
    }
    expect(problems).toEqual([]);
    // The allow-lists name only what still differs: a stale entry hides the next real difference.
    for (const t of ONLY_POSTGRES) expect(pg.has(t) && !lite.has(t), `ONLY_POSTGRES ${t}`).toBe(true);
    for (const t of ONLY_SQLITE) expect(lite.has(t) && !pg.has(t), `ONLY_SQLITE ${t}`).toBe(true);
    for (const [t, cols] of Object.entries(ONLY_POSTGRES_COLUMNS)) {
      if (t === '*') continue;
      for (const c of cols) expect(pg.get(t)?.has(c) && !lite.get(t)?.has(c), `ONLY_POSTGRES_COLUMNS ${t}.${c}`).toBe(true);
    }
  });
});
