import type { AppDeps } from './context.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { resolvePushTarget, type ResolvedPush } from './push-target.js';
import type { PushTarget, Reply, ReplyFile } from '../domain/model/message.js';
import type { CardRepo } from '../domain/ports/store.js';

/**
 * What a chat channel may ask of its town: a handful of narrow capabilities, never the store or
 * the config. A channel translates and delivers; where a push may go, what an undelivered answer
 * becomes and how a report file is made are the town's decisions, made here once for every channel.
 */
export interface ChannelPorts {
  readonly clock: Clock;
  readonly log: Logger;
  /** The chat ids of the town's configured groups (an unknown group is logged for the admin). */
  readonly knownGroupIds: readonly string[];
  /** Where a push may really go (see resolvePushTarget). */
  resolveTarget(target: PushTarget): Promise<ResolvedPush>;
  /** An answer that did not arrive on its callback goes on as a push, from the part that failed. */
  queueUndelivered(target: PushTarget, reply: Reply, partsSent: number): Promise<void>;
  /** Someone opened a private chat with the bot: from now on they can be written to first. */
  noteStarted(chatId: string, userId: string, at: Date): Promise<void>;
  /** The cards sent, kept across restarts, so a late tap is judged against what was asked. */
  readonly cards: CardRepo;
  /** Runs queued card writes atomically (one transaction, one disk sync). */
  cardWrites(fn: () => Promise<void>): Promise<void>;
  /** The bytes of a file a reply names (the quarterly workbook). */
  makeFile(file: ReplyFile): Promise<Buffer>;
}

export function channelPorts(deps: AppDeps, makeFile: (file: ReplyFile) => Promise<Buffer>): ChannelPorts {
  const { store, config, clock, log } = deps;
  return {
    clock,
    log,
    knownGroupIds: config.groups.map((g) => g.chatid),
    resolveTarget: (t) => resolvePushTarget(t, store, config),
    queueUndelivered: async (target, reply, partsSent) => {
      await store.outbox.enqueue({ target, reply, reason: 'reply.fallback', partsSent }, clock.now());
    },
    noteStarted: (chatId, userId, at) => store.chats.touch(chatId, 'single', userId, at),
    cards: store.cards,
    cardWrites: (fn) => store.transaction(fn),
    makeFile,
  };
}
