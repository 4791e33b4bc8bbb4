import type { Choice, Reply } from '../src/domain/model/message.js';
import { normalizeInput, stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import type { Handler, HandlerContext } from '../src/core/context.js';
import { helpText } from './help.js';
import { pendingDialogPrompt } from './dialogs.js';

/** Each sends what a user would type; shown as buttons where the platform has cards. */
export const QUICK_ACTIONS: readonly Choice[] = [
  { label: '登记新个案', value: '新增个案' },
  { label: '我的个案', value: '我的个案' },
  { label: '问方案', value: '帮助' },
];
export const CONTINUE_ACTION: Choice = { label: '继续登记', value: '继续' };

/** A greeting, or 继续 with nothing said yet: answered like opening the chat. */
const GREETING = /^(?:你好|您好|你好啊|您好啊|在吗|在不在|hi|hello|嗨|继续|继续登记)$/i;

/** The question a prompt asks: its last line that ends in a question mark, else its first line. */
function questionLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const sentences = lines.flatMap((l) => l.split(/(?<=[。！？?])/).map((x) => x.trim()));
  return [...sentences].reverse().find((l) => /[？?]$/.test(l)) ?? lines[0] ?? '';
}

/**
 * The welcome: the greeting, the pending question of a registration in progress in this chat
 * (with 继续登记 first among the quick actions), and the quick actions. The text is for
 * platforms without cards; a platform with cards shows `welcome` as one short card.
 */
export async function welcomeReply(ctx: HandlerContext): Promise<Reply> {
  const greeting = `您好，我是${ctx.config.town}护苗助手。`;
  const pending = await pendingDialogPrompt(ctx);
  if (pending) {
    return { ...pending, welcome: { greeting, pending: questionLine(pending.text), actions: [CONTINUE_ACTION, ...QUICK_ACTIONS] } };
  }
  return { text: `${greeting}\n${helpText(ctx)}`, welcome: { greeting, actions: [...QUICK_ACTIONS] } };
}

/**
 * enter_chat (someone opened the private chat with the bot), or a greeting there: a short welcome
 * with what it can do, and the pending question when a registration waits (often started in a
 * group). 继续 with a registration in progress is left to intake, which asks the question itself.
 */
export const welcomeHandler: Handler = {
  name: 'welcome',
  async handle(ctx) {
    const { msg } = ctx;
    if (msg.kind === 'enter_chat') return [await welcomeReply(ctx)];
    if (msg.chatType !== 'single' || (msg.kind !== 'text' && msg.kind !== 'button')) return null;
    const said = stripEdgePunctuation(normalizeInput(msg.text));
    if (!GREETING.test(said)) return null;
    if (said.startsWith('继续') && await pendingDialogPrompt(ctx)) return null;
    return [await welcomeReply(ctx)];
  },
};
