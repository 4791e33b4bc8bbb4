import { memberIndex } from '../config/member-index.js';
import type { AppDeps, Handler } from './context.js';
import type { DispatchResult } from './channel.js';
import { heldForWelcome, releaseHeld } from './held-delivery.js';
import type { InboundMessage, Reply } from '../domain/model/message.js';
import type { StorageAlarm } from './storage-alarm.js';

/**
 * Longer messages are refused before any handler runs: no answer needs them, and parsing 100 KB
 * of text would hold the database transaction for seconds. Intake's own limit (2000) is lower.
 */
export const MAX_INBOUND_CHARS = 4000;
export const TOO_LONG_REPLY: Reply = { text: `消息太长了，请精简后再发（每条不超过 ${MAX_INBOUND_CHARS} 字）。这条消息没有被处理。` };

export const FAILURE_REPLY: Reply = { text: '抱歉，处理这条消息时出错了，刚才的操作没有生效。请稍后再试，或联系镇团委管理员。' };

/**
 * Results of turns that kept nothing (refused, rolled back). Group commit asks, so a commit of
 * only such turns is not taken as proof that the store writes again.
 */
const keptNothing = new WeakSet<DispatchResult>();
export const savedNothing = (r: DispatchResult): boolean => keptNothing.has(r);
const unsaved = (r: DispatchResult): DispatchResult => (keptNothing.add(r), r);

/**
 * Hands each inbound message to the first handler that takes it. The message id, the chat
 * record, the handler's writes and the outbox rows they enqueue commit in one transaction, so a
 * crash either loses the whole turn (and WeCom redelivers it) or keeps all of it.
 */
export class Router {
  constructor(
    private readonly deps: AppDeps,
    private readonly handlers: readonly Handler[],
    /** When set, a turn that failed because the store cannot write says so and the admins are told. */
    private readonly storage?: StorageAlarm,
  ) {}

  async dispatch(msg: InboundMessage): Promise<DispatchResult> {
    const { store, clock, log, config } = this.deps;
    if (msg.text.length > MAX_INBOUND_CHARS) {
      log.warn({ msgId: msg.id, length: msg.text.length }, 'message too long; refused unhandled');
      return unsaved({ replies: [TOO_LONG_REPLY], duplicate: false });
    }
    try {
      return await store.transaction(async () => {
        const now = clock.now();
        if (!await store.inbound.claim({ id: msg.id, channel: msg.channel, userId: msg.userId, chatId: msg.chatId }, now)) {
          log.info({ msgId: msg.id, channel: msg.channel }, 'duplicate message ignored');
          return { replies: await store.inbound.replies(msg.channel, msg.id) ?? [], duplicate: true };
        }
        // Only a real message makes a chat reachable for pushes; opening the chat does not.
        if (msg.kind !== 'enter_chat') await store.chats.touch(msg.chatId, msg.chatType, msg.userId, now);
        // Messages that waited for this person go out now that they can be reached.
        if (msg.chatType === 'single' && msg.kind !== 'enter_chat') await releaseHeld(store, msg.userId, now);
        const member = memberIndex(config.members).get(msg.userId);
        const ctx = { ...this.deps, msg, member };
        for (const h of this.handlers) {
          const handled = await h.handle(ctx);
          if (handled) {
            const held = msg.kind === 'enter_chat' && msg.chatType === 'single' ? await heldForWelcome(store, msg.userId, now) : undefined;
            const replies = held ? [...handled, held] : handled;
            log.debug({ msgId: msg.id, handler: h.name }, 'handled');
            await store.inbound.saveReplies(msg.channel, msg.id, replies);
            return { replies, duplicate: false };
          }
        }
        return { replies: [], duplicate: false };
      });
    } catch (err) {
      const storeDown = this.storage?.failed(err);
      if (storeDown) return unsaved({ replies: [storeDown], duplicate: false });
      log.error({ err, msgId: msg.id }, 'handler failed; turn rolled back');
      return unsaved({ replies: [FAILURE_REPLY], duplicate: false });
    }
  }
}
