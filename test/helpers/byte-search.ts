import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { raw, sql } from '../../store/sql/db.js';
import type { TestStore } from './stores.js';

/** Every row of every table of the store (its town's schema on PostgreSQL, plus the shared audit heads), as text. */
export async function dumpTables(s: TestStore): Promise<string> {
  const tables =
    s.kind === 'postgres'
      ? await s.db.all<{ name: string }>(sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`)
      : await s.db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table'`);
  const parts: string[] = [];
  // Table names come from the catalogue just read, quoted as identifiers.
  for (const t of tables) parts.push(JSON.stringify(await s.db.all(sql`SELECT * FROM ${raw(`"${t.name.replace(/"/g, '""')}"`)}`)));
  if (s.kind === 'postgres') parts.push(JSON.stringify(await s.db.all(sql`SELECT * FROM humiao.audit_heads`)));
  return parts.join('\n');
}

/** Every file under `dir` (database, WAL, backups, logs), read as bytes. */
export function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

/** The secrets (and their spaced-out form) found in the bytes: the text in UTF-8, as SQLite and logs store it. */
export function foundIn(bytes: Buffer | string, secrets: readonly string[]): string[] {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return secrets.filter((x) => b.includes(Buffer.from(x, 'utf8')));
}

/**
 * Every page of every relation of a PostgreSQL town (tables, indexes, their TOAST), read through
 * the buffer manager, so dead row versions and unvacuumed free space show up as well as live rows.
 * Null when the server lacks pageinspect (the row dump is then all a test can search).
 */
export async function pgPageBytes(s: TestStore): Promise<Buffer | null> {
  try {
    await s.db.exec('CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public');
  } catch {
    // Another test created it at the same moment, or the server does not have it.
  }
  const has = await s.db.get(sql`SELECT 1 AS one FROM pg_extension WHERE extname = 'pageinspect'`);
  if (!has) return null;
  const rels = await s.db.all<{ name: string; blocks: number }>(sql`
    WITH own AS (SELECT oid, reltoastrelid FROM pg_class WHERE relnamespace = current_schema()::regnamespace),
    toast AS (SELECT reltoastrelid AS oid FROM own WHERE reltoastrelid <> 0)
    SELECT c.oid::regclass::text AS name, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS blocks
    FROM pg_class c
    WHERE c.relkind IN ('r', 'i', 't')
      AND (c.oid IN (SELECT oid FROM own) OR c.oid IN (SELECT oid FROM toast)
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM toast)))`);
  const pages: Buffer[] = [];
  for (const r of rels) {
    for (let b = 0; b < r.blocks; b++) {
      const p = await s.db.get<{ page: Buffer }>(sql`SELECT public.get_raw_page(${r.name}, ${b}) AS page`);
      pages.push(p!.page);
    }
  }
  return Buffer.concat(pages);
}
