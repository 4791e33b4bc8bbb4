import type { Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CardRepo, ConversationTurn, SentCard } from '../../src/domain/ports/store.js';
import { sql, toDate, type SqlDb as Db } from './db.js';

interface CardRow {
  task_id: string;
  chat_id: string;
  user_id: string;
  for_user: string | null;
  turn: number;
  card_key: string | null;
  standing: number;
  body: string;
  created_at: string | Date;
  expires_at: string | Date;
}

interface TurnRow {
  turn: number;
  card_key: string | null;
  reply: string | null;
  updated_at: string | Date;
}

/**
 * Sent cards and conversation turns. Titles, choices and the last reply can name a child (a
 * summary to confirm), so they are encrypted with the data key like the reply cache.
 */
export class SqlCardRepo implements CardRepo {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {}

  async save(c: SentCard): Promise<void> {
    await this.db.run(sql`INSERT INTO sent_cards (task_id, chat_id, user_id, for_user, turn, card_key, standing, body, created_at, expires_at)
       VALUES (${c.taskId}, ${c.chatId}, ${c.userId}, ${c.forUser}, ${c.turn}, ${c.key}, ${c.standing ? 1 : 0}, ${encryptJson(this.cipher, c.body)},
         ${c.createdAt.toISOString()}, ${c.expiresAt.toISOString()})
       ON CONFLICT (task_id) DO NOTHING`);
  }

  async get(taskId: string, now: Date): Promise<SentCard | undefined> {
    const r = await this.db.get<CardRow>(sql`SELECT * FROM sent_cards WHERE task_id = ${taskId} AND expires_at > ${now.toISOString()}`);
    if (!r) return undefined;
    return {
      taskId: r.task_id,
      chatId: r.chat_id,
      userId: r.user_id,
      forUser: r.for_user,
      turn: Number(r.turn),
      key: r.card_key,
      standing: Number(r.standing) === 1,
      body: decryptJson<unknown>(this.cipher, r.body),
      createdAt: toDate(r.created_at),
      expiresAt: toDate(r.expires_at),
    };
  }

  async saveTurn(chatId: string, userId: string, t: ConversationTurn): Promise<void> {
    const reply = t.reply ? encryptJson(this.cipher, t.reply) : null;
    await this.db.run(sql`INSERT INTO conversation_turns (chat_id, user_id, turn, card_key, reply, updated_at)
       VALUES (${chatId}, ${userId}, ${t.turn}, ${t.key}, ${reply}, ${t.at.toISOString()})
       ON CONFLICT (chat_id, user_id) DO UPDATE SET turn = excluded.turn, card_key = excluded.card_key,
         reply = excluded.reply, updated_at = excluded.updated_at`);
  }

  async turn(chatId: string, userId: string): Promise<ConversationTurn | undefined> {
    const r = await this.db.get<TurnRow>(
      sql`SELECT turn, card_key, reply, updated_at FROM conversation_turns WHERE chat_id = ${chatId} AND user_id = ${userId}`,
    );
    if (!r) return undefined;
    return {
      turn: Number(r.turn),
      key: r.card_key,
      reply: r.reply ? decryptJson<Reply>(this.cipher, r.reply) : null,
      at: toDate(r.updated_at),
    };
  }

  async prune(now: Date, turnsBefore: Date): Promise<{ cards: number; turns: number }> {
    const cards = await this.db.run(sql`DELETE FROM sent_cards WHERE expires_at <= ${now.toISOString()}`);
    const turns = await this.db.run(sql`DELETE FROM conversation_turns WHERE updated_at < ${turnsBefore.toISOString()}`);
    return { cards: cards.changes, turns: turns.changes };
  }

  async forget(): Promise<number> {
    const cards = await this.db.run(sql`DELETE FROM sent_cards`);
    const turns = await this.db.run(sql`DELETE FROM conversation_turns`);
    return cards.changes + turns.changes;
  }
}
