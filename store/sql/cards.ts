import type { Reply } from '../../src/domain/model/message.js';
import { decryptJson, encryptJson, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CardRepo, ConversationTurn, SentCard } from '../../src/domain/ports/store.js';
import type { SqlDb as Db } from './db.js';

interface CardRow {
  task_id: string;
  chat_id: string;
  user_id: string;
  for_user: string | null;
  turn: number;
  card_key: string | null;
  standing: number;
  body: string;
  created_at: string;
  expires_at: string;
}

interface TurnRow {
  turn: number;
  card_key: string | null;
  reply: string | null;
  updated_at: string;
}

/**
 * Sent cards and conversation turns. Titles, choices and the last reply can name a child (a
 * summary to confirm), so they are encrypted with the data key like the reply cache.
 */
export class SqlCardRepo implements CardRepo {
  private readonly insert;
  private readonly one;
  private readonly upsertTurn;
  private readonly turnOf;
  private readonly dropCards;
  private readonly dropTurns;
  private readonly allCards;
  private readonly allTurns;

  constructor(
    db: Db,
    private readonly cipher: FieldCipher | null = null,
  ) {
    this.insert = db.prepare(
      `INSERT INTO sent_cards (task_id, chat_id, user_id, for_user, turn, card_key, standing, body, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id) DO NOTHING`,
    );
    this.one = db.prepare<[string, string], CardRow>('SELECT * FROM sent_cards WHERE task_id = ? AND expires_at > ?');
    this.upsertTurn = db.prepare(
      `INSERT INTO conversation_turns (chat_id, user_id, turn, card_key, reply, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (chat_id, user_id) DO UPDATE SET turn = excluded.turn, card_key = excluded.card_key,
         reply = excluded.reply, updated_at = excluded.updated_at`,
    );
    this.turnOf = db.prepare<[string, string], TurnRow>('SELECT turn, card_key, reply, updated_at FROM conversation_turns WHERE chat_id = ? AND user_id = ?');
    this.dropCards = db.prepare('DELETE FROM sent_cards WHERE expires_at <= ?');
    this.dropTurns = db.prepare('DELETE FROM conversation_turns WHERE updated_at < ?');
    this.allCards = db.prepare('DELETE FROM sent_cards');
    this.allTurns = db.prepare('DELETE FROM conversation_turns');
  }

  save(c: SentCard): void {
    this.insert.run(
      c.taskId,
      c.chatId,
      c.userId,
      c.forUser,
      c.turn,
      c.key,
      c.standing ? 1 : 0,
      encryptJson(this.cipher, c.body),
      c.createdAt.toISOString(),
      c.expiresAt.toISOString(),
    );
  }

  get(taskId: string, now: Date): SentCard | undefined {
    const r = this.one.get(taskId, now.toISOString());
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
      createdAt: new Date(r.created_at),
      expiresAt: new Date(r.expires_at),
    };
  }

  saveTurn(chatId: string, userId: string, t: ConversationTurn): void {
    this.upsertTurn.run(chatId, userId, t.turn, t.key, t.reply ? encryptJson(this.cipher, t.reply) : null, t.at.toISOString());
  }

  turn(chatId: string, userId: string): ConversationTurn | undefined {
    const r = this.turnOf.get(chatId, userId);
    if (!r) return undefined;
    return {
      turn: Number(r.turn),
      key: r.card_key,
      reply: r.reply ? decryptJson<Reply>(this.cipher, r.reply) : null,
      at: new Date(r.updated_at),
    };
  }

  prune(now: Date, turnsBefore: Date): { cards: number; turns: number } {
    return { cards: this.dropCards.run(now.toISOString()).changes, turns: this.dropTurns.run(turnsBefore.toISOString()).changes };
  }

  forget(): number {
    return this.allCards.run().changes + this.allTurns.run().changes;
  }
}
