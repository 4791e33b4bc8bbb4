import type { Reply } from '../../domain/model/message.js';
import type { CardRepo, ConversationTurn, SentCard } from '../../domain/ports/store.js';

const CARDS = 1000;
const TURNS = 5000;

/**
 * Cards and turns kept in memory only, for a channel built without a store (tools, tests): a
 * restart forgets them, and the oldest go first once there are many.
 */
export class MemoryCardRepo implements CardRepo {
  private readonly cards = new Map<string, SentCard>();
  private readonly turns = new Map<string, ConversationTurn>();

  save(card: SentCard): void {
    if (this.cards.has(card.taskId)) return;
    this.cards.set(card.taskId, card);
    if (this.cards.size > CARDS) this.cards.delete(this.cards.keys().next().value!);
  }

  get(taskId: string, now: Date): SentCard | undefined {
    const c = this.cards.get(taskId);
    return c && c.expiresAt > now ? c : undefined;
  }

  noteTurn(chatId: string, userId: string, reply: Reply | null, now: Date): number {
    const k = `${chatId}\u0000${userId}`;
    const turn = (this.turns.get(k)?.turn ?? 0) + 1;
    this.turns.delete(k);
    this.turns.set(k, { turn, key: reply?.card?.key ?? null, reply, at: now });
    if (this.turns.size > TURNS) this.turns.delete(this.turns.keys().next().value!);
    return turn;
  }

  turn(chatId: string, userId: string): ConversationTurn | undefined {
    return this.turns.get(`${chatId}\u0000${userId}`);
  }

  prune(now: Date, turnsBefore: Date): { cards: number; turns: number } {
    let cards = 0;
    let turns = 0;
    for (const [k, c] of this.cards) if (c.expiresAt <= now && this.cards.delete(k)) cards++;
    for (const [k, t] of this.turns) if (t.at < turnsBefore && this.turns.delete(k)) turns++;
    return { cards, turns };
  }

  forget(): number {
    const n = this.cards.size + this.turns.size;
    this.cards.clear();
    this.turns.clear();
    return n;
  }
}
