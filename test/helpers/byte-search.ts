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
