import { createHash, randomBytes } from 'node:crypto';
import { auditHash, GENESIS_HASH, type AuditVerifyResult, type StoredAuditEntry } from '../../src/domain/security/audit-chain.js';
import { openHead, sealHead, type AuditHead, type AuditHeadStore } from '../../src/domain/security/audit-head.js';
import { decryptOpt, encryptOpt, isEncrypted, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { AuditInsert, AuditRecord } from '../../src/domain/model/records.js';
import type { AuditRepo } from '../../src/domain/ports/store.js';
import { sql, toIso, type SqlDb as Db } from './db.js';

interface AuditRow {
  id: number;
  at: string | Date;
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

/** An entry with the reason row kept for it (LEFT JOIN: the side columns are null when there is none). */
interface JoinedRow extends AuditRow {
  side_id: number | null;
  side_salt: string | null;
  side_reason: string | null;
}

const sideOf = (r: JoinedRow): ReasonRow | undefined =>
  r.side_id === null || r.side_id === undefined ? undefined : { audit_id: Number(r.side_id), salt: r.side_salt!, reason: r.side_reason! };

/** The columns the hash covers, as the text that was hashed (PostgreSQL may hand back a Date). */
const toStored = (r: AuditRow): StoredAuditEntry => ({
  id: Number(r.id),
  at: toIso(r.at),
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
const movedMacData = (r: AuditRow): string => JSON.stringify([Number(r.id), toIso(r.at), r.actor, r.action, r.case_code, r.detail, r.prev_hash, r.hash]);
const isSide = (column: string | null): column is string => column !== null && (column.startsWith(REF) || column.startsWith(MOVED));
export const ERASED_REASON = '（已随个案匿名化清除）';
const reasonDigest = (salt: string, stored: string) => createHash('sha256').update(salt).update('\n').update(stored).digest('hex');

export interface AuditRepoOptions {
  cipher?: FieldCipher | null;
  /** Where the signed head is kept; none (an in-memory test database) leaves the head out. */
  head?: AuditHeadStore | null;
}

/** How many entries `verify` reads at a time: a county's log is never all in memory. */
const VERIFY_PAGE = 1000;

const SELECT_JOINED = sql`SELECT l.*, r.audit_id AS side_id, r.salt AS side_salt, r.reason AS side_reason
  FROM audit_log l LEFT JOIN audit_reasons r ON r.audit_id = l.id`;

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
  /** The newest committed head not yet written out. */
  private pendingHead: AuditHead | null = null;
  /** Head writes run one after another, in commit order; callers that must see the head await it. */
  private writing: Promise<void> = Promise.resolve();
  /**
   * How many heads were queued so far: a transaction that queued none has no head to wait for
   * (and is not failed by another one's head write).
   */
  headsQueued = 0;

  constructor(
    private readonly db: Db,
    opts: AuditRepoOptions = {},
  ) {
    this.cipher = opts.cipher ?? null;
    this.head = opts.head ?? null;
  }

  /** The highest id ever used; `forAppend` locks it on PostgreSQL until the appending transaction ends. */
  private async seq(forAppend: boolean): Promise<number> {
    const q =
      this.db.dialect !== 'postgres'
        ? sql`SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'`
        : forAppend
          ? sql`SELECT seq FROM audit_seq FOR UPDATE`
          : sql`SELECT seq FROM audit_seq`;
    const r = await this.db.get<{ seq: number }>(q);
    return Number(r?.seq ?? 0);
  }

  private last(): Promise<{ id: number; hash: string } | undefined> {
    return this.db.get<{ id: number; hash: string }>(sql`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`);
  }

  async append(e: AuditInsert): Promise<AuditRecord> {
    const outer = !this.db.inTransaction();
    // Two writers must not both chain onto the same row. SQLite's IMMEDIATE transaction already
    // queues them; on PostgreSQL the seq read locks audit_seq, so it must come before the read of
    // the last row, or a writer waiting on the lock would chain onto a row that is no longer last.
    const rec = await this.db.atomic(async () => {
      const seq = await this.seq(true);
      const prev = await this.last();
      // Continue after the highest id ever used, so a deleted tail stays visible as a gap.
      const id = Math.max(Number(prev?.id ?? 0), seq) + 1;
      let reasonColumn: string | null = null;
      if (e.reason != null) {
        const salt = randomBytes(16).toString('hex');
        const stored = encryptOpt(this.cipher, e.reason)!;
        reasonColumn = `${REF}${reasonDigest(salt, stored)}`;
        await this.db.run(sql`INSERT INTO audit_reasons (audit_id, case_code, salt, reason) VALUES (${id}, ${e.caseCode ?? null}, ${salt}, ${stored})`);
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
      await this.db.run(sql`INSERT INTO audit_log (id, at, actor, action, case_code, reason, detail, prev_hash, hash)
        VALUES (${id}, ${fields.at}, ${fields.actor}, ${fields.action}, ${fields.caseCode}, ${fields.reason}, ${fields.detail}, ${prevHash}, ${hash})`);
      // Entries are numbered without gaps (verify insists), so the count is the id. The head is
      // written only once the entry is committed; a rollback drops the callback with the entry.
      const h: AuditHead = { count: id, lastId: id, lastHash: hash };
      this.db.afterCommit(() => this.committed(h));
      return { ...fields, reason: e.reason ?? null, at: e.at, action: e.action };
    });
    // Inside a transaction the store awaits the head once its outer transaction has committed.
    if (outer) await this.headWritten();
    return rec;
  }

  /** An entry naming `h` committed: its head goes out after the heads before it. */
  private committed(h: AuditHead): void {
    if (!this.head) return;
    this.headsQueued++;
    if (!this.pendingHead || h.lastId > this.pendingHead.lastId) this.pendingHead = h;
    this.writing = this.writing.catch(() => undefined).then(() => this.flushHead());
    // A failed write is reported to whoever awaits headWritten(); nobody awaiting is no crash.
    this.writing.catch(() => undefined);
  }

  /**
   * Resolves once every head of what was committed so far is written; rejects when the last
   * write failed. The store awaits it after its outer transaction commits.
   */
  headWritten(): Promise<void> {
    return this.writing;
  }

  private async flushHead(): Promise<void> {
    let h = this.pendingHead;
    this.pendingHead = null;
    if (!h || !this.head) return;
    // A savepoint rolled back inside a transaction that then committed took its entry with it,
    // but not the commit callback: the head then names what the table really ends with.
    const named = await this.db.get<{ hash: string }>(sql`SELECT hash FROM audit_log WHERE id = ${h.lastId}`);
    if (named?.hash !== h.lastHash) {
      const real = await this.last();
      if (!real) return;
      h = { count: Number(real.id), lastId: Number(real.id), lastHash: real.hash };
    }
    // Another process (the bot beside a CLI run) may have written a later head meanwhile.
    const current = await this.head.read();
    const known = current === undefined ? null : openHead(this.cipher, current);
    if (known && typeof known === 'object' && known.lastId >= h.lastId) return;
    await this.head.write(JSON.stringify(sealHead(this.cipher, h)));
  }

  /** Purge: the reasons given for looking at these cases are erased; the entries stay. */
  async eraseReasonsOf(caseCodes: readonly string[]): Promise<number> {
    let n = 0;
    for (const code of caseCodes) n += (await this.db.run(sql`DELETE FROM audit_reasons WHERE case_code = ${code}`)).changes;
    return n;
  }

  /**
   * Reasons written in plain text into the chained column before reasons were kept apart move to
   * audit_reasons, encrypted (with a data key only: without one there is nothing to gain). Each
   * row's hash is left as it was, so the chain, the signed head and any copy of them kept
   * elsewhere stay valid. Returns how many moved. Only rows of old versions are read, so they
   * are few enough to hold.
   */
  async moveLegacyReasons(): Promise<number> {
    const cipher = this.cipher;
    if (!cipher) return 0;
    const legacy = await this.db.all<AuditRow>(
      sql`SELECT * FROM audit_log WHERE reason IS NOT NULL AND substr(reason, 1, 4) <> 'ref:' AND substr(reason, 1, 6) <> 'moved:' ORDER BY id`,
    );
    // Reasons kept apart while no key was set (a trial run) are plain there: encrypted in place.
    // Their digest covers the plain text, which verify decrypts to check.
    const plainSide = (await this.db.all<ReasonRow>(sql`SELECT audit_id, salt, reason FROM audit_reasons`)).filter((r) => !isEncrypted(r.reason));
    for (const r of plainSide) await this.db.run(sql`UPDATE audit_reasons SET reason = ${cipher.encrypt(r.reason)} WHERE audit_id = ${r.audit_id}`);
    if (legacy.length === 0) return plainSide.length;
    await this.db.atomic(async () => {
      for (const r of legacy) {
        const salt = randomBytes(16).toString('hex');
        const stored = cipher.encrypt(r.reason!);
        await this.db.run(sql`INSERT INTO audit_reasons (audit_id, case_code, salt, reason) VALUES (${r.id}, ${r.case_code}, ${salt}, ${stored})`);
        const moved = `${MOVED}${reasonDigest(salt, stored)}:${cipher.mac(MOVED_MAC, movedMacData(r))}`;
        await this.db.run(sql`UPDATE audit_log SET reason = ${moved} WHERE id = ${r.id}`);
      }
    });
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

  private reasonText(r: JoinedRow): string | null {
    if (!isSide(r.reason)) return r.reason;
    const side = sideOf(r);
    return side ? decryptOpt(this.cipher, side.reason) : ERASED_REASON;
  }

  async list(filter: { caseCode?: string } = {}): Promise<AuditRecord[]> {
    const rows = await this.db.all<JoinedRow>(
      filter.caseCode === undefined
        ? sql`${SELECT_JOINED} ORDER BY l.id`
        : sql`${SELECT_JOINED} WHERE l.case_code = ${filter.caseCode} ORDER BY l.id`,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(toIso(r.at)),
      actor: r.actor,
      action: r.action as AuditRecord['action'],
      caseCode: r.case_code,
      reason: this.reasonText(r),
      detail: r.detail,
    }));
  }

  /** The entries in id order, a page at a time, each with its reason row. */
  private async *entries(): AsyncGenerator<JoinedRow> {
    let after = 0;
    for (;;) {
      const page = await this.db.all<JoinedRow>(sql`${SELECT_JOINED} WHERE l.id > ${after} ORDER BY l.id LIMIT ${VERIFY_PAGE}`);
      yield* page;
      if (page.length < VERIFY_PAGE) return;
      after = Number(page[page.length - 1]!.id);
    }
  }

  async verify(): Promise<AuditVerifyResult> {
    // The head is read first: it names only committed entries, which the scan after it will
    // meet, so an entry appended while the log is read cannot look like a cut tail.
    const headText = this.head ? await this.head.read() : undefined;
    // Read before the entries, like the chain check always did: entries appended meanwhile
    // come after it and only lengthen the chain.
    const maxIdEverUsed = await this.seq(false);
    // A reason written plain (no key yet) and encrypted at the upgrade keeps the digest of its plain text.
    const digestOfPlain = (side: ReasonRow): string | null => {
      if (!this.cipher || !isEncrypted(side.reason)) return null;
      try {
        return reasonDigest(side.salt, this.cipher.decrypt(side.reason));
      } catch {
        return null;
      }
    };
    let last: StoredAuditEntry | undefined;
    let bad: { id: number; problem: string } | null = null;
    const chain = new ChainCheck();
    let result: AuditVerifyResult | null = null;
    for await (const r of this.entries()) {
      let entry: StoredAuditEntry;
      if (r.reason?.startsWith(MOVED)) {
        const moved = this.movedEntry(r as JoinedRow & { reason: string }, sideOf(r));
        if (typeof moved === 'string') {
          bad ??= { id: Number(r.id), problem: moved };
          entry = toStored(r);
        } else entry = moved;
      } else {
        // An erased reason (purge) is fine; a reason row that no longer matches its digest is not.
        if (!bad && r.reason?.startsWith(REF)) {
          const side = sideOf(r);
          if (side && `${REF}${reasonDigest(side.salt, side.reason)}` !== r.reason && `${REF}${digestOfPlain(side)}` !== r.reason) {
            bad = { id: Number(r.id), problem: `第 ${r.id} 条记录的原因被改动或替换` };
          }
        }
        entry = toStored(r);
      }
      last = entry;
      result = chain.next(entry);
      if (result) break;
    }
    result ??= chain.end(maxIdEverUsed);
    if (!result.ok && (!bad || result.brokenAt < bad.id)) return result;
    if (bad) return { ok: false, count: result.count, brokenAt: bad.id, problem: bad.problem };
    return this.checkHead(headText, result.count, last);
  }

  /** The chain is whole; does it still reach as far as the head outside the table says it did? */
  private async checkHead(text: string | undefined, count: number, last: StoredAuditEntry | undefined): Promise<AuditVerifyResult> {
    if (!this.head) return { ok: true, count };
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
    const at = await this.db.get<{ hash: string }>(sql`SELECT hash FROM audit_log WHERE id = ${h.lastId}`);
    if (at?.hash !== h.lastHash) return { ok: false, count, brokenAt: h.lastId, problem: `第 ${h.lastId} 条记录与签名头不符（被改动或替换）` };
    return { ok: true, count };
  }

  /** Writes the head for the table as it is (after a migration, or for entries from before heads existed). */
  async writeHeadNow(): Promise<void> {
    const prev = await this.last();
    if (!prev || !this.head) return;
    const id = Number(prev.id);
    this.committed({ count: id, lastId: id, lastHash: prev.hash });
    await this.headWritten();
  }
}

/**
 * The hash chain check of verifyAuditChain (src/domain/security/audit-chain.ts), fed one entry at
 * a time so the log can be read in pages: the same checks in the same order, the same messages.
 */
class ChainCheck {
  private prev = GENESIS_HASH;
  private expectedId = 1;
  private count = 0;

  /** A verdict when this entry breaks the chain, else null. */
  next(e: StoredAuditEntry): AuditVerifyResult | null {
    const { count, expectedId, prev } = this;
    if (e.id !== expectedId) return { ok: false, count, brokenAt: expectedId, problem: `第 ${expectedId} 条记录已被删除` };
    if (e.prevHash !== prev) return { ok: false, count, brokenAt: e.id, problem: `第 ${e.id} 条记录与前一条衔接不上（前一条被改动或删除）` };
    if (!e.contentErased && auditHash(prev, e) !== e.hash) return { ok: false, count, brokenAt: e.id, problem: `第 ${e.id} 条记录的内容被改动` };
    this.prev = e.hash;
    this.expectedId++;
    this.count++;
    return null;
  }

  end(maxIdEverUsed: number): AuditVerifyResult {
    if (maxIdEverUsed >= this.expectedId) return { ok: false, count: this.count, brokenAt: this.expectedId, problem: `第 ${this.expectedId} 条及之后的记录已被删除` };
    return { ok: true, count: this.count };
  }
}
