import type { PushTarget, Reply } from '../../src/core/message.js';
import type { OutboxInsert, OutboxItem, OutboxRepo } from '../store.js';
import type { SqlDb as Db } from './db.js';

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
}

const toItem = (r: Row): OutboxItem => ({
  id: r.id,
  target: { kind: r.target_kind, id: r.target_id },
  reply: JSON.parse(r.reply) as Reply,
  reason: r.reason,
  attempts: r.attempts,
  createdAt: new Date(r.created_at),
  nextAttemptAt: new Date(r.next_attempt_at),
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
  lastError: r.last_error,
  deliveredTo: r.delivered_kind && r.delivered_id ? { kind: r.delivered_kind, id: r.delivered_id } : null,
});

export class SqlOutboxRepo implements OutboxRepo {
  private readonly insert;
  private readonly dueStmt;
  private readonly sent;
  private readonly failed;
  private readonly count;
  private readonly recent;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO outbox (target_kind, target_id, reply, reason, dedupe_key, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    );
    this.dueStmt = db.prepare<[string, number], Row>(
      'SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?',
    );
    this.sent = db.prepare(
      'UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, delivered_kind = ?, delivered_id = ? WHERE id = ? AND sent_at IS NULL',
    );
    this.failed = db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND sent_at IS NULL',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    this.recent = db.prepare<[number], Row>('SELECT * FROM outbox ORDER BY id DESC LIMIT ?');
  }

  enqueue(item: OutboxInsert, now: Date): number | null {
    const t = now.toISOString();
    const r = this.insert.get(
      item.target.kind,
      item.target.id,
      JSON.stringify(item.reply),
      item.reason,
      item.dedupeKey ?? null,
      t,
      t,
    );
    return r ? (r as { id: number }).id : null;
  }

  due(now: Date, limit: number, skip: readonly PushTarget[] = []): OutboxItem[] {
    if (skip.length === 0) return this.dueStmt.all(now.toISOString(), limit).map(toItem);
    // Held targets are few (a chat at its rate limit): a short NOT IN list, prepared per shape.
    const keys = skip.map((t) => `${t.kind}:${t.id}`);
    const sql = `SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ?
      AND (target_kind || ':' || target_id) NOT IN (${keys.map(() => '?').join(', ')})
      ORDER BY next_attempt_at, id LIMIT ?`;
    return this.db.prepare<unknown[], Row>(sql).all(now.toISOString(), ...keys, limit).map(toItem);
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
    return this.recent.all(limit).map(toItem);
  }
}
