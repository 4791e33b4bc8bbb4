import type { PushTarget, Reply } from '../src/core/message.js';

/**
 * Persistence behind one interface. The SQLite adapter (`store/sqlite/`) is the default; every
 * method is synchronous so that a handler's changes and the outbox rows they cause commit in
 * one transaction (see {@link Store.transaction}).
 *
 * Each area is its own small repository so that features add an area without touching others.
 */
export interface Store {
  readonly inbound: InboundRepo;
  readonly outbox: OutboxRepo;
  readonly chats: ChatRepo;
  /** Run `fn` atomically; nested calls join the outer transaction. */
  transaction<T>(fn: () => T): T;
  /** Online backup to `file` (SQLite backup API); safe while the bot runs. */
  backup(file: string): Promise<void>;
  close(): void;
}

export interface InboundRecord {
  id: string;
  channel: string;
  userId: string;
  chatId: string;
}

export interface InboundRepo {
  /** Record a message id; false when it was already handled (a redelivery). */
  claim(msg: InboundRecord, now: Date): boolean;
  /** Remember what was answered, so a redelivered message can get the same answer again. */
  saveReplies(channel: string, id: string, replies: Reply[]): void;
  replies(channel: string, id: string): Reply[] | undefined;
}

export interface OutboxItem {
  id: number;
  target: PushTarget;
  reply: Reply;
  /** Why it was sent, e.g. `case.created` — for logs and `chats`/audit views, never shown. */
  reason: string;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  /** Where it actually went when the target was unreachable (see the WeCom issue). */
  deliveredTo: PushTarget | null;
}

export interface OutboxInsert {
  target: PushTarget;
  reply: Reply;
  reason: string;
  /** Optional idempotency key: a second enqueue with the same key is ignored. */
  dedupeKey?: string;
}

export interface OutboxRepo {
  /** Returns the new row id, or null when `dedupeKey` was already used. */
  enqueue(item: OutboxInsert, now: Date): number | null;
  /** Unsent rows whose next attempt is due, oldest first. */
  due(now: Date, limit: number): OutboxItem[];
  markSent(id: number, now: Date, deliveredTo?: PushTarget): void;
  markFailed(id: number, error: string, retryAt: Date): void;
  /** Push back the next attempt without counting a failure (rate limiting). */
  defer(id: number, until: Date): void;
  pending(): number;
  list(limit: number): OutboxItem[];
}

export interface ChatRecord {
  chatId: string;
  chatType: 'single' | 'group';
  /** Last user who wrote there. */
  lastUserId: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface ChatRepo {
  /** Remember that a chat reached the bot: WeCom lets the bot push only into such chats. */
  touch(chatId: string, chatType: 'single' | 'group', userId: string, now: Date): void;
  get(chatId: string): ChatRecord | undefined;
  list(): ChatRecord[];
}
