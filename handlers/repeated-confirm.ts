import type { Reply } from '../src/domain/model/message.js';
import { normalizeInput, stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import { OUTCOME_LIFE_MS } from '../src/domain/ports/store.js';
import type { Handler, HandlerContext } from '../src/core/context.js';

/** The words that confirmed a dialog's last step (确认 on a summary, 是 on a yes/no). */
const CONFIRM_WORDS = /^(?:确认|确定|保存|提交|确认保存|确认无误|确认提交|是|是的|对|对的|记录)$/;

/** Says the outcome is being repeated, so nobody takes it for a second case, contact or closing. */
export const ALREADY_DONE_TEXT = {
  'intake.saved': '这份登记已经保存过了，没有重复保存。保存结果如下：',
  'case.closed': '这个个案已经结案，没有重复操作：',
  'contact.logged': '这次走访已经记录过了，没有重复记录：',
} as const;
export type OutcomeKind = keyof typeof ALREADY_DONE_TEXT;
export const ALREADY_SAVED_TEXT = ALREADY_DONE_TEXT['intake.saved'];

/** A dialog of this user in this chat just ended with `reply`: a repeated confirmation gets it again. */
export async function rememberOutcome(ctx: HandlerContext, kind: OutcomeKind, reply: Reply, now: Date): Promise<void> {
  await ctx.store.outcomes.save(ctx.msg.userId, ctx.msg.chatId, { kind, reply, at: now });
}

/**
 * A confirmation typed again right after a dialog ended — the cadre never saw 「已保存」 because
 * the connection dropped on its way — gets that answer again, not a Q&A miss, and nothing is
 * done twice. Only the message right after the outcome counts: anything else the person says
 * ends the remembering, so a 「是」 later in another context is never answered with an old case.
 */
export const repeatedConfirmHandler: Handler = {
  name: 'repeated-confirm',
  async handle(ctx) {
    const { msg, store } = ctx;
    if (msg.kind !== 'text' && msg.kind !== 'button') return null;
    const now = ctx.clock.now();
    const outcome = await store.outcomes.get(msg.userId, msg.chatId, new Date(now.getTime() - OUTCOME_LIFE_MS));
    if (!outcome) return null;
    if (!CONFIRM_WORDS.test(stripEdgePunctuation(normalizeInput(msg.text)))) {
      await store.outcomes.delete(msg.userId, msg.chatId);
      return null;
    }
    const head = ALREADY_DONE_TEXT[outcome.kind as OutcomeKind] ?? '已经办理过了，没有重复操作：';
    return [{ ...outcome.reply, text: `${head}\n${outcome.reply.text}` }];
  },
};
