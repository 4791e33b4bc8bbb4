import type { Logger } from '../../core/log.js';
import type { Reply } from '../../domain/model/message.js';
import type { CardRepo, ConversationTurn, SentCard } from '../../domain/ports/store.js';

const CARDS_IN_MEMORY = 1000;
const TURNS_IN_MEMORY = 5000;

/**
 * The cards the channel sent and each conversation's last turn: in memory for the taps that
 * follow within minutes, and in the store (when there is one) for a tap after a restart.
 *
 * Writes go to the store behind the reply, all of one event-loop turn in one transaction: the
 * store syncs every commit to disk, and a write of its own for every reply and card would cost
 * each answer those syncs and cap the bot's throughput at the disk's. Should the process die in
 * the millisecond before the write, a tap on that card is refused as unknown, politely.
 */
export class CardRegistry {
  private readonly cards = new Map<string, SentCard>();
  private readonly turns = new Map<string, ConversationTurn>();
  private writes: Array<() => Promise<void>> = [];
  private scheduled = false;
  /** The batch being written: the next waits for it, so a later turn is never overwritten by an earlier one. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: CardRepo | undefined,
    /** Runs the store writes atomically (the store's transaction). */
    private readonly batch: (fn: () => Promise<void>) => Promise<void>,
    private readonly log: Logger,
  ) {}

  async get(taskId: string, now: Date): Promise<SentCard | undefined> {
    const c = this.cards.get(taskId) ?? await this.read(() => this.store?.get(taskId, now));
    return c && c.expiresAt > now ? c : undefined;
  }

  save(card: SentCard): void {
    remember(this.cards, card.taskId, card, CARDS_IN_MEMORY);
    this.write(() => this.store!.save(card));
  }

  async turn(chatId: string, userId: string): Promise<ConversationTurn | undefined> {
    const k = key(chatId, userId);
    const have = this.turns.get(k);
    if (have) return have;
    const stored = await this.read(() => this.store?.turn(chatId, userId));
    // A turn noted while the store was read is newer than what the store held.
    const meanwhile = this.turns.get(k);
    if (meanwhile) return meanwhile;
    if (stored) remember(this.turns, k, stored, TURNS_IN_MEMORY);
    return stored;
  }

  /**
   * The bot said something to this person here: a new turn, whose number is returned. With
   * `keepQuestion` (a push that asks nothing, such as a reminder) the question being asked and
   * the reply that asked it stay what they were, so a dialog's card is still current after it.
   */
  async noteTurn(chatId: string, userId: string, reply: Reply | null, now: Date, keepQuestion = false): Promise<number> {
    const loaded = await this.turn(chatId, userId);
    // Read again after the wait: another turn of this conversation may have been noted meanwhile,
    // and this one must follow it, not repeat its number.
    const prev = this.turns.get(key(chatId, userId)) ?? loaded;
    const asked = keepQuestion && prev ? { key: prev.key, reply: prev.reply } : { key: reply?.card?.key ?? null, reply };
    const t: ConversationTurn = { turn: (prev?.turn ?? 0) + 1, ...asked, at: now };
    remember(this.turns, key(chatId, userId), t, TURNS_IN_MEMORY);
    this.write(() => this.store!.saveTurn(chatId, userId, t));
    return t.turn;
  }

  /** Writes what is still queued, now (the channel is stopping), after any batch already on its way. */
  async flush(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    this.scheduled = false;
    const run = this.flushing.then(() => this.writeAll(writes));
    this.flushing = run;
    await run;
  }

  private async writeAll(writes: ReadonlyArray<() => Promise<void>>): Promise<void> {
    if (writes.length === 0) return;
    try {
      await this.batch(async () => {
        for (const w of writes) await w();
      });
    } catch (err) {
      // The answers went out; only a tap after a restart on these cards is refused.
      this.log.warn({ err: (err as Error).message, writes: writes.length }, 'cards not saved to the store');
    }
  }

  private write(w: () => Promise<void>): void {
    if (!this.store) return;
    this.writes.push(w);
    if (!this.scheduled) {
      this.scheduled = true;
      // flush() logs its own failure: the answers went out, only a later tap is affected.
      setImmediate(() => void this.flush());
    }
  }

  private async read<T>(fn: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'card registry unreadable');
      return undefined;
    }
  }
}

const key = (chatId: string, userId: string): string => `${chatId}\u0000${userId}`;

/** Newest last, so the oldest go first once the map is full. */
function remember<V>(map: Map<string, V>, k: string, v: V, max: number): void {
  map.delete(k);
  map.set(k, v);
  if (map.size > max) map.delete(map.keys().next().value!);
}
