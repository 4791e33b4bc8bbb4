import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { checkDataKey } from '../data-key-check.js';
import type { OutboxRepoOptions } from '../sql/outbox.js';
import { SqlStore } from '../sql/sql-store.js';
import { PgDb } from './pg-db.js';
import { migrateTown, SHARED_SCHEMA, townSchema } from './schema.js';
import type { AuditHeadStore } from '../../src/domain/security/audit-head.js';

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
    super(db, cipher, { outbox, auditHead: pgAuditHead(db, town) });
  }

  /** Dead row versions stay in PostgreSQL's files until VACUUM reclaims them: reclaim them now. */
  compact(): void {
    this.db.exec('VACUUM inbound, outbox, cases, contacts, audit_log, audit_reasons, followup_dialogs, sent_cards, conversation_turns, dialog_outcomes');
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

/** The town's audit head, in the shared schema beside the leases: outside what a town's tables hold. */
export function pgAuditHead(db: PgDb, town: string): AuditHeadStore {
  return {
    where: `${SHARED_SCHEMA}.audit_heads`,
    read: () => db.query<{ head: string }>(`SELECT head FROM ${SHARED_SCHEMA}.audit_heads WHERE town = $1`, [town])[0]?.head,
    write: (text) =>
      void db.query(`INSERT INTO ${SHARED_SCHEMA}.audit_heads (town, head) VALUES ($1, $2) ON CONFLICT (town) DO UPDATE SET head = excluded.head`, [town, text]),
  };
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
  const store = new PostgresStore(db, opts.town, opts.cipher ?? null, opts.outbox);
  // Plain text just encrypted in place is still in the dead row versions until VACUUM.
  if (store.upgradedPlaintext > 0) store.compact();
  return store;
}
