/**
 * A person who never wrote to the bot gets one "please write to me" notice per group in a
 * period, however many pushes were meant for them; the later ones count as delivered to that
 * group. Kept in memory: after a restart one more notice may go out.
 */
export class NoticeCooldown {
  private readonly sent = new Map<string, number>();

  constructor(private readonly periodMs = 12 * 3_600_000) {}

  private key(userId: string, chatId: string): string {
    return `${userId}\u0000${chatId}`;
  }

  /** True when this person was already asked in this group within the period. */
  cooling(userId: string, chatId: string, now: Date): boolean {
    const last = this.sent.get(this.key(userId, chatId));
    return last !== undefined && now.getTime() - last < this.periodMs;
  }

  note(userId: string, chatId: string, now: Date): void {
    this.sent.set(this.key(userId, chatId), now.getTime());
  }
}
