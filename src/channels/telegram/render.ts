import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Choice, Reply } from '../../domain/model/message.js';
import { replyMarkdown } from '../shared/choice-list.js';
import { splitLines } from '../shared/split-lines.js';

/** Telegram's limit for one message: 4096 characters after entity parsing. */
export const TELEGRAM_TEXT_MAX = 4096;
/** Telegram refuses callback_data longer than 64 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Beyond this a keyboard is a wall of buttons; the numbered list still works. */
export const MAX_KEYBOARD_BUTTONS = 12;
const MAX_BUTTON_CHARS = 40;
const KEY_CACHE_SIZE = 5000;

const BOLD = /\*\*(.+?)\*\*/g;

/** Characters a user sees: `**` markers are not shown. */
export const visibleLength = (markdown: string): number => markdown.replace(BOLD, '$1').length;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markdown-light as Telegram HTML. Everything is escaped first, so no text — the user's own words
 * echoed back included — can break the parse mode; only `**bold**` becomes markup.
 */
export function toHtml(markdown: string): string {
  return escapeHtml(markdown).replace(BOLD, '<b>$1</b>');
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

/**
 * Turns option values into callback_data and back. A value that fits travels as itself
 * ("v:" + value), so buttons keep working after a restart; a longer one gets a short key kept in
 * memory ("k:" + n), and a click on such a button after a restart is reported as expired.
 */
export class ChoiceKeys {
  private seq = 0;
  private readonly values = new Map<string, string>();

  encode(value: string): string {
    const direct = `v:${value}`;
    if (bytes(direct) <= CALLBACK_DATA_MAX_BYTES) return direct;
    const key = `k:${(++this.seq).toString(36)}`;
    this.values.set(key, value);
    if (this.values.size > KEY_CACHE_SIZE) this.values.delete(this.values.keys().next().value!);
    return key;
  }

  decode(data: string): string | undefined {
    if (data.startsWith('v:')) return data.slice(2);
    return this.values.get(data);
  }
}

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** One button per row: labels are Chinese phrases that do not fit side by side on a phone. */
export function choiceKeyboard(choices: readonly Choice[], keys: ChoiceKeys): InlineKeyboardMarkup | undefined {
  if (choices.length === 0 || choices.length > MAX_KEYBOARD_BUTTONS) return undefined;
  return {
    inline_keyboard: choices.map((c) => [{ text: clip(c.label.replace(BOLD, '$1'), MAX_BUTTON_CHARS), callback_data: keys.encode(c.value) }]),
  };
}

/** What one Reply becomes on Telegram: HTML messages of at most 4096 visible characters, the keyboard on the last. */
export interface RenderedReply {
  html: string[];
  keyboard?: InlineKeyboardMarkup;
}

export function renderReply(reply: Reply, keys: ChoiceKeys, max = TELEGRAM_TEXT_MAX): RenderedReply {
  // Split before converting, so a cut never falls inside a tag or an entity like &amp;.
  const html = splitLines(replyMarkdown(reply), max, visibleLength).map(toHtml);
  const keyboard = reply.choices?.length ? choiceKeyboard(reply.choices, keys) : undefined;
  return keyboard ? { html, keyboard } : { html };
}
