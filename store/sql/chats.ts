import type { ChatRecord } from '../../src/domain/model/records.js';
import type { ChatRepo } from '../../src/domain/ports/store.js';
import { sql, toDate, type SqlDb as Db } from './db.js';

interface Row {
  chat_id: string;
  chat_type: 'single' | 'group';
  last_user_id: string;
  first_seen_at: string | Date;
  last_seen_at: string | Date;
}

const toRecord = (r: Row): ChatRecord => ({
  chatId: r.chat_id,
  chatType: r.chat_type,
  lastUserId: r.last_user_id,
  firstSeenAt: toDate(r.first_seen_at),
  lastSeenAt: toDate(r.last_seen_at),
});

export class SqlChatRepo implements ChatRepo {
  constructor(private readonly db: Db) {}

  async touch(chatId: string, chatType: 'single' | 'group', userId: string, now: Date): Promise<void> {
    const t = now.toISOString();
    await this.db.run(sql`INSERT INTO chats (chat_id, chat_type, last_user_id, first_seen_at, last_seen_at) VALUES (${chatId}, ${chatType}, ${userId}, ${t}, ${t})
       ON CONFLICT (chat_id) DO UPDATE SET last_user_id = excluded.last_user_id, last_seen_at = excluded.last_seen_at`);
  }

  async get(chatId: string): Promise<ChatRecord | undefined> {
    const r = await this.db.get<Row>(sql`SELECT * FROM chats WHERE chat_id = ${chatId}`);
    return r && toRecord(r);
  }

  async list(): Promise<ChatRecord[]> {
    return (await this.db.all<Row>(sql`SELECT * FROM chats ORDER BY chat_type, chat_id`)).map(toRecord);
  }
}
