import { readFileSync } from 'node:fs';
import { answerQuestion, attachPlanText, planHeaderOf } from '../src/domain/qa/answer.js';
import type { Handler } from '../src/core/context.js';

export const SITUATION_IN_PRIVATE_TEXT =
  '这条消息像是在描述一个孩子的情况。为保护未成年人隐私，群里不分析具体孩子；请在与我的私聊中发送同样的描述，我会按实施方案说明属于哪一类、由哪个单位牵头，并可直接开始登记。';

/**
 * The fallback: every message no other handler took is a question about the plan. It always
 * answers — from the matrix with its clause, or with 「实施方案中没有相关规定」 and what it can answer.
 * Only the intent is logged, never the question (it may name a child).
 */
export const qaHandler: Handler = {
  name: 'qa',
  handle(ctx) {
    // The notice around the plan (date, issuers, recipients) is read from the plan file once.
    if (!planHeaderOf(ctx.plan)) {
      try {
        attachPlanText(ctx.plan, readFileSync(ctx.config.planPath, 'utf8'));
      } catch {
        attachPlanText(ctx.plan, '');
      }
    }
    const a = answerQuestion(ctx.plan, ctx.msg.kind === 'text' || ctx.msg.kind === 'button' ? ctx.msg.text : '');
    ctx.log.debug({ msgId: ctx.msg.id, intent: a.intent, matched: a.matched }, 'qa answered');
    // A described child is analysed only in private: in a group the answer would name the
    // category, the offence or the parent's situation of a child the group may recognise.
    if (a.situation?.specific && ctx.msg.chatType === 'group') return [{ text: SITUATION_IN_PRIVATE_TEXT }];
    return [{ text: a.text }];
  },
};
