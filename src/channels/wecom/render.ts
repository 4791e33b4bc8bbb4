import type { TemplateCard } from '@wecom/aibot-node-sdk';
import type { Choice, Reply } from '../../core/message.js';
import { replyMarkdown } from '../shared/choice-list.js';
import { splitContent, utf8Bytes, WECOM_CONTENT_MAX_BYTES } from './split.js';
import { uniqueId } from './unique-id.js';

/** WeCom's button_interaction card holds at most 6 buttons (docs §2.2). */
export const MAX_CARD_BUTTONS = 6;
const MAX_KEY_BYTES = 1024;
const MAX_BUTTON_CHARS = 10;
const MAX_TITLE_CHARS = 26;

/** What one Reply becomes on WeCom: markdown pieces (each ≤ 20480 bytes), then maybe a card. */
export interface RenderedReply {
  markdown: string[];
  card?: TemplateCard;
}

/** The card a button_interaction reply carries, remembered so a click can update it. */
export interface ChoiceCardInfo {
  title: string;
  choices: Choice[];
}

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** First non-empty line of the text without markdown decoration, for a card title. */
function cardTitle(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.replace(/[*#>`_]/g, '').trim())
    .find((l) => l !== '');
  return clip(line ?? '请选择', MAX_TITLE_CHARS);
}

/** task_id: digits, letters and "_-@" only, ≤ 128 bytes, never reused by the same bot. */
export function newTaskId(): string {
  return uniqueId('hm');
}

/**
 * A button_interaction card for a reply with 1–6 choices whose values can serve as button keys
 * (unique, ≤ 1024 bytes); undefined otherwise — the numbered list in the text still works.
 * The click comes back with the key, which is the choice's value.
 */
export function choiceCard(reply: Reply, taskId: string): { card: TemplateCard; info: ChoiceCardInfo } | undefined {
  const choices = reply.choices ?? [];
  if (choices.length === 0 || choices.length > MAX_CARD_BUTTONS) return undefined;
  const values = new Set(choices.map((c) => c.value));
  if (values.size !== choices.length) return undefined;
  if (choices.some((c) => c.value === '' || utf8Bytes(c.value) > MAX_KEY_BYTES)) return undefined;
  const title = cardTitle(reply.text);
  const card: TemplateCard = {
    card_type: 'button_interaction',
    main_title: { title, desc: '点按钮，或直接回复序号' },
    button_list: choices.map((c) => ({ text: clip(c.label, MAX_BUTTON_CHARS), style: 1, key: c.value })),
    task_id: taskId,
  };
  return { card, info: { title, choices } };
}

/**
 * What a clicked card turns into for the person who clicked: a plain notice naming the choice,
 * so the same card cannot feed an old answer into a later question.
 */
export function answeredCard(taskId: string, info: ChoiceCardInfo | undefined, value: string): TemplateCard {
  const label = info?.choices.find((c) => c.value === value)?.label ?? value;
  return {
    card_type: 'text_notice',
    main_title: { title: info?.title ?? '已选择' },
    sub_title_text: clip(`已选择：${label}`, 112),
    card_action: { type: 0 },
    task_id: taskId,
  };
}

/**
 * WeCom shows every message as markdown, and the text carries what users typed (a reason, a
 * note, a name): their `[text](link)`, `<font>`, `<@all>` or `**` must not become the bot's own
 * formatting, and masked values (王*明, 138****1234) must show their asterisks rather than turn
 * into italics or bold. Those characters become their full-width twins, which look the same and
 * mean nothing to markdown. The bot's own formatting is headings and tables, which stay.
 */
export function markdownSafe(text: string): string {
  return text.replace(/[*<>[\]`]/g, (c) => FULL_WIDTH[c]!);
}
const FULL_WIDTH: Record<string, string> = { '*': '＊', '<': '＜', '>': '＞', '[': '［', ']': '］', '`': '｀' };

export function renderReply(reply: Reply, taskId: () => string = newTaskId, maxBytes = WECOM_CONTENT_MAX_BYTES): RenderedReply & { info?: ChoiceCardInfo } {
  const markdown = splitContent(markdownSafe(replyMarkdown(reply)), maxBytes);
  const choices = reply.choices?.length ?? 0;
  // Only a reply that can become a card takes a task id.
  const built = choices > 0 && choices <= MAX_CARD_BUTTONS ? choiceCard(reply, taskId()) : undefined;
  return built ? { markdown, card: built.card, info: built.info } : { markdown };
}
