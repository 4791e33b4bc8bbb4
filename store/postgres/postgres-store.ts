import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { checkDataKey } from '../data-key-check.js';
import type { OutboxRepoOptions } from '../sql/outbox.js';
import { SqlStore } from '../sql/sql-store.js';
import { PgDb } from './pg-db.js';
import { migrateTown, townSchema } from './schema.js';

/** Thrown by {@link PostgresStore.backup}: PostgreSQL is backed up with its own tools, not by Humiao. */
export class BackupUnsupportedError extends Error {
  override name = 'BackupUnsupportedError';
}

/** One town's data in PostgreSQL: the same repositories as SQLite, on a connection confined to `town_<id>`. */
export class PostgresStore extends SqlStore {
  constructor(
    readonly db: PgDb,
    readonly town: string,
    cipher: FieldCipher | null = null,
    outbox: OutboxRepoOptions = {},
  ) {
    super(db, cipher, outbox);
  }

  async backup(_file: string): Promise<void> {
    throw new BackupUnsupportedError(
      `数据保存在 PostgreSQL 中，护苗助手不做备份。请用 PostgreSQL 自带的工具备份，例如：pg_dump --schema=${townSchema(this.town)} -Fc -f 备份文件 "$DATABASE_URL"`,
    );
  }

  close(): void {
    this.db.close();
  }
}

export interface PostgresOpenOptions {
  /** The town id (config `id`); its tables live in schema `town_<id>`. */
  town: string;
  /** Field encryption for case identity data; null stores it in plain text (see README). */
  cipher?: FieldCipher | null;
  /** Who claims outbox rows and for how long: the lease holder, for the lease's ttl. */
  outbox?: OutboxRepoOptions;
}

/** Connect to `url`, create or migrate the town's schema, and check the data key. */
export function openPostgresStore(url: string, opts: PostgresOpenOptions): PostgresStore {
  const schema = townSchema(opts.town);
  const db = PgDb.open(url, { searchPath: schema, applicationName: `humiao:${opts.town}` });
  try {
    migrateTown(db, opts.town);
    checkDataKey(db, opts.cipher ?? null);
  } catch (err) {
    db.close();
    throw err;
  }
  return new PostgresStore(db, opts.town, opts.cipher ?? null, opts.outbox);
}
