import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestStore } from './stores.js';

/** Every row of every table of the store (its town's schema on PostgreSQL, plus the shared audit heads), as text. */
export function dumpTables(s: TestStore): string {
  const tables =
    s.kind === 'postgres'
      ? (s.db.prepare("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()").all() as Array<{ name: string }>)
      : (s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>);
  const parts = tables.map((t) => JSON.stringify(s.db.prepare(`SELECT * FROM "${t.name}"`).all()));
  if (s.kind === 'postgres') parts.push(JSON.stringify(s.db.prepare('SELECT * FROM humiao.audit_heads').all()));
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
