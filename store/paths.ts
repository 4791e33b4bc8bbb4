import { join } from 'node:path';

/** A town's SQLite file in its data directory (Settings.store.dataDir). Never inside the git tree's tracked files. */
export function databaseFile(dataDir: string): string {
  return join(dataDir, 'humiao.db');
}
