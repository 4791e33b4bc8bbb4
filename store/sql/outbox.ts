import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { OutboxInsert, OutboxItem } from '../../src/domain/model/records.js';
import type { OutboxRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db, SqlStatement } from './db.js';

interface Row {
  id: number;
  target_kind: 'user' | 'chat';
  target_id: string;
  reply: string;
  reason: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  sent_at: string | null;
  last_error: string | null;
  delivered_kind: 'user' | 'chat' | null;
  delivered_id: string | null;
  held_at: string | null;
  parts_sent: number;
  given_up_at: string | null;
}

/**
 * What a sent row keeps of its body: nothing. The text (a mentor's notice names the child,
 * masked) is needed only until the platform has it.
 */
export const SENT_BODY = '{"text":""}';

const toItem = (r: Row, cipher: FieldCipher | null): OutboxItem => ({
  id: r.id,
  target: { kind: r.target_kind, id: r.target_id },
  reply: decryptJson<Reply>(cipher, r.reply),
  reason: r.reason,
  attempts: r.attempts,
  createdAt: new Date(r.created_at),
  nextAttemptAt: new Date(r.next_attempt_at),
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
  lastError: r.last_error,
  deliveredTo: r.delivered_kind && r.delivered_id ? { kind: r.delivered_kind, id: r.delivered_id } : null,
  heldAt: r.held_at ? new Date(r.held_at) : null,
  partsSent: r.parts_sent ?? 0,
  givenUpAt: r.given_up_at ? new Date(r.given_up_at) : null,
});

/** Rows the worker may try: unsent, not waiting for their person, not given up. */
const LIVE = 'sent_at IS NULL AND held_at IS NULL AND given_up_at IS NULL';

export interface OutboxRepoOptions {
  /**
   * Who claims due rows on PostgreSQL (the lease holder id is a good choice). Default: this
   * host, pid and a random part, distinct for every repository instance.
   */
  claimant?: string;
  /** How long a claimed row stays reserved for its claimant if it is neither sent nor failed. Default 60 s. */
  claimMs?: number;
}

const byDue = (a: Row, b: Row): number =>
  a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : a.id - b.id;

export class SqlOutboxRepo implements OutboxRepo {
  private readonly insert;
  private readonly dueStmt;
  private readonly claimStmt;
  private readonly sent;
  private readonly failed;
  private readonly count;
  private readonly recent;
  private readonly dropUnsent;
  private readonly blankSent;
  private readonly pg: boolean;
  private readonly dueSkipping = new Map<number, SqlStatement<unknown[], Row>>();
  private readonly claimSkipping = new Map<number, SqlStatement<[ClaimParams], Row>>();
  private readonly claimMs: number;
  private readonly claimant: string;
  private readonly holdStmt;
  private readonly heldStmt;
  private readonly releaseStmt;
  private readonly heldCountStmt;
  private readonly partsStmt;
  private readonly giveUpStmt;

  constructor(
    private readonly db: Db,
    opts: OutboxRepoOptions = {},
    private readonly cipher: FieldCipher | null = null,
  ) {
    this.pg = db.dialect === 'postgres';
    this.claimant = opts.claimant ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.claimMs = opts.claimMs ?? 60_000;
    this.insert = db.prepare(
      `INSERT INTO outbox (target_kind, target_id, reply, reason, dedupe_key, created_at, next_attempt_at, parts_sent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    );
    this.dueStmt = db.prepare<[string, number], Row>(
      `SELECT * FROM outbox WHERE ${LIVE} AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.claimStmt = this.pg ? db.prepare<[ClaimParams], Row>(claimSql(0)) : undefined;
    // On PostgreSQL the outcome also ends the claim, so a failed row is free again at its retry time.
    const unclaim = this.pg ? ', claimed_by = NULL, claimed_until = NULL' : '';
    this.sent = db.prepare(
      `UPDATE outbox SET sent_at = ?, reply = '${SENT_BODY}', attempts = attempts + 1, last_error = NULL, delivered_kind = ?, delivered_id = ?${unclaim} WHERE id = ? AND sent_at IS NULL`,
    );
    this.failed = db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?${unclaim} WHERE id = ? AND sent_at IS NULL`,
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL');
    this.holdStmt = db.prepare(`UPDATE outbox SET held_at = ?, attempts = attempts + 1, last_error = ?${unclaim} WHERE id = ? AND sent_at IS NULL`);
    this.heldStmt = db.prepare<[string, string], Row>(
      'SELECT * FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND held_at IS NOT NULL AND target_kind = ? AND target_id = ? ORDER BY created_at DESC, id DESC',
    );
    this.releaseStmt = db.prepare(
      'UPDATE outbox SET held_at = NULL, next_attempt_at = ? WHERE sent_at IS NULL AND given_up_at IS NULL AND held_at IS NOT NULL AND target_kind = ? AND target_id = ?',
    );
    this.heldCountStmt = db.prepare<[], { target_kind: 'user' | 'chat'; target_id: string; n: number; oldest: string }>(
      `SELECT target_kind, target_id, count(*) AS n, min(created_at) AS oldest FROM outbox
       WHERE sent_at IS NULL AND given_up_at IS NULL AND held_at IS NOT NULL GROUP BY target_kind, target_id ORDER BY target_id`,
    );
    this.partsStmt = db.prepare('UPDATE outbox SET parts_sent = ? WHERE id = ? AND parts_sent < ?');
    this.giveUpStmt = db.prepare(`UPDATE outbox SET given_up_at = ?, attempts = attempts + 1, last_error = ?${unclaim} WHERE id = ? AND sent_at IS NULL`);
    this.recent = db.prepare<[number], Row>('SELECT * FROM outbox ORDER BY id DESC LIMIT ?');
    // Rows sent before bodies were blanked on sending still hold theirs.
    this.blankSent = db.prepare(`UPDATE outbox SET reply = '${SENT_BODY}' WHERE sent_at IS NOT NULL AND reply <> '${SENT_BODY}'`);
    this.dropUnsent = db.prepare(
      `UPDATE outbox SET reply = '${SENT_BODY}', last_error = '内容已清除，不再发送', next_attempt_at = '9999-12-31T00:00:00.000Z'${unclaim}
       WHERE sent_at IS NULL AND created_at < ?`,
    );
  }

  dropUnsentBefore(before: Date): number {
    return this.dropUnsent.run(before.toISOString()).changes;
  }

  forgetSentBodies(): number {
    return this.blankSent.run().changes;
  }

  enqueue(item: OutboxInsert, now: Date): number | null {
    const t = now.toISOString();
    const r = this.insert.get(
      item.target.kind,
      item.target.id,
      encryptJson(this.cipher, item.reply),
      item.reason,
      item.dedupeKey ?? null,
      t,
      t,
      item.partsSent ?? 0,
    );
    return r ? (r as { id: number }).id : null;
  }

  private readonly toItem = (r: Row): OutboxItem => toItem(r, this.cipher);

  due(now: Date, limit: number, skip: readonly PushTarget[] = []): OutboxItem[] {
    if (this.pg) return this.claim(now, limit, skip);
    if (skip.length === 0) return this.dueStmt.all(now.toISOString(), limit).map(this.toItem);
    // Held targets are few (a chat at its rate limit): a short NOT IN list, prepared once per length.
    const keys = skip.map((t) => `${t.kind}:${t.id}`);
    return this.skipping(this.dueSkipping, keys.length, (n) => `SELECT * FROM outbox WHERE ${LIVE} AND next_attempt_at <= ?
      AND (target_kind || ':' || target_id) NOT IN (${Array.from({ length: n }, () => '?').join(', ')})
      ORDER BY next_attempt_at, id LIMIT ?`)
      .all(now.toISOString(), ...keys, limit)
      .map(this.toItem);
  }

  /**
   * The statement for `n` held targets, compiled the first time that many are held: a drain pass
   * runs it each time. Kept only for the usual handful, so the cache cannot grow without bound.
   */
  private skipping<P extends unknown[]>(cache: Map<number, SqlStatement<P, Row>>, n: number, sql: (n: number) => string): SqlStatement<P, Row> {
    let stmt = cache.get(n);
    if (!stmt) {
      stmt = this.db.prepare<P, Row>(sql(n));
      if (n <= 32) cache.set(n, stmt);
    }
    return stmt;
  }

  /**
   * PostgreSQL may have several processes on one town (an owner and standbys, or an old owner
   * that has not yet noticed it lost its lease): instead of just reading due rows, take them,
   * so no two processes send the same row. SKIP LOCKED passes over rows another process is
   * claiming this instant; a claim that lapsed (its process died before sending) makes the row
   * due again for anyone, so nothing is lost — at worst a row whose push went out just before
   * the crash goes out once more. Our own live claims are taken again: rows the worker held
   * back for pacing must not wait for their claim to run out.
   * Claim times come from the caller's clock, like next_attempt_at; hosts need roughly synced
   * clocks (well within claimMs), which the lease makes a second line of defence anyway.
   */
  private claim(now: Date, limit: number, skip: readonly PushTarget[]): OutboxItem[] {
    const params: ClaimParams = {
      me: this.claimant,
      now: now.toISOString(),
      until: new Date(now.getTime() + this.claimMs).toISOString(),
      limit,
    };
    skip.forEach((t, i) => (params[`s${i}`] = `${t.kind}:${t.id}`));
    const stmt = skip.length === 0 ? this.claimStmt! : this.skipping(this.claimSkipping, skip.length, claimSql);
    // UPDATE … RETURNING gives rows in no particular order.
    return stmt.all(params).sort(byDue).map(this.toItem);
  }

  markSent(id: number, now: Date, deliveredTo?: PushTarget): void {
    this.sent.run(now.toISOString(), deliveredTo?.kind ?? null, deliveredTo?.id ?? null, id);
  }

  markFailed(id: number, error: string, retryAt: Date): void {
    this.failed.run(error.slice(0, 500), retryAt.toISOString(), id);
  }

  pending(): number {
    return this.count.get()!.n;
  }

  list(limit: number): OutboxItem[] {
    return this.recent.all(limit).map(this.toItem);
  }

  hold(id: number, error: string, now: Date): void {
    this.holdStmt.run(now.toISOString(), error.slice(0, 500), id);
  }

  heldFor(target: PushTarget): OutboxItem[] {
    return this.heldStmt.all(target.kind, target.id).map(this.toItem);
  }

  release(target: PushTarget, now: Date): number {
    return this.releaseStmt.run(now.toISOString(), target.kind, target.id).changes;
  }

  heldCounts(): Array<{ target: PushTarget; count: number; oldest: Date }> {
    return this.heldCountStmt.all().map((r) => ({ target: { kind: r.target_kind, id: r.target_id }, count: Number(r.n), oldest: new Date(r.oldest) }));
  }

  markParts(id: number, parts: number): void {
    this.partsStmt.run(parts, id, parts);
  }

  giveUp(id: number, error: string, now: Date): void {
    this.giveUpStmt.run(now.toISOString(), error.slice(0, 500), id);
  }
}

type ClaimParams = { me: string; now: string; until: string; limit: number } & Record<string, string | number>;

/** The claiming form of the due query (PostgreSQL only), leaving out `skipCount` targets `@s0`…. */
function claimSql(skipCount: number): string {
  const skip =
    skipCount === 0
      ? ''
      : `AND (target_kind || ':' || target_id) NOT IN (${Array.from({ length: skipCount }, (_, i) => `@s${i}`).join(', ')})`;
  return `UPDATE outbox SET claimed_by = @me, claimed_until = @until
    WHERE id IN (
      SELECT id FROM outbox
      WHERE ${LIVE} AND next_attempt_at <= @now
        AND (claimed_until IS NULL OR claimed_until < @now OR claimed_by = @me)
        ${skip}
      ORDER BY next_attempt_at, id LIMIT @limit
      FOR UPDATE SKIP LOCKED)
    RETURNING *`;
}
