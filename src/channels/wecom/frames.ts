import type { InboundMessage } from '../../domain/model/message.js';

/** The `channel` value of every message that came through WeCom (the router dedupes per channel). */
export const WECOM_CHANNEL = 'wecom';

/**
 * How a callback must be answered. WeCom accepts exactly one reply command per callback kind:
 * a message → `aibot_respond_msg`; `enter_chat` → `aibot_respond_welcome_msg` (within 5 s);
 * `template_card_event` → only `aibot_respond_update_msg` (within 5 s) — anything else said in
 * answer to a click has to be pushed with `aibot_send_msg`.
 */
export type ReplyRoute = 'respond' | 'welcome' | 'card_event';

export interface Translated {
  msg: InboundMessage;
  route: ReplyRoute;
  /** For card clicks: the card's task_id, so the clicked card can be updated. */
  taskId?: string;
  /** For card clicks: the option ids ticked on a vote / dropdown card. */
  optionIds?: string[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * In a group WeCom puts the bot's @mention at the start of the text ("@护苗助手 问题"), and the
 * frame does not say what the bot's display name is, so the first @word is dropped whatever it
 * says. WeCom separates the mention with a space, often U+2005, which `\s` covers.
 */
export function stripLeadingMention(text: string): string {
  return text.replace(/^\s*@\S*\s*/u, '').trim();
}

interface Envelope {
  msgid: string;
  userId: string;
  chatId: string;
  chatType: 'single' | 'group';
}

function envelope(body: Obj): Envelope | null {
  const msgid = str(body.msgid);
  const userId = isObj(body.from) ? str(body.from.userid) : undefined;
  if (!msgid || !userId) return null;
  const chatType = body.chattype === 'group' ? 'group' : 'single';
  // WeCom sends chatid only for groups; a private chat is addressed by the user's id.
  const chatId = chatType === 'group' ? (str(body.chatid) ?? userId) : userId;
  return { msgid, userId, chatId, chatType };
}

function message(env: Envelope, kind: InboundMessage['kind'], text: string, receivedAt: Date): InboundMessage {
  return {
    id: env.msgid,
    channel: WECOM_CHANNEL,
    userId: env.userId,
    chatId: env.chatId,
    chatType: env.chatType,
    kind,
    text,
    receivedAt,
  };
}

/**
 * Body of an `aibot_msg_callback` → message. Text (mention stripped in groups) and voice (WeCom's
 * speech-to-text) become `text`; text with pictures (mixed) becomes its text; images, files, video and anything new become
 * `unsupported` so a handler can say so politely. Null when the body lacks msgid or sender.
 */
export function translateMessage(body: unknown, receivedAt: Date): Translated | null {
  if (!isObj(body)) return null;
  const env = envelope(body);
  if (!env) return null;
  const quote = quotedText(body.quote);
  const withQuote = (m: InboundMessage): InboundMessage => (quote ? { ...m, quote } : m);
  const typed = (raw: string): string => (env.chatType === 'group' ? stripLeadingMention(raw) : raw.trim());
  if (body.msgtype === 'text' && isObj(body.text)) {
    return { msg: withQuote(message(env, 'text', typed(str(body.text.content) ?? ''), receivedAt)), route: 'respond' };
  }
  if (body.msgtype === 'voice' && isObj(body.voice)) {
    // The docs and the SDK say voice.content; one integrator saw voice.text.
    const text = (str(body.voice.content) ?? str(body.voice.text) ?? '').trim();
    if (text) return { msg: withQuote(message(env, 'text', text, receivedAt)), route: 'respond' };
  }
  if (body.msgtype === 'mixed') {
    // Text with pictures: the words are the message; the pictures are not read.
    const text = typed(mixedText(body.mixed));
    if (text) return { msg: withQuote(message(env, 'text', text, receivedAt)), route: 'respond' };
  }
  return { msg: withQuote(message(env, 'unsupported', '', receivedAt)), route: 'respond' };
}

/** The text items of a mixed message, joined by line breaks. */
function mixedText(mixed: unknown): string {
  if (!isObj(mixed) || !Array.isArray(mixed.msg_item)) return '';
  return mixed.msg_item
    .map((it: unknown) => (isObj(it) && it.msgtype === 'text' && isObj(it.text) ? (str(it.text.content) ?? '') : ''))
    .filter((t) => t.trim() !== '')
    .join('\n');
}

/** What a quoted message said, when it had words (text, voice, or the text of a mixed one). */
function quotedText(quote: unknown): string | undefined {
  if (!isObj(quote)) return undefined;
  const t =
    quote.msgtype === 'text' && isObj(quote.text)
      ? str(quote.text.content)
      : quote.msgtype === 'voice' && isObj(quote.voice)
        ? str(quote.voice.content)
        : quote.msgtype === 'mixed'
          ? mixedText(quote.mixed)
          : undefined;
  return t?.trim() ? t.trim() : undefined;
}

/**
 * Body of an `aibot_event_callback` → message, for the events a user causes: `enter_chat` and
 * card clicks. A click carries the clicked button's key — the choice's value — as its text, so
 * it is handled exactly like typing that option. Other events (feedback, disconnected) → null:
 * they are not messages.
 */
export function translateEvent(body: unknown, receivedAt: Date): Translated | null {
  if (!isObj(body) || !isObj(body.event)) return null;
  const env = envelope(body);
  if (!env) return null;
  const ev = body.event;
  if (ev.eventtype === 'enter_chat') {
    return { msg: message(env, 'enter_chat', '', receivedAt), route: 'welcome' };
  }
  if (ev.eventtype === 'template_card_event') {
    // The docs nest the payload under event.template_card_event; the SDK's type shows it flat.
    const data = isObj(ev.template_card_event) ? ev.template_card_event : ev;
    const key = str(data.event_key);
    if (!key) return null;
    const taskId = str(data.task_id);
    const optionIds = selectedOptionIds(data.selected_items);
    return {
      msg: message(env, 'button', key, receivedAt),
      route: 'card_event',
      ...(taskId ? { taskId } : {}),
      ...(optionIds.length ? { optionIds } : {}),
    };
  }
  return null;
}

/** `selected_items.selected_item[].option_ids.option_id[]`, flattened (our cards ask one question). */
function selectedOptionIds(items: unknown): string[] {
  if (!isObj(items)) return [];
  const list = Array.isArray(items.selected_item) ? items.selected_item : isObj(items.selected_item) ? [items.selected_item] : [];
  return list.flatMap((it: unknown) => {
    if (!isObj(it) || !isObj(it.option_ids)) return [];
    const ids = it.option_ids.option_id;
    return (Array.isArray(ids) ? ids : [ids]).filter((x): x is string => typeof x === 'string');
  });
}
