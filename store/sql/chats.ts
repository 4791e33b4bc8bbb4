import type { ChatRecord } from '../../src/domain/model/records.js';
import type { ChatRepo } from '../../src/domain/ports/store.js';
import type { SqlDb as Db } from './db.js';

interface Row {
  chat_id: string;
  chat_type: 'single' | 'group';
  last_user_id: string;
  first_seen_at: string;
  last_seen_at: string;
}

const toRecord = (r: Row): ChatRecord => ({
  chatId: r.chat_id,
  chatType: r.chat_type,
  lastUserId: r.last_user_id,
  firstSeenAt: new Date(r.first_seen_at),
  lastSeenAt: new Date(r.last_seen_at),
});

export class SqlChatRepo implements ChatRepo {
  private readonly upsert;
  private readonly one;
  private readonly all;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO chats (chat_id, chat_type, last_user_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (chat_id) DO UPDATE SET last_user_id = excluded.last_user_id, last_seen_at = excluded.last_seen_at`,
    );
    this.one = db.prepare<[string], Row>('SELECT * FROM chats WHERE chat_id = ?');
    this.all = db.prepare<[], Row>('SELECT * FROM chats ORDER BY chat_type, chat_id');
  }

  touch(chatId: string, chatType: 'single' | 'group', userId: string, now: Date): void {
    const t = now.toISOString();
    this.upsert.run(chatId, chatType, userId, t, t);
  }

  get(chatId: string): ChatRecord | undefined {
    const r = this.one.get(chatId);
    return r && toRecord(r);
  }

  list(): ChatRecord[] {
    return this.all.all().map(toRecord);
  }
}
