import { createHash, randomBytes } from 'node:crypto';
import { auditHash, GENESIS_HASH, verifyAuditChain, type AuditVerifyResult, type StoredAuditEntry } from '../../src/domain/security/audit-chain.js';
import { openHead, sealHead, type AuditHead, type AuditHeadStore } from '../../src/domain/security/audit-head.js';
import { decryptOpt, encryptOpt, isEncrypted, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { AuditInsert, AuditRecord } from '../../src/domain/model/records.js';
import type { AuditRepo } from '../../src/domain/ports/store.js';
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

interface ReasonRow {
  audit_id: number;
  salt: string;
  reason: string;
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

/** An entry's reason column when the text itself lives in audit_reasons. */
const REF = 'ref:';
/**
 * The reason column of an entry from before reasons were kept apart, once its plain text was
 * moved to audit_reasons: `moved:<digest>:<mac>`. Its hash still covers the plain text (verify
 * decrypts it to check); the MAC binds every other column, so the row stays checkable even after
 * purge erases the text.
 */
const MOVED = 'moved:';
const MOVED_MAC = 'audit moved reason';
const movedMacData = (r: AuditRow): string => JSON.stringify([r.id, r.at, r.actor, r.action, r.case_code, r.detail, r.prev_hash, r.hash]);
const isSide = (column: string | null): column is string => column !== null && (column.startsWith(REF) || column.startsWith(MOVED));
export const ERASED_REASON = '（已随个案匿名化清除）';
const reasonDigest = (salt: string, stored: string) => createHash('sha256').update(salt).update('\n').update(stored).digest('hex');

export interface AuditRepoOptions {
  cipher?: FieldCipher | null;
  /** Where the signed head is kept; none (an in-memory test database) leaves the head out. */
  head?: AuditHeadStore | null;
  /** True while the store's outer transaction is open: the head is written after it commits. */
  inTransaction?: () => boolean;
}

/**
 * The append-only audit log. Triggers in the schema refuse UPDATE and DELETE; the hash chain
 * catches changes made around them (a dropped trigger, an edited file), and the signed head
 * kept outside the table catches a cut tail or an emptied table.
 *
 * Reasons are personal data (a viewer's purpose may describe the child): the log row holds a
 * salted digest, the text sits encrypted in audit_reasons, which purge may delete from.
 */
export class SqlAuditRepo implements AuditRepo {
  private readonly cipher: FieldCipher | null;
  private readonly head: AuditHeadStore | null;
  private readonly inTransaction: () => boolean;
  private pendingHead: AuditHead | null = null;

  constructor(
    private readonly db: Db,
    opts: AuditRepoOptions = {},
  ) {
    this.cipher = opts.cipher ?? null;
    this.head = opts.head ?? null;
    this.inTransaction = opts.inTransaction ?? (() => false);
    this.dialect = db.dialect;
  }

  private readonly dialect: 'postgres' | undefined;
  private readonly statements = new Map<string, unknown>();
  /**
   * Statements are prepared on first use: a store whose audit table is gone must still open, so
   * the bot keeps answering and `audit verify` can say what is missing.
   */
  private stmt<S>(name: string, make: () => S): S {
    let st = this.statements.get(name) as S | undefined;
    if (!st) this.statements.set(name, (st = make()));
    return st;
  }
  private get last() {
    return this.stmt('last', () => this.db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'));
  }
  private get seq() {
    return this.stmt('seq', () => this.db.prepare<[], { seq: number }>(
      this.dialect === 'postgres' ? 'SELECT seq FROM audit_seq FOR UPDATE' : "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
    ));
  }
  private get insert() {
    return this.stmt('insert', () => this.db.prepare(
      'INSERT INTO audit_log (id, at, actor, action, case_code, reason, detail, prev_hash, hash) VALUES (@id, @at, @actor, @action, @case_code, @reason, @detail, @prev_hash, @hash)',
    ));
  }
  private get insertReason() {
    return this.stmt('insertReason', () => this.db.prepare('INSERT INTO audit_reasons (audit_id, case_code, salt, reason) VALUES (?, ?, ?, ?)'));
  }
  private get reasonOf() {
    return this.stmt('reasonOf', () => this.db.prepare<[number], ReasonRow>('SELECT audit_id, salt, reason FROM audit_reasons WHERE audit_id = ?'));
  }
  private get eraseReasons() {
    return this.stmt('eraseReasons', () => this.db.prepare('DELETE FROM audit_reasons WHERE case_code = ?'));
  }
  private get all() {
    return this.stmt('all', () => this.db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id'));
  }
  private get byCase() {
    return this.stmt('byCase', () => this.db.prepare<[string], AuditRow>('SELECT * FROM audit_log WHERE case_code = ? ORDER BY id'));
  }

  append(e: AuditInsert): AuditRecord {
    // Two writers must not both chain onto the same row. SQLite's IMMEDIATE transaction already
    // queues them; on PostgreSQL the seq read locks audit_seq, so it must come before the read of
    // the last row, or a writer waiting on the lock would chain onto a row that is no longer last.
    const rec = this.db.transaction(() => {
      const seq = this.seq.get()?.seq ?? 0;
      const prev = this.last.get();
      // Continue after the highest id ever used, so a deleted tail stays visible as a gap.
      const id = Math.max(prev?.id ?? 0, seq) + 1;
      let reasonColumn: string | null = null;
      if (e.reason != null) {
        const salt = randomBytes(16).toString('hex');
        const stored = encryptOpt(this.cipher, e.reason)!;
        reasonColumn = `${REF}${reasonDigest(salt, stored)}`;
        this.insertReason.run(id, e.caseCode ?? null, salt, stored);
      }
      const fields = {
        id,
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        caseCode: e.caseCode ?? null,
        reason: reasonColumn,
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
      // Entries are numbered without gaps (verify insists), so the count is the id.
      this.pendingHead = { count: id, lastId: id, lastHash: hash };
      return { ...fields, reason: e.reason ?? null, at: e.at, action: e.action };
    }).immediate();
    if (!this.inTransaction()) this.flushHead();
    return rec;
  }

  /** Writes the head of what was committed; the store calls it when its outer transaction commits. */
  flushHead(): void {
    const h = this.pendingHead;
    this.pendingHead = null;
    if (!h || !this.head) return;
    // Another process (the bot beside a CLI run) may have written a later head meanwhile.
    const current = this.head.read();
    const known = current === undefined ? null : openHead(this.cipher, current);
    if (known && typeof known === 'object' && known.lastId >= h.lastId) return;
    this.head.write(JSON.stringify(sealHead(this.cipher, h)));
  }

  /** The store's outer transaction rolled back: what it appended is gone, so is its head. */
  discardHead(): void {
    this.pendingHead = null;
  }

  /** Purge: the reasons given for looking at these cases are erased; the entries stay. */
  eraseReasonsOf(caseCodes: readonly string[]): number {
    let n = 0;
    for (const code of caseCodes) n += this.eraseReasons.run(code).changes;
    return n;
  }

  /**
   * Reasons written in plain text into the chained column before reasons were kept apart move to
   * audit_reasons, encrypted (with a data key only: without one there is nothing to gain). Each
   * row's hash is left as it was, so the chain, the signed head and any copy of them kept
   * elsewhere stay valid. Returns how many moved.
   */
  moveLegacyReasons(): number {
    const cipher = this.cipher;
    if (!cipher) return 0;
    const legacy = this.db
      .prepare<[], AuditRow>("SELECT * FROM audit_log WHERE reason IS NOT NULL AND substr(reason, 1, 4) <> 'ref:' AND substr(reason, 1, 6) <> 'moved:' ORDER BY id")
      .all();
    // Reasons kept apart while no key was set (a trial run) are plain there: encrypted in place.
    // Their digest covers the plain text, which verify decrypts to check.
    const plainSide = this.db.prepare<[], ReasonRow>('SELECT audit_id, salt, reason FROM audit_reasons').all().filter((r) => !isEncrypted(r.reason));
    const setSide = this.db.prepare('UPDATE audit_reasons SET reason = ? WHERE audit_id = ?');
    for (const r of plainSide) setSide.run(cipher.encrypt(r.reason), r.audit_id);
    if (legacy.length === 0) return plainSide.length;
    const update = this.db.prepare('UPDATE audit_log SET reason = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const r of legacy) {
        const salt = randomBytes(16).toString('hex');
        const stored = cipher.encrypt(r.reason!);
        this.insertReason.run(r.id, r.case_code, salt, stored);
        update.run(`${MOVED}${reasonDigest(salt, stored)}:${cipher.mac(MOVED_MAC, movedMacData(r))}`, r.id);
      }
    }).immediate();
    return legacy.length + plainSide.length;
  }

  /**
   * A moved reason's row as the chain saw it: with the plain text back in place, or, once purge
   * erased the text, marked so only its links are checked. A string says what is wrong.
   */
  private movedEntry(r: AuditRow & { reason: string }, side: ReasonRow | undefined): StoredAuditEntry | string {
    const [digest, mac] = r.reason.slice(MOVED.length).split(':');
    if (!this.cipher || mac !== this.cipher.mac(MOVED_MAC, movedMacData(r))) return `第 ${r.id} 条记录被改动（与迁出原因时的校验码不符）`;
    if (!side) return { ...toStored(r), contentErased: true };
    if (reasonDigest(side.salt, side.reason) !== digest) return `第 ${r.id} 条记录的原因被改动或替换`;
    try {
      return { ...toStored(r), reason: this.cipher.decrypt(side.reason) };
    } catch {
      return `第 ${r.id} 条记录的原因无法解密（被改动或损坏）`;
    }
  }

  private reasonText(column: string | null, id: number): string | null {
    if (!isSide(column)) return column;
    const r = this.reasonOf.get(id);
    return r ? decryptOpt(this.cipher, r.reason) : ERASED_REASON;
  }

  list(filter: { caseCode?: string } = {}): AuditRecord[] {
    const rows = filter.caseCode === undefined ? this.all.all() : this.byCase.all(filter.caseCode);
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at),
      actor: r.actor,
      action: r.action as AuditRecord['action'],
      caseCode: r.case_code,
      reason: this.reasonText(r.reason, r.id),
      detail: r.detail,
    }));
  }

  verify(): AuditVerifyResult {
    let last: StoredAuditEntry | undefined;
    const found: { bad: { id: number; problem: string } | null } = { bad: null };
    const reasonOf = this.reasonOf;
    const moved = (r: AuditRow & { reason: string }) => this.movedEntry(r, reasonOf.get(r.id));
    // A reason written plain (no key yet) and encrypted at the upgrade keeps the digest of its plain text.
    const digestOfPlain = (side: ReasonRow): string | null => {
      if (!this.cipher || !isEncrypted(side.reason)) return null;
      try {
        return reasonDigest(side.salt, this.cipher.decrypt(side.reason));
      } catch {
        return null;
      }
    };
    const result = verifyAuditChain(
      (function* (rows: Iterable<AuditRow>) {
        for (const r of rows) {
          if (r.reason?.startsWith(MOVED)) {
            const entry = moved(r as AuditRow & { reason: string });
            if (typeof entry === 'string') {
              found.bad ??= { id: r.id, problem: entry };
              yield (last = toStored(r));
            } else yield (last = entry);
            continue;
          }
          // An erased reason (purge) is fine; a reason row that no longer matches its digest is not.
          if (!found.bad && r.reason?.startsWith(REF)) {
            const side = reasonOf.get(r.id);
            if (side && `${REF}${reasonDigest(side.salt, side.reason)}` !== r.reason && `${REF}${digestOfPlain(side)}` !== r.reason) found.bad = { id: r.id, problem: `第 ${r.id} 条记录的原因被改动或替换` };
          }
          yield (last = toStored(r));
        }
      })(this.all.iterate()),
      this.seq.get()?.seq ?? 0,
    );
    const bad = found.bad;
    if (!result.ok && (!bad || result.brokenAt < bad.id)) return result;
    if (bad) return { ok: false, count: result.count, brokenAt: bad.id, problem: bad.problem };
    return this.checkHead(result.count, last);
  }

  /** The chain is whole; does it still reach as far as the head outside the table says it did? */
  private checkHead(count: number, last: StoredAuditEntry | undefined): AuditVerifyResult {
    if (!this.head) return { ok: true, count };
    const text = this.head.read();
    if (text === undefined) {
      if (count === 0) return { ok: true, count };
      // A table with entries but no head: entries written before heads existed get one now.
      return { ok: true, count, headMissing: true };
    }
    const h = openHead(this.cipher, text);
    if (h === 'unreadable') return { ok: false, count, brokenAt: 0, problem: `审计签名头（${this.head.where}）无法读取` };
    if (h === 'bad-seal') return { ok: false, count, brokenAt: 0, problem: `审计签名头（${this.head.where}）的签名不对：被改动，或不是用当前密钥写的` };
    if (count < h.count) return { ok: false, count, brokenAt: count + 1, problem: `签名头记载共 ${h.count} 条，表中只有 ${count} 条：第 ${count + 1} 条及之后的记录已被删除` };
    const reached = last && last.id >= h.lastId;
    if (!reached) return { ok: false, count, brokenAt: h.lastId, problem: `签名头记载的第 ${h.lastId} 条记录已不在表中` };
    const at = this.db.prepare<[number], { hash: string }>('SELECT hash FROM audit_log WHERE id = ?').get(h.lastId);
    if (at?.hash !== h.lastHash) return { ok: false, count, brokenAt: h.lastId, problem: `第 ${h.lastId} 条记录与签名头不符（被改动或替换）` };
    return { ok: true, count };
  }

  /** Writes the head for the table as it is (after a migration, or for entries from before heads existed). */
  writeHeadNow(): void {
    const prev = this.last.get();
    if (!prev || !this.head) return;
    this.pendingHead = { count: prev.id, lastId: prev.id, lastHash: prev.hash };
    this.flushHead();
  }
}
