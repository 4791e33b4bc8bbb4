import type { Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { InboundRecord } from '../../src/domain/model/records.js';
import type { InboundRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db } from './db.js';

export class SqlInboundRepo implements InboundRepo {
  private readonly insert;
  private readonly update;
  private readonly select;
  private readonly forget;
  private readonly forgetAll;
  private readonly drop;

  /**
   * The cached replies repeat what the bot said (summaries to check, full views): encrypted with
   * the data key, and kept only as long as a platform may redeliver the message.
   */
  constructor(
    db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {
    this.insert = db.prepare(
      'INSERT INTO inbound (channel, id, user_id, chat_id, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.update = db.prepare('UPDATE inbound SET replies = ? WHERE channel = ? AND id = ?');
    this.select = db.prepare<[string, string], { replies: string | null }>(
      'SELECT replies FROM inbound WHERE channel = ? AND id = ?',
    );
    this.forget = db.prepare('UPDATE inbound SET replies = NULL WHERE received_at < ? AND replies IS NOT NULL');
    this.forgetAll = db.prepare('UPDATE inbound SET replies = NULL WHERE replies IS NOT NULL');
    this.drop = db.prepare('DELETE FROM inbound WHERE received_at < ?');
  }

  claim(msg: InboundRecord, now: Date): boolean {
    return this.insert.run(msg.channel, msg.id, msg.userId, msg.chatId, now.toISOString()).changes === 1;
  }

  saveReplies(channel: string, id: string, replies: Reply[]): void {
    this.update.run(encryptJson(this.cipher, replies), channel, id);
  }

  replies(channel: string, id: string): Reply[] | undefined {
    const row = this.select.get(channel, id);
    return row?.replies ? decryptJson<Reply[]>(this.cipher, row.replies) : undefined;
  }

  prune(repliesBefore: Date, idsBefore: Date): { replies: number; ids: number } {
    return {
      replies: this.forget.run(repliesBefore.toISOString()).changes,
      ids: this.drop.run(idsBefore.toISOString()).changes,
    };
  }

  forgetReplies(): number {
    return this.forgetAll.run().changes;
  }
}
