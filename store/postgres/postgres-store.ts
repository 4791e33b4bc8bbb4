import type { AuditHeadStore } from '../../src/domain/security/audit-head.js';
import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { checkDataKey } from '../data-key-check.js';
import { sql } from '../sql/db.js';
import type { OutboxRepoOptions } from '../sql/outbox.js';
import { SqlStore } from '../sql/sql-store.js';
import { PgPoolDb, type PgFence } from './pg-pool-db.js';
import { migrateTown, SHARED_SCHEMA, townSchema, townWriteLock } from './schema.js';

/** Thrown by {@link PostgresStore.backup}: PostgreSQL is backed up with its own tools, not by Humiao. */
export class BackupUnsupportedError extends Error {
  override name = 'BackupUnsupportedError';
}

/** The tables that can hold a copy of personal data (encrypted with a key, plain without). */
const PERSONAL_TABLES =
  'inbound, outbox, cases, contacts, audit_log, audit_reasons, followup_dialogs, form_sessions, sent_cards, conversation_turns, dialog_outcomes';

/** One town's data in PostgreSQL: the same repositories as SQLite, on a pool confined to `town_<id>`. */
export class PostgresStore extends SqlStore {
  constructor(
    readonly db: PgPoolDb,
    readonly town: string,
    cipher: FieldCipher | null = null,
    outbox: OutboxRepoOptions = {},
  ) {
    super(db, cipher, { outbox, auditHead: pgAuditHead(db, town) });
  }

  /** Dead row versions stay in PostgreSQL's files until VACUUM reclaims them: reclaim them now. */
  async compact(): Promise<void> {
    // VACUUM cannot run inside a transaction block; exec sends it on its own, outside any.
    await this.db.exec(`VACUUM ${PERSONAL_TABLES}`);
  }

  /**
   * After plain text was encrypted in place. VACUUM marks the old row versions free but leaves
   * their bytes in the page until a later row happens to overwrite them; VACUUM FULL writes each
   * table and its indexes to new files holding only the live rows. It locks the tables while it
   * runs, so it is kept for the one-time upgrade, before the store serves anything.
   */
  async rewriteTables(): Promise<void> {
    await this.db.exec(`VACUUM FULL ${PERSONAL_TABLES}`);
  }

  async backup(_file: string): Promise<void> {
    throw new BackupUnsupportedError(
      `数据保存在 PostgreSQL 中，护苗助手不做备份。请用 PostgreSQL 自带的工具备份，例如：pg_dump --schema=${townSchema(this.town)} -Fc -f 备份文件 "$DATABASE_URL"`,
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** The town's audit head, in the shared schema beside the leases: outside what a town's tables hold. */
export function pgAuditHead(db: PgPoolDb, town: string): AuditHeadStore {
  return {
    where: `${SHARED_SCHEMA}.audit_heads`,
    read: async () => (await db.get<{ head: string }>(sql`SELECT head FROM humiao.audit_heads WHERE town = ${town}`))?.head,
    write: async (text) => {
      await db.run(sql`INSERT INTO humiao.audit_heads (town, head) VALUES (${town}, ${text}) ON CONFLICT (town) DO UPDATE SET head = excluded.head`);
    },
  };
}

export interface PostgresOpenOptions {
  /** The town id (config `id`); its tables live in schema `town_<id>`. */
  town: string;
  /** Field encryption for case identity data; null stores it in plain text (see README). */
  cipher?: FieldCipher | null;
  /** Who claims outbox rows and for how long: the lease holder, for the lease's ttl. */
  outbox?: OutboxRepoOptions;
  /**
   * Every transaction checks that this process still holds the town's lease at `fence.epoch()`
   * (see PgPoolDb), so a stalled former owner's writes fail with FencedOffError. Given here, it
   * applies from the open on, migration included, so the lease must be held already; the county
   * runtime opens its towns before taking their leases and fences them then (PgPoolDb.setFence).
   */
  fence?: PgFence;
  /** Connections at most (default 4). */
  max?: number;
}

/** Connect to `url`, create or migrate the town's schema, and check the data key. */
export async function openPostgresStore(url: string, opts: PostgresOpenOptions): Promise<PostgresStore> {
  const schema = townSchema(opts.town);
  const db = await PgPoolDb.open(url, {
    searchPath: schema,
    applicationName: `humiao:${opts.town}`,
    writeLock: townWriteLock(opts.town),
    fence: opts.fence,
    max: opts.max,
  });
  try {
    await migrateTown(db, opts.town);
    await checkDataKey(db, opts.cipher ?? null);
    const store = new PostgresStore(db, opts.town, opts.cipher ?? null, opts.outbox);
    await store.init();
    // Plain text just encrypted in place is still in the dead row versions and the pages' free space.
    if (store.upgradedPlaintext > 0) await store.rewriteTables();
    return store;
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
