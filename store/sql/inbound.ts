import type { Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { InboundRecord } from '../../src/domain/model/records.js';
import type { InboundRepo } from '../../src/domain/ports/store.js';
import { sql, type SqlDb as Db } from './db.js';

export class SqlInboundRepo implements InboundRepo {
  /**
   * The cached replies repeat what the bot said (summaries to check, full views): encrypted with
   * the data key, and kept only as long as a platform may redeliver the message.
   */
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {}

  async claim(msg: InboundRecord, now: Date): Promise<boolean> {
    const r = await this.db.run(
      sql`INSERT INTO inbound (channel, id, user_id, chat_id, received_at) VALUES (${msg.channel}, ${msg.id}, ${msg.userId}, ${msg.chatId}, ${now.toISOString()}) ON CONFLICT DO NOTHING`,
    );
    return r.changes === 1;
  }

  async saveReplies(channel: string, id: string, replies: Reply[]): Promise<void> {
    await this.db.run(sql`UPDATE inbound SET replies = ${encryptJson(this.cipher, replies)} WHERE channel = ${channel} AND id = ${id}`);
  }

  async replies(channel: string, id: string): Promise<Reply[] | undefined> {
    const row = await this.db.get<{ replies: string | null }>(sql`SELECT replies FROM inbound WHERE channel = ${channel} AND id = ${id}`);
    return row?.replies ? decryptJson<Reply[]>(this.cipher, row.replies) : undefined;
  }

  async prune(repliesBefore: Date, idsBefore: Date): Promise<{ replies: number; ids: number }> {
    const replies = await this.db.run(sql`UPDATE inbound SET replies = NULL WHERE received_at < ${repliesBefore.toISOString()} AND replies IS NOT NULL`);
    const ids = await this.db.run(sql`DELETE FROM inbound WHERE received_at < ${idsBefore.toISOString()}`);
    return { replies: replies.changes, ids: ids.changes };
  }

  async forgetReplies(): Promise<number> {
    return (await this.db.run(sql`UPDATE inbound SET replies = NULL WHERE replies IS NOT NULL`)).changes;
  }
}
