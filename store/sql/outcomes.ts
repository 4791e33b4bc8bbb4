import type { Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { DialogOutcome, OutcomeRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db } from './db.js';

/** The answer a dialog ended with repeats the saved case: encrypted with the data key. */
export class SqlOutcomeRepo implements OutcomeRepo {
  private readonly upsert;
  private readonly one;
  private readonly remove;
  private readonly drop;
  private readonly all;

  constructor(
    db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO dialog_outcomes (user_id, chat_id, kind, reply, done_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, chat_id) DO UPDATE SET kind = excluded.kind, reply = excluded.reply, done_at = excluded.done_at`,
    );
    this.one = db.prepare<[string, string, string], { kind: string; reply: string; done_at: string }>(
      'SELECT kind, reply, done_at FROM dialog_outcomes WHERE user_id = ? AND chat_id = ? AND done_at >= ?',
    );
    this.remove = db.prepare('DELETE FROM dialog_outcomes WHERE user_id = ? AND chat_id = ?');
    this.drop = db.prepare('DELETE FROM dialog_outcomes WHERE done_at < ?');
    this.all = db.prepare('DELETE FROM dialog_outcomes');
  }

  save(userId: string, chatId: string, o: DialogOutcome): void {
    this.upsert.run(userId, chatId, o.kind, encryptJson(this.cipher, o.reply), o.at.toISOString());
  }

  get(userId: string, chatId: string, since: Date): DialogOutcome | undefined {
    const r = this.one.get(userId, chatId, since.toISOString());
    return r && { kind: r.kind, reply: decryptJson<Reply>(this.cipher, r.reply), at: new Date(r.done_at) };
  }

  delete(userId: string, chatId: string): void {
    this.remove.run(userId, chatId);
  }

  prune(before: Date): number {
    return this.drop.run(before.toISOString()).changes;
  }

  forget(): number {
    return this.all.run().changes;
  }
}
