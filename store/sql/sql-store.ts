import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { Store } from '../store.js';
import { SqlAuditRepo } from './audit.js';
import { SqlCaseRepo } from './cases.js';
import { SqlChatRepo } from './chats.js';
import type { SqlDb } from './db.js';
import { SqlFollowupRepo } from './followup.js';
import { SqlInboundRepo } from './inbound.js';
import { SqlJobRunRepo } from './job-runs.js';
import { SqlOutboxRepo, type OutboxRepoOptions } from './outbox.js';
import { SqlSessionRepo } from './sessions.js';
import { SqlStatsRepo } from './stats.js';

/**
 * The repositories of one town on one connection, whatever the database: the SQLite and
 * PostgreSQL stores differ only in how they open, back up and close.
 */
export abstract class SqlStore implements Store {
  readonly inbound: SqlInboundRepo;
  readonly outbox: SqlOutboxRepo;
  readonly chats: SqlChatRepo;
  readonly sessions: SqlSessionRepo;
  readonly cases: SqlCaseRepo;
  readonly jobRuns: SqlJobRunRepo;
  readonly audit: SqlAuditRepo;
  readonly followup: SqlFollowupRepo;
  readonly stats: SqlStatsRepo;

  constructor(
    private readonly sql: SqlDb,
    cipher: FieldCipher | null,
    outbox: OutboxRepoOptions = {},
  ) {
    this.inbound = new SqlInboundRepo(sql);
    this.outbox = new SqlOutboxRepo(sql, outbox);
    this.chats = new SqlChatRepo(sql);
    this.sessions = new SqlSessionRepo(sql, cipher);
    this.cases = new SqlCaseRepo(sql, cipher);
    this.audit = new SqlAuditRepo(sql);
    this.jobRuns = new SqlJobRunRepo(sql);
    this.followup = new SqlFollowupRepo(sql, cipher);
    this.stats = new SqlStatsRepo(sql);
  }

  transaction<T>(fn: () => T): T {
    // Both connections turn a nested transaction into a savepoint, which is what we want.
    return this.sql.transaction(fn).immediate();
  }

  abstract backup(file: string): Promise<void>;
  abstract close(): void;
}
