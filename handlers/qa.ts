import { readFileSync } from 'node:fs';
import { answerQuestion, attachPlanText, planHeaderOf } from '../src/domain/qa/answer.js';
import type { Handler } from './types.js';

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
    return [{ text: a.text }];
  },
};
