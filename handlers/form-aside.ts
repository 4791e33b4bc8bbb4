import type { FormEnv } from '../src/domain/intake/form.js';
import { answerQuestion } from '../src/domain/qa/answer.js';
import { INTAKE_OFFER } from '../src/domain/qa/compose.js';
import type { HandlerContext } from '../src/core/context.js';

/** Words only a question about the plan uses, never an answer to a form's question. */
const PLAN_WORDS = /牵头|责任单位|哪个单位|哪些单位|什么单位|哪家单位|归谁管|归哪|谁负责|谁来管|职责|有哪些任务|要做哪些|是什么意思|什么是|定义|算不算|属不属于|属于不属于|属于哪|哪一类|哪类/;

/** 「这样的娃」「这种孩子」「这个娃」: the child the form is about. */
const THIS_CHILD = /这(?:样|种|个|类)的?(?:娃|孩子|小孩|情况|学生|人)?/;

/** A message that reads as a question rather than an answer: a question word or mark. */
// 「A不A」 (算不算、属不属于、能不能) asks as surely as a question mark does.
const LOOKS_LIKE_QUESTION = /[?？]|吗|呢|哪个|哪些|哪家|谁|什么|啥|怎么|咋|如何|是不是|有没有|归.{0,3}管|多久|几次|来着|(\p{Script=Han})不\1/u;

/**
 * The answer to a plan question typed in the middle of any form (FormEnv.answerAside): the form
 * engine shows it and asks its own question again.
 */
export function planAside(ctx: HandlerContext): NonNullable<FormEnv['answerAside']> {
  return (text, answers, opts) => {
    if (!LOOKS_LIKE_QUESTION.test(text)) return undefined;
    if (opts?.strict && !PLAN_WORDS.test(text)) return undefined;
    const a = answerQuestion(ctx.plan, text);
    // Inside a form the offer to start a registration with the facts given has no place: the
    // person is already in one (or in a 走访/结案 about an existing case).
    if (a.matched) return withoutOffer(a.text);
    // 「这样的娃归哪个单位牵头」 asks about the child being registered: each of its categories.
    const codes = Array.isArray(answers.categories) ? (answers.categories as string[]) : [];
    if (!THIS_CHILD.test(text) || !codes.length) return undefined;
    const per = codes.flatMap((code) => {
      const name = ctx.plan.categories.find((c) => c.code === code)?.name;
      if (!name) return [];
      const r = answerQuestion(ctx.plan, text.replace(THIS_CHILD, name));
      return r.matched ? [withoutOffer(r.text)] : [];
    });
    return per.length ? per.join('\n\n') : undefined;
  };
}

function withoutOffer(text: string): string {
  return text.split('\n').filter((l) => l !== INTAKE_OFFER).join('\n');
}
