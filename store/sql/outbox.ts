import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { OutboxInsert, OutboxItem } from '../../src/domain/model/records.js';
import type { OutboxRepo } from '../../src/domain/ports/store.js';
import { empty, join, raw, sql, toDate, toIso, type Sql, type SqlDb as Db } from './db.js';

interface Row {
  id: number;
  target_kind: 'user' | 'chat';
  target_id: string;
  reply: string;
  reason: string;
  attempts: number;
  created_at: string | Date;
  next_attempt_at: string | Date;
  sent_at: string | Date | null;
  last_error: string | null;
  delivered_kind: 'user' | 'chat' | null;
  delivered_id: string | null;
  held_at: string | Date | null;
  parts_sent: number;
  given_up_at: string | Date | null;
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
  createdAt: toDate(r.created_at),
  nextAttemptAt: toDate(r.next_attempt_at),
  sentAt: r.sent_at ? toDate(r.sent_at) : null,
  lastError: r.last_error,
  deliveredTo: r.delivered_kind && r.delivered_id ? { kind: r.delivered_kind, id: r.delivered_id } : null,
  heldAt: r.held_at ? toDate(r.held_at) : null,
  partsSent: Number(r.parts_sent ?? 0),
  givenUpAt: r.given_up_at ? toDate(r.given_up_at) : null,
});

/** Rows the worker may try: unsent, not waiting for their person, not given up. */
const LIVE = raw('sent_at IS NULL AND held_at IS NULL AND given_up_at IS NULL');
/** The blanked body, as an SQL literal: a constant of ours, never a value from outside. */
const BLANK = raw(`'${SENT_BODY}'`);

export interface OutboxRepoOptions {
  /**
   * Who claims due rows on PostgreSQL (the lease holder id is a good choice). Default: this
   * host, pid and a random part, distinct for every repository instance.
   */
  claimant?: string;
  /** How long a claimed row stays reserved for its claimant if it is neither sent nor failed. Default 60 s. */
  claimMs?: number;
}

const byDue = (a: Row, b: Row): number => {
  const x = toIso(a.next_attempt_at);
  const y = toIso(b.next_attempt_at);
  return x < y ? -1 : x > y ? 1 : Number(a.id) - Number(b.id);
};

/** Leaves out rows for the held targets (a chat at its rate limit: a short NOT IN list). */
const skipping = (skip: readonly PushTarget[]): Sql =>
  skip.length === 0
    ? empty
    : sql`AND (target_kind || ':' || target_id) NOT IN (${join(skip.map((t) => `${t.kind}:${t.id}`))})`;

export class SqlOutboxRepo implements OutboxRepo {
  private readonly pg: boolean;
  private readonly claimMs: number;
  private readonly claimant: string;
  /** On PostgreSQL the outcome also ends the claim, so a failed row is free again at its retry time. */
  private readonly unclaim: Sql;

  constructor(
    private readonly db: Db,
    opts: OutboxRepoOptions = {},
    private readonly cipher: FieldCipher | null = null,
  ) {
    this.pg = db.dialect === 'postgres';
    this.claimant = opts.claimant ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.claimMs = opts.claimMs ?? 60_000;
    this.unclaim = this.pg ? raw(', claimed_by = NULL, claimed_until = NULL') : empty;
  }

  async dropUnsentBefore(before: Date): Promise<number> {
    const r = await this.db.run(sql`UPDATE outbox SET reply = ${BLANK}, last_error = '内容已清除，不再发送', next_attempt_at = '9999-12-31T00:00:00.000Z'${this.unclaim}
       WHERE sent_at IS NULL AND created_at < ${before.toISOString()}`);
    return r.changes;
  }

  async forgetSentBodies(): Promise<number> {
    // Rows sent before bodies were blanked on sending still hold theirs.
    return (await this.db.run(sql`UPDATE outbox SET reply = ${BLANK} WHERE sent_at IS NOT NULL AND reply <> ${BLANK}`)).changes;
  }

  async enqueue(item: OutboxInsert, now: Date): Promise<number | null> {
    const t = now.toISOString();
    const r = await this.db.get<{ id: number }>(sql`INSERT INTO outbox (target_kind, target_id, reply, reason, dedupe_key, created_at, next_attempt_at, parts_sent)
       VALUES (${item.target.kind}, ${item.target.id}, ${encryptJson(this.cipher, item.reply)}, ${item.reason}, ${item.dedupeKey ?? null}, ${t}, ${t}, ${item.partsSent ?? 0})
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`);
    return r ? Number(r.id) : null;
  }

  private readonly toItem = (r: Row): OutboxItem => toItem(r, this.cipher);

  async due(now: Date, limit: number, skip: readonly PushTarget[] = []): Promise<OutboxItem[]> {
    if (this.pg) return this.claim(now, limit, skip);
    const rows = await this.db.all<Row>(sql`SELECT * FROM outbox WHERE ${LIVE} AND next_attempt_at <= ${now.toISOString()} ${skipping(skip)}
      ORDER BY next_attempt_at, id LIMIT ${limit}`);
    return rows.map(this.toItem);
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
   * It is one statement, so it needs no transaction of its own: the row locks it takes last
   * until the UPDATE commits, which is what keeps two claimants apart.
   */
  private async claim(now: Date, limit: number, skip: readonly PushTarget[]): Promise<OutboxItem[]> {
    const me = this.claimant;
    const at = now.toISOString();
    const until = new Date(now.getTime() + this.claimMs).toISOString();
    const rows = await this.db.all<Row>(sql`UPDATE outbox SET claimed_by = ${me}, claimed_until = ${until}
    WHERE id IN (
      SELECT id FROM outbox
      WHERE ${LIVE} AND next_attempt_at <= ${at}
        AND (claimed_until IS NULL OR claimed_until < ${at} OR claimed_by = ${me})
        ${skipping(skip)}
      ORDER BY next_attempt_at, id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`);
    // UPDATE … RETURNING gives rows in no particular order.
    return rows.sort(byDue).map(this.toItem);
  }

  async markSent(id: number, now: Date, deliveredTo?: PushTarget): Promise<void> {
    await this.db.run(sql`UPDATE outbox SET sent_at = ${now.toISOString()}, reply = ${BLANK}, attempts = attempts + 1, last_error = NULL,
       delivered_kind = ${deliveredTo?.kind ?? null}, delivered_id = ${deliveredTo?.id ?? null}${this.unclaim} WHERE id = ${id} AND sent_at IS NULL`);
  }

  async markFailed(id: number, error: string, retryAt: Date): Promise<void> {
    await this.db.run(sql`UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, 500)}, next_attempt_at = ${retryAt.toISOString()}${this.unclaim}
       WHERE id = ${id} AND sent_at IS NULL`);
  }

  async pending(): Promise<number> {
    const r = await this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL`);
    return Number(r!.n);
  }

  async list(limit: number): Promise<OutboxItem[]> {
    return (await this.db.all<Row>(sql`SELECT * FROM outbox ORDER BY id DESC LIMIT ${limit}`)).map(this.toItem);
  }

  async hold(id: number, error: string, now: Date): Promise<void> {
    await this.db.run(sql`UPDATE outbox SET held_at = ${now.toISOString()}, attempts = attempts + 1, last_error = ${error.slice(0, 500)}${this.unclaim}
       WHERE id = ${id} AND sent_at IS NULL`);
  }

  async heldFor(target: PushTarget): Promise<OutboxItem[]> {
    const rows = await this.db.all<Row>(sql`SELECT * FROM outbox
       WHERE sent_at IS NULL AND given_up_at IS NULL AND held_at IS NOT NULL AND target_kind = ${target.kind} AND target_id = ${target.id}
       ORDER BY created_at DESC, id DESC`);
    return rows.map(this.toItem);
  }

  async release(target: PushTarget, now: Date): Promise<number> {
    const r = await this.db.run(sql`UPDATE outbox SET held_at = NULL, next_attempt_at = ${now.toISOString()}
       WHERE sent_at IS NULL AND given_up_at IS NULL AND held_at IS NOT NULL AND target_kind = ${target.kind} AND target_id = ${target.id}`);
    return r.changes;
  }

  async heldCounts(): Promise<Array<{ target: PushTarget; count: number; oldest: Date }>> {
    const rows = await this.db.all<{ target_kind: 'user' | 'chat'; target_id: string; n: number; oldest: string | Date }>(
      sql`SELECT target_kind, target_id, count(*) AS n, min(created_at) AS oldest FROM outbox
       WHERE sent_at IS NULL AND given_up_at IS NULL AND held_at IS NOT NULL GROUP BY target_kind, target_id ORDER BY target_id`,
    );
    return rows.map((r) => ({ target: { kind: r.target_kind, id: r.target_id }, count: Number(r.n), oldest: toDate(r.oldest) }));
  }

  async markParts(id: number, parts: number): Promise<void> {
    await this.db.run(sql`UPDATE outbox SET parts_sent = ${parts} WHERE id = ${id} AND parts_sent < ${parts}`);
  }

  async giveUp(id: number, error: string, now: Date): Promise<void> {
    await this.db.run(sql`UPDATE outbox SET given_up_at = ${now.toISOString()}, attempts = attempts + 1, last_error = ${error.slice(0, 500)}${this.unclaim}
       WHERE id = ${id} AND sent_at IS NULL`);
  }
}
