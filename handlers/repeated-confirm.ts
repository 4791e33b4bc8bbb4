import { normalizeInput, stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import { parseYesNo } from '../src/domain/parse-zh/yes-no.js';
import { OUTCOME_LIFE_MS } from '../src/domain/ports/store.js';
import type { Handler } from '../src/core/context.js';

const CONFIRM_WORDS = /^(?:确认|确定|保存|提交|确认保存|确认无误|确认提交)$/;

/** Says the outcome is being repeated, so nobody takes it for a second case. */
export const ALREADY_SAVED_TEXT = '这份登记已经保存过了，没有重复保存。保存结果如下：';

/**
 * A confirmation typed again right after a dialog ended — the cadre never saw 「已保存」 because
 * the connection dropped on its way — gets that answer again, not a Q&A miss. Only the message
 * right after the outcome counts: anything else the person says ends the remembering, so a 「是」
 * days later in another context is never answered with an old case.
 */
export const repeatedConfirmHandler: Handler = {
  name: 'repeated-confirm',
  handle(ctx) {
    const { msg, store } = ctx;
    if (msg.kind !== 'text' && msg.kind !== 'button') return null;
    const now = ctx.clock.now();
    const outcome = store.outcomes.get(msg.userId, msg.chatId, new Date(now.getTime() - OUTCOME_LIFE_MS));
    if (!outcome) return null;
    const s = stripEdgePunctuation(normalizeInput(msg.text));
    if (!CONFIRM_WORDS.test(s) && parseYesNo(s) !== true) {
      store.outcomes.delete(msg.userId, msg.chatId);
      return null;
    }
    return [{ ...outcome.reply, text: `${ALREADY_SAVED_TEXT}\n${outcome.reply.text}` }];
  },
};
