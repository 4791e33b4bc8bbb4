import type { FieldCipher } from '../src/domain/security/field-crypto.js';
import type { StoreLocation } from '../src/config/settings.js';
import { databaseFile } from './paths.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { PgConnectError } from './postgres/pg-pool-db.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from '../src/domain/ports/store.js';
import type { OutboxRepoOptions } from './sql/outbox.js';

/**
 * Thrown by {@link openStore} when DATABASE_URL is set but no connection can be made (server
 * down, wrong host or port, refused login). `npm start` and the CLI print its one line and exit
 * with code 5; a service manager restarting the bot then retries.
 */
export class StoreUnreachableError extends Error {
  override name = 'StoreUnreachableError';
  readonly exitCode = 5;
}

export interface OpenStoreOptions {
  /** The town's id (config `townId`): its PostgreSQL schema is `town_<id>`. Unused by SQLite. */
  townId: string;
  cipher: FieldCipher | null;
  /** PostgreSQL: who claims outbox rows and for how long (see SqlOutboxRepo). */
  outbox?: OutboxRepoOptions;
}

/**
 * PostgreSQL when a database URL is set (a county running several towns in one database), else
 * the SQLite file in the data directory — a single town needs no database server.
 */
export async function openStore(at: StoreLocation, opts: OpenStoreOptions): Promise<Store> {
  const url = at.databaseUrl;
  if (url) {
    try {
      return await openPostgresStore(url, { town: opts.townId, cipher: opts.cipher, outbox: opts.outbox });
    } catch (err) {
      if (err instanceof PgConnectError) throw new StoreUnreachableError(`无法连接 PostgreSQL（DATABASE_URL）：${err.reason}`);
      throw err;
    }
  }
  return openSqliteStore(databaseFile(at.dataDir), { cipher: opts.cipher });
}
