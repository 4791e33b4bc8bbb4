import type { Message, MessageEntity, Update } from 'grammy/types';
import type { ChatType, InboundMessage, InboundKind } from '../../domain/model/message.js';

/** The `channel` value of every message that came through Telegram (the router dedupes per channel). */
export const TELEGRAM_CHANNEL = 'telegram';

/** Who the bot is, from getMe: mentions and replies are recognised by these. */
export interface BotIdentity {
  id: number;
  username: string;
}

/** An update the bot must act on. */
export type Translated =
  | {
      type: 'message';
      msg: InboundMessage;
      /** In groups the answer replies to this message, so the asker sees it is for them. */
      replyTo?: number;
      /** For a button click: the callback query to answer and the message carrying the keyboard. */
      callback?: { queryId: string; keyboardMessageId?: number };
    }
  /** A click on a button whose value is no longer known (its key was kept in memory only). */
  | { type: 'expired'; queryId: string };

/** Message contents that are not text but clearly meant for the bot: answered with 「暂不支持」. */
const CONTENT_FIELDS = [
  'photo', 'document', 'sticker', 'video', 'voice', 'audio', 'animation', 'video_note',
  'location', 'contact', 'poll', 'venue', 'dice',
] as const;

function chatTypeOf(type: string): ChatType | undefined {
  if (type === 'private') return 'single';
  if (type === 'group' || type === 'supergroup') return 'group';
  return undefined; // channels: the bot does not serve them
}

const lower = (s: string) => s.toLowerCase();

/** The entities that address the bot: "@botname", a mention of its user, or "/cmd@botname". */
function botEntities(text: string, entities: readonly MessageEntity[], bot: BotIdentity): MessageEntity[] {
  const at = `@${lower(bot.username)}`;
  return entities.filter((e) => {
    const piece = lower(text.slice(e.offset, e.offset + e.length));
    if (e.type === 'mention') return piece === at;
    if (e.type === 'text_mention') return e.user.id === bot.id;
    if (e.type === 'bot_command') return piece.endsWith(at);
    return false;
  });
}

/**
 * Text with every "@botname" removed (Telegram puts the mention wherever the user typed it, not
 * only at the start). Offsets are UTF-16, like JavaScript string indices.
 */
export function stripBotMentions(text: string, entities: readonly MessageEntity[], bot: BotIdentity): string {
  const at = `@${lower(bot.username)}`;
  let out = text;
  for (const e of [...entities].sort((a, b) => b.offset - a.offset)) {
    const piece = out.slice(e.offset, e.offset + e.length);
    if (e.type === 'mention' && lower(piece) === at) out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
    // "/start@botname": keep the command, drop the addressee.
    if (e.type === 'bot_command' && lower(piece).endsWith(at)) {
      out = out.slice(0, e.offset) + piece.slice(0, piece.length - at.length) + out.slice(e.offset + e.length);
    }
  }
  // Only the gap the mention leaves is closed; the user's own line breaks stay (a prefilled form).
  return out.replace(/[ \t\u00a0]{2,}/g, ' ').trim();
}

/** "/start" opens the chat; "/help" is Telegram's convention for the menu; other commands lose their slash. */
function command(text: string): { kind: InboundKind; text: string } {
  const m = /^\/([A-Za-z0-9_]+)\s*([\s\S]*)$/.exec(text);
  if (!m) return { kind: 'text', text };
  const name = m[1]!.toLowerCase();
  if (name === 'start') return { kind: 'enter_chat', text: '' };
  if (name === 'help') return { kind: 'text', text: '帮助' };
  return { kind: 'text', text: `${m[1]} ${m[2]}`.trim() };
}

function addressed(message: Message, bot: BotIdentity): boolean {
  if (message.reply_to_message?.from?.id === bot.id) return true;
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  return botEntities(text, entities, bot).length > 0;
}

function translateMessage(message: Message, bot: BotIdentity, receivedAt: Date): Translated | null {
  const chatType = chatTypeOf(message.chat.type);
  const from = message.from;
  if (!chatType || !from || from.is_bot) return null;
  // In a group the bot sees (with privacy mode off) or may see every message; it answers only
  // what is meant for it, like on WeCom where only @-mentions reach the bot.
  if (chatType === 'group' && !addressed(message, bot)) return null;
  let kind: InboundKind;
  let text = '';
  if (message.text !== undefined) {
    ({ kind, text } = command(stripBotMentions(message.text, message.entities ?? [], bot)));
  } else if (CONTENT_FIELDS.some((f) => message[f] !== undefined)) {
    kind = 'unsupported';
  } else {
    return null; // service messages: members joining, pinned messages, titles …
  }
  return {
    type: 'message',
    msg: {
      id: `${message.chat.id}:${message.message_id}`,
      channel: TELEGRAM_CHANNEL,
      userId: String(from.id),
      // A private chat's id is the user's id on Telegram, as the domain expects.
      chatId: String(message.chat.id),
      chatType,
      kind,
      text,
      receivedAt,
    },
    ...(chatType === 'group' ? { replyTo: message.message_id } : {}),
  };
}

/**
 * One Telegram update as the domain sees it, or null when the bot should stay silent (group
 * chatter not addressed to it, edits, service messages, channel posts, other bots).
 * `decodeChoice` turns a button's callback_data back into the option's value.
 */
export function translateUpdate(
  update: Update,
  bot: BotIdentity,
  receivedAt: Date,
  decodeChoice: (data: string) => string | undefined,
): Translated | null {
  if (update.message) return translateMessage(update.message, bot, receivedAt);
  const q = update.callback_query;
  if (!q || q.data === undefined || !q.message) return null;
  const chatType = chatTypeOf(q.message.chat.type);
  if (!chatType) return null;
  const value = decodeChoice(q.data);
  if (value === undefined) return { type: 'expired', queryId: q.id };
  return {
    type: 'message',
    msg: {
      id: `cb:${q.id}`,
      channel: TELEGRAM_CHANNEL,
      userId: String(q.from.id),
      chatId: String(q.message.chat.id),
      chatType,
      kind: 'button',
      text: value,
      receivedAt,
    },
    callback: { queryId: q.id, keyboardMessageId: q.message.message_id },
  };
}
