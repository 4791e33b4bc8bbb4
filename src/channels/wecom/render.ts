import type { TemplateCard } from '@wecom/aibot-node-sdk';
import type { Choice, Reply } from '../../domain/model/message.js';
import { replyMarkdown } from '../shared/choice-list.js';
import { isMulti, offeredChoices, questionOf } from '../shared/reply-choices.js';
import { splitContent, utf8Bytes, WECOM_CONTENT_MAX_BYTES } from './split.js';
import { uniqueId } from './unique-id.js';
import { CASE_CODE, normalizeCaseCode } from '../../domain/followup/contact-message.js';
import { QUICK_ACTIONS } from '../../../handlers/welcome.js';

/** WeCom's button_interaction card holds at most 6 buttons; a vote card 20 options (SDK types). */
export const MAX_CARD_BUTTONS = 6;
export const MAX_VOTE_OPTIONS = 20;
const MAX_KEY_BYTES = 1024;
const MAX_BUTTON_CHARS = 10;
const MAX_OPTION_CHARS = 11;
const MAX_TITLE_CHARS = 26;
const MAX_SUBTITLE_CHARS = 112;
/** The key of a vote card's submit button and of its one question. */
export const SUBMIT_KEY = 'submit';
export const QUESTION_KEY = 'q';

/** What one Reply becomes on WeCom: markdown pieces (each ≤ 20480 bytes), then maybe a card. */
export interface RenderedReply {
  markdown: string[];
  card?: TemplateCard;
  info?: ChoiceCardInfo;
}

/** A sent choice card, remembered so a tap can be checked and the card updated. */
export interface ChoiceCardInfo {
  type: 'button_interaction' | 'vote_interaction';
  title: string;
  choices: Choice[];
  multi: boolean;
  /** The reply's own card key, when the handler gave one. */
  key?: string;
  /** Actions that answer no question (quick actions, a reminder's buttons): never stale. */
  standing?: boolean;
}

export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** task_id: digits, letters and "_-@" only, ≤ 128 bytes, never reused by the same bot. */
export function newTaskId(): string {
  return uniqueId('hm');
}

/**
 * The card for a reply's choices: buttons for up to 6 single choices whose values can serve as
 * keys; a vote card (single or multiple select, with a submit button) for up to 20; none beyond,
 * where the numbered list in the text still works. The title is the question.
 */
export function choiceCard(reply: Reply, taskId: string): { card: TemplateCard; info: ChoiceCardInfo } | undefined {
  const choices = offeredChoices(reply);
  if (choices.length === 0 || choices.length > MAX_VOTE_OPTIONS) return undefined;
  if (new Set(choices.map((c) => c.value)).size !== choices.length) return undefined;
  const title = clip(questionOf(reply), MAX_TITLE_CHARS);
  const multi = isMulti(reply);
  const key = reply.card?.key;
  const buttons = !multi && choices.length <= MAX_CARD_BUTTONS && choices.every((c) => c.value !== '' && utf8Bytes(c.value) <= MAX_KEY_BYTES);
  if (buttons) {
    const card: TemplateCard = {
      card_type: 'button_interaction',
      main_title: { title, desc: '点按钮，或直接回复序号' },
      button_list: choices.map((c) => ({ text: clip(c.label, MAX_BUTTON_CHARS), style: 1, key: c.value })),
      task_id: taskId,
    };
    return { card, info: { type: 'button_interaction', title, choices, multi, ...(key ? { key } : {}) } };
  }
  const card: TemplateCard = {
    card_type: 'vote_interaction',
    main_title: { title, desc: multi ? '可多选，选好后点提交；也可直接回复序号' : '选好后点提交；也可直接回复序号' },
    checkbox: {
      question_key: QUESTION_KEY,
      mode: multi ? 1 : 0,
      option_list: choices.map((c, i) => ({ id: `o${i + 1}`, text: clip(c.label, MAX_OPTION_CHARS) })),
    },
    submit_button: { text: '提交', key: SUBMIT_KEY },
    task_id: taskId,
  };
  return { card, info: { type: 'vote_interaction', title, choices, multi, ...(key ? { key } : {}) } };
}

/** The values a tap picked: a button's key, or the ticked options of a vote card. */
export function pickedValues(info: ChoiceCardInfo, eventKey: string, optionIds: readonly string[]): string[] {
  if (info.type === 'button_interaction') return info.choices.some((c) => c.value === eventKey) ? [eventKey] : [];
  return optionIds
    .map((id) => /^o(\d+)$/.exec(id)?.[1])
    .map((n) => (n ? info.choices[Number(n) - 1]?.value : undefined))
    .filter((v): v is string => v !== undefined);
}

function notice(taskId: string, title: string, sub: string): TemplateCard {
  return {
    card_type: 'text_notice',
    main_title: { title: clip(title, MAX_TITLE_CHARS) },
    sub_title_text: clip(sub, MAX_SUBTITLE_CHARS),
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

/** What a tapped card turns into for the person who tapped: a notice naming the choice, no controls. */
export function answeredCard(taskId: string, info: ChoiceCardInfo | undefined, values: readonly string[]): TemplateCard {
  const labels = values.map((v) => info?.choices.find((c) => c.value === v)?.label ?? v);
  return notice(taskId, info?.title ?? '已选择', `已选择：${labels.join('、')}`);
}

/** A card whose question is no longer the one being asked. */
export function expiredCard(taskId: string, info: ChoiceCardInfo | undefined): TemplateCard {
  return notice(taskId, info?.title ?? '卡片已过期', '这张卡片已过期，没有记录这次选择。请按最新的提问回答。');
}

/** A group card tapped by someone it was not for. */
export function notYoursCard(taskId: string, info: ChoiceCardInfo | undefined): TemplateCard {
  return notice(taskId, info?.title ?? '请选择', '这张卡片是给发起登记的同事填写的，您的点击没有记录。');
}

export function renderReply(
  reply: Reply,
  taskId: () => string = newTaskId,
  maxBytes = WECOM_CONTENT_MAX_BYTES,
  opts: { privateChat?: boolean } = {},
): RenderedReply {
  if (reply.welcome) {
    // The card says it all; the text (the full help) is for platforms without cards.
    const { card, info } = welcomeCard(reply, taskId());
    return { markdown: [], card, info };
  }
  const markdown = splitContent(markdownSafe(replyMarkdown(reply)), maxBytes);
  const built =
    offeredChoices(reply).length > 0 ? choiceCard(reply, taskId()) : opts.privateChat ? caseActionCard(reply, taskId()) : undefined;
  return built ? { markdown, card: built.card, info: built.info } : { markdown };
}

const CODE = new RegExp(CASE_CODE.source, 'g');

/**
 * A private message that names cases (a reminder, a digest, 「我的个案」) gets buttons to act on
 * them: for up to three cases 记录 (log a contact) and 查看 (open it) each, for more a pick-list
 * of up to 20 to log a contact for. Each sends the command a user would type.
 */
export function caseActionCard(reply: Reply, taskId: string): { card: TemplateCard; info: ChoiceCardInfo } | undefined {
  const codes = [...new Set([...reply.text.matchAll(CODE)].map((m) => normalizeCaseCode(m)))];
  if (codes.length === 0) return undefined;
  // A button holds 10 characters: 「记录26-0001」 fits, the full code does not.
  const short = (code: string) => code.replace(/^[A-Z]+-\d\d/, '');
  const title = clip(codes.length === 1 ? `个案 ${codes[0]}` : `涉及 ${codes.length} 件个案`, MAX_TITLE_CHARS);
  if (codes.length <= 3) {
    const choices = codes.flatMap((c) => [
      { label: `记录${short(c)}`, value: `走访 ${c}` },
      { label: `查看${short(c)}`, value: `查看 ${c}` },
    ]);
    const card: TemplateCard = {
      card_type: 'button_interaction',
      main_title: { title, desc: '点「记录」登记走访，点「查看」看详情' },
      button_list: choices.map((c, i) => ({ text: clip(c.label, MAX_BUTTON_CHARS), style: i % 2 === 0 ? 1 : 2, key: c.value })),
      task_id: taskId,
    };
    return { card, info: { type: 'button_interaction', title, choices, multi: false, standing: true } };
  }
  const choices = codes.slice(0, MAX_VOTE_OPTIONS).map((c) => ({ label: short(c), value: `走访 ${c}` }));
  const card: TemplateCard = {
    card_type: 'vote_interaction',
    main_title: { title, desc: '选一件登记走访；查看详情请发「查看 编号」' },
    checkbox: { question_key: QUESTION_KEY, mode: 0, option_list: choices.map((c, i) => ({ id: `o${i + 1}`, text: clip(c.label, MAX_OPTION_CHARS) })) },
    submit_button: { text: '记录走访', key: SUBMIT_KEY },
    task_id: taskId,
  };
  return { card, info: { type: 'vote_interaction', title, choices, multi: false, standing: true } };
}

/**
 * The welcome on opening the chat (or a greeting): a short card instead of the whole help text.
 * Its title is the greeting; a registration in progress shows its pending question in a quote
 * with 继续登记 among the buttons; the quick actions follow. A welcome some handler wrote as
 * plain text gets its first line as title, the next as subtitle, and the standard actions.
 */
export function welcomeCard(reply: Reply, taskId: string): { card: TemplateCard; info: ChoiceCardInfo } {
  const w = reply.welcome;
  const lines = reply.text.split('\n').map((l) => l.replace(/[*#>`_]/g, '').trim()).filter((l) => l !== '');
  const title = clip(w?.greeting ?? lines[0] ?? '您好', MAX_TITLE_CHARS);
  const choices = (w?.actions.length ? w.actions : QUICK_ACTIONS).slice(0, MAX_CARD_BUTTONS);
  const below = w?.pending
    ? { quote_area: { type: 0 as const, title: '您有一份未完成的个案登记', quote_text: clip(w.pending, MAX_SUBTITLE_CHARS) } }
    : !w && lines[1]
      ? { sub_title_text: clip(lines[1], MAX_SUBTITLE_CHARS) }
      : {};
  const card: TemplateCard = {
    card_type: 'button_interaction',
    main_title: { title, desc: w?.pending ? '点「继续登记」接着填写，或直接回答' : '点下面的按钮，或直接提问' },
    ...below,
    button_list: choices.map((c, i) => ({ text: clip(c.label, MAX_BUTTON_CHARS), style: i === 0 ? 1 : 2, key: c.value })),
    task_id: taskId,
  };
  // Greetings and quick actions answer no question: they never go stale.
  return { card, info: { type: 'button_interaction', title, choices, multi: false, standing: true } };
}
