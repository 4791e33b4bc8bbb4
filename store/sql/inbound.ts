import type { Reply } from '../../src/core/message.js';
import type { InboundRecord, InboundRepo } from '../store.js';
import type { SqlDb as Db } from './db.js';

export class SqlInboundRepo implements InboundRepo {
  private readonly insert;
  private readonly update;
  private readonly select;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO inbound (channel, id, user_id, chat_id, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.update = db.prepare('UPDATE inbound SET replies = ? WHERE channel = ? AND id = ?');
    this.select = db.prepare<[string, string], { replies: string | null }>(
      'SELECT replies FROM inbound WHERE channel = ? AND id = ?',
    );
  }

  claim(msg: InboundRecord, now: Date): boolean {
    return this.insert.run(msg.channel, msg.id, msg.userId, msg.chatId, now.toISOString()).changes === 1;
  }

  saveReplies(channel: string, id: string, replies: Reply[]): void {
    this.update.run(JSON.stringify(replies), channel, id);
  }

  replies(channel: string, id: string): Reply[] | undefined {
    const row = this.select.get(channel, id);
    return row?.replies ? (JSON.parse(row.replies) as Reply[]) : undefined;
  }
}
