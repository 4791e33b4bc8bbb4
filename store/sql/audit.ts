import { auditHash, GENESIS_HASH, verifyAuditChain, type AuditVerifyResult, type StoredAuditEntry } from '../../src/domain/security/audit-chain.js';
import type { AuditInsert, AuditRecord, AuditRepo } from '../store.js';
import type { SqlDb as Db } from './db.js';

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  case_code: string | null;
  reason: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const toStored = (r: AuditRow): StoredAuditEntry => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  caseCode: r.case_code,
  reason: r.reason,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * The append-only audit log. Triggers in the schema refuse UPDATE and DELETE; the hash chain
 * catches changes made around them (a dropped trigger, an edited file).
 */
export class SqlAuditRepo implements AuditRepo {
  private readonly last;
  private readonly seq;
  private readonly insert;
  private readonly all;
  private readonly byCase;

  constructor(private readonly db: Db) {
    this.last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    // The highest id ever used. SQLite keeps it for AUTOINCREMENT in sqlite_sequence; the
    // PostgreSQL schema keeps it in audit_seq (a trigger raises it), locked so writers queue.
    this.seq = db.prepare<[], { seq: number }>(
      db.dialect === 'postgres' ? 'SELECT seq FROM audit_seq FOR UPDATE' : "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
    );
    this.insert = db.prepare(
      'INSERT INTO audit_log (id, at, actor, action, case_code, reason, detail, prev_hash, hash) VALUES (@id, @at, @actor, @action, @case_code, @reason, @detail, @prev_hash, @hash)',
    );
    this.all = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id');
    this.byCase = db.prepare<[string], AuditRow>('SELECT * FROM audit_log WHERE case_code = ? ORDER BY id');
  }

  append(e: AuditInsert): AuditRecord {
    // Two writers must not both chain onto the same row. SQLite's IMMEDIATE transaction already
    // queues them; on PostgreSQL the seq read locks audit_seq, so it must come before the read of
    // the last row, or a writer waiting on the lock would chain onto a row that is no longer last.
    return this.db.transaction(() => {
      const seq = this.seq.get()?.seq ?? 0;
      const prev = this.last.get();
      // Continue after the highest id ever used, so a deleted tail stays visible as a gap.
      const id = Math.max(prev?.id ?? 0, seq) + 1;
      const fields = {
        id,
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        caseCode: e.caseCode ?? null,
        reason: e.reason ?? null,
        detail: e.detail ?? null,
      };
      const prevHash = prev?.hash ?? GENESIS_HASH;
      const hash = auditHash(prevHash, fields);
      this.insert.run({
        id,
        at: fields.at,
        actor: fields.actor,
        action: fields.action,
        case_code: fields.caseCode,
        reason: fields.reason,
        detail: fields.detail,
        prev_hash: prevHash,
        hash,
      });
      return { ...fields, at: e.at, action: e.action };
    }).immediate();
  }

  list(filter: { caseCode?: string } = {}): AuditRecord[] {
    const rows = filter.caseCode === undefined ? this.all.all() : this.byCase.all(filter.caseCode);
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at),
      actor: r.actor,
      action: r.action as AuditRecord['action'],
      caseCode: r.case_code,
      reason: r.reason,
      detail: r.detail,
    }));
  }

  verify(): AuditVerifyResult {
    return verifyAuditChain(
      (function* (rows: Iterable<AuditRow>) {
        for (const r of rows) yield toStored(r);
      })(this.all.iterate()),
      this.seq.get()?.seq ?? 0,
    );
  }
}
