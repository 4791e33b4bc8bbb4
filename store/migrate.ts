import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Migrations are `store/migrations/NNN_name.sql`, applied in order of NNN. Numbers must be
 * unique and contiguous from 1 so a gap (a lost file) is noticed rather than skipped.
 */
export function loadMigrations(dir = migrationsDir): Migration[] {
  const list = readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`迁移文件编号不连续：期望 ${i + 1}，实际 ${m.name}`);
  });
  return list;
}
