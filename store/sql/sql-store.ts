import type { AuditHeadStore } from '../../src/domain/security/audit-head.js';
import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { Store } from '../../src/domain/ports/store.js';
import { SqlAuditRepo } from './audit.js';
import { CaseSealer } from './case-seal.js';
import { encryptLegacyPlaintext } from './legacy-plaintext.js';
import { SqlCardRepo } from './cards.js';
import { SqlCaseRepo } from './cases.js';
import { SqlChatRepo } from './chats.js';
import { sql, type SqlDb } from './db.js';
import { SqlFollowupRepo } from './followup.js';
import { SqlIdentityMarks } from './identity-marks.js';
import { SqlInboundRepo } from './inbound.js';
import { SqlJobRunRepo } from './job-runs.js';
import { SqlOutboxRepo, type OutboxRepoOptions } from './outbox.js';
import { SqlOutcomeRepo } from './outcomes.js';
import { SqlSessionRepo } from './sessions.js';
import { SqlStatsRepo } from './stats.js';

export interface SqlStoreOptions {
  outbox?: OutboxRepoOptions;
  /** Where the audit log's signed head lives (beside the database file, or in the shared schema). */
  auditHead?: AuditHeadStore | null;
}

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
  readonly cards: SqlCardRepo;
  readonly outcomes: SqlOutcomeRepo;
  readonly caseSeals: CaseSealer;
  readonly identityMarks: SqlIdentityMarks;

  /**
   * Wires the repositories only; nothing touches the database until {@link init}, which the
   * openers await before handing the store out.
   */
  constructor(
    private readonly sql: SqlDb,
    private readonly cipher: FieldCipher | null,
    opts: SqlStoreOptions = {},
  ) {
    this.caseSeals = new CaseSealer(sql, cipher);
    this.inbound = new SqlInboundRepo(sql, cipher);
    this.outbox = new SqlOutboxRepo(sql, opts.outbox ?? {}, cipher);
    this.chats = new SqlChatRepo(sql);
    this.sessions = new SqlSessionRepo(sql, cipher);
    this.identityMarks = new SqlIdentityMarks(sql, cipher);
    this.cases = new SqlCaseRepo(sql, cipher, this.caseSeals, this.identityMarks);
    this.audit = new SqlAuditRepo(sql, { cipher, head: opts.auditHead ?? null });
    this.jobRuns = new SqlJobRunRepo(sql);
    this.followup = new SqlFollowupRepo(sql, cipher, this.caseSeals);
    this.stats = new SqlStatsRepo(sql);
    this.cards = new SqlCardRepo(sql, cipher);
    this.outcomes = new SqlOutcomeRepo(sql, cipher);
  }

  /**
   * How many plain-text copies the last open encrypted (see {@link encryptLegacyPlaintext}); the
   * opener then compacts, so the old bytes leave the WAL or PostgreSQL's dead row versions too.
   * Set by {@link init}.
   */
  upgradedPlaintext = 0;

  /**
   * The one-time upgrades of an opened (migrated, key-checked) database: the group filter's mark
   * scheme, seals for cases from before seals, and encryption of what earlier versions left in
   * plain text. Each is skipped once done; the openers call it before the first message.
   */
  async init(): Promise<void> {
    await this.identityMarks.adoptScheme();
    await this.sealLegacyCases();
    this.upgradedPlaintext = this.cipher ? await this.encryptLegacyPlaintext(this.cipher) : 0;
  }

  /**
   * Once per database, the first time it is opened with a data key after the upgrade: what earlier
   * versions left in plain text is encrypted, and the audit log says how much.
   */
  private async encryptLegacyPlaintext(cipher: FieldCipher): Promise<number> {
    // v1 did not yet cover what a run without a key leaves (cases, contacts, drafts, cards): a
    // database marked v1 runs the upgrade again, whose earlier steps find nothing left to do.
    const done = async () => (await this.sql.get<{ value: string }>(sql`SELECT value FROM security_meta WHERE name = 'legacy_plaintext'`))?.value === 'v2';
    if (await done()) return 0;
    return this.transaction(async () => {
      // Another process may have done it between the check and the write lock.
      if (await done()) return 0;
      const reasons = await this.audit.moveLegacyReasons();
      const n = await encryptLegacyPlaintext(this.sql, cipher, this.caseSeals);
      await this.sql.run(sql`INSERT INTO security_meta (name, value) VALUES ('legacy_plaintext', 'v2') ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
      const total = reasons + Object.values(n).reduce((a, b) => a + b, 0);
      if (total > 0) {
        await this.audit.append({
          at: new Date(),
          actor: 'system',
          action: 'encrypt-legacy',
          // Counts only: the entry is kept for ever and names no one.
          detail:
            `encrypted at upgrade: ${reasons} audit reasons, ${n.replies} cached replies, ${n.outbox} outbox bodies, ${n.closeReasons} close reasons, ${n.dialogs} dialogs` +
            `, ${n.cases} cases, ${n.contacts} contact notes, ${n.drafts} drafts, ${n.cards} cards, ${n.turns} answers, ${n.outcomes} outcomes`,
        });
      }
      return total;
    });
  }

  /**
   * Cases written before rows were sealed get a seal once, at the first start after the upgrade,
   * and the audit log says so; after that a row without a seal is reported by `audit verify`.
   */
  private async sealLegacyCases(): Promise<void> {
    const done = () => this.sql.get<{ value: string }>(sql`SELECT value FROM security_meta WHERE name = 'case_seals'`);
    if (await done()) return;
    await this.transaction(async () => {
      if (await done()) return;
      const n = await this.caseSeals.sealUnsealed();
      await this.sql.run(sql`INSERT INTO security_meta (name, value) VALUES ('case_seals', 'v1') ON CONFLICT (name) DO NOTHING`);
      if (n > 0) await this.audit.append({ at: new Date(), actor: 'system', action: 'seal-cases', detail: `${n} cases sealed at upgrade` });
    });
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    // Both connections turn a nested transaction into a savepoint, which is what we want.
    const outer = !this.sql.inTransaction();
    const queued = this.audit.headsQueued;
    const out = await this.sql.transaction(fn);
    // The audit head is written once the entries it names are committed (the audit repository
    // queues it on commit; a rollback drops it with them): by the time this resolves it is out.
    if (outer && this.audit.headsQueued !== queued) await this.audit.headWritten();
    return out;
  }

  abstract compact(): Promise<void>;
  abstract backup(file: string): Promise<void>;
  abstract close(): Promise<void>;
}
