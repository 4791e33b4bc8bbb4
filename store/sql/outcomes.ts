import type { Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { DialogOutcome, OutcomeRepo } from '../../src/domain/ports/store.js';
import { sql, toDate, type SqlDb as Db } from './db.js';

/** The answer a dialog ended with repeats the saved case: encrypted with the data key. */
export class SqlOutcomeRepo implements OutcomeRepo {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {}

  async save(userId: string, chatId: string, o: DialogOutcome): Promise<void> {
    await this.db.run(sql`INSERT INTO dialog_outcomes (user_id, chat_id, kind, reply, done_at)
       VALUES (${userId}, ${chatId}, ${o.kind}, ${encryptJson(this.cipher, o.reply)}, ${o.at.toISOString()})
       ON CONFLICT (user_id, chat_id) DO UPDATE SET kind = excluded.kind, reply = excluded.reply, done_at = excluded.done_at`);
  }

  async get(userId: string, chatId: string, since: Date): Promise<DialogOutcome | undefined> {
    const r = await this.db.get<{ kind: string; reply: string; done_at: string | Date }>(
      sql`SELECT kind, reply, done_at FROM dialog_outcomes WHERE user_id = ${userId} AND chat_id = ${chatId} AND done_at >= ${since.toISOString()}`,
    );
    return r && { kind: r.kind, reply: decryptJson<Reply>(this.cipher, r.reply), at: toDate(r.done_at) };
  }

  async delete(userId: string, chatId: string): Promise<void> {
    await this.db.run(sql`DELETE FROM dialog_outcomes WHERE user_id = ${userId} AND chat_id = ${chatId}`);
  }

  async prune(before: Date): Promise<number> {
    return (await this.db.run(sql`DELETE FROM dialog_outcomes WHERE done_at < ${before.toISOString()}`)).changes;
  }

  async forget(): Promise<number> {
    return (await this.db.run(sql`DELETE FROM dialog_outcomes`)).changes;
  }
}
