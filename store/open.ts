import type { FieldCipher } from '../src/domain/security/field-crypto.js';
import { databaseFile } from '../src/paths.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';
import type { OutboxRepoOptions } from './sql/outbox.js';

export interface OpenStoreOptions {
  /** The town's id ({@link townIdOf}): its PostgreSQL schema is `town_<id>`. Unused by SQLite. */
  townId: string;
  cipher: FieldCipher | null;
  /** PostgreSQL: who claims outbox rows and for how long (see SqlOutboxRepo). */
  outbox?: OutboxRepoOptions;
}

/**
 * PostgreSQL when `DATABASE_URL` is set (a county running several towns in one database), else
 * the SQLite file under `HUMIAO_DATA_DIR` — a single town needs no database server.
 */
export function openStore(env: NodeJS.ProcessEnv, opts: OpenStoreOptions): Store {
  const url = env.DATABASE_URL?.trim();
  if (url) return openPostgresStore(url, { town: opts.townId, cipher: opts.cipher, outbox: opts.outbox });
  return openSqliteStore(databaseFile(env), { cipher: opts.cipher });
}

/** The town's id: config `id`, or its case prefix in lower case (`DJ` → `dj`). */
export function townIdOf(config: { id?: string | undefined; casePrefix: string }): string {
  return config.id ?? config.casePrefix.toLowerCase();
}
