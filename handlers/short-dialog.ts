import type { Reply } from '../src/domain/model/message.js';
import type { Answers, FormDef, FormEnv } from '../src/domain/intake/form.js';
import { handleInput, startForm, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import { NEEDS_DIALOG } from '../src/core/dialogs.js';
import type { FormSessionRecord } from '../src/domain/model/records.js';
import type { HandlerContext } from '../src/core/context.js';
import { DIALOG_IDLE_MS } from './followup-shared.js';
import { planAside } from './form-aside.js';

/**
 * What the short follow-up dialogs (走访, 结案) share: their session row, their 30-minute life
 * and the environment their form runs in.
 */

export function shortFormEnv(ctx: HandlerContext): FormEnv {
  return {
    now: ctx.clock.now(),
    villages: ctx.config.villages,
    members: ctx.config.members,
    plan: ctx.plan,
    ...(ctx.member ? { reporter: ctx.member } : {}),
    answerAside: planAside(ctx),
  };
}

/**
 * A short form started from a command that names its case (「结案 DJ-… 已入学」): the code is set
 * without comment, and what follows it in the message answers the form's next question.
 */
export async function startCaseForm(ctx: HandlerContext, form: FormDef, code: string, rest: string): Promise<EngineResult> {
  const env = shortFormEnv(ctx);
  const r = await startForm(form, env, '', { code });
  return rest.trim() ? handleInput(form, r.state, rest, env) : r;
}

export async function saveShortDialog(ctx: HandlerContext, formId: string, state: EngineState, createdAt?: Date): Promise<void> {
  const now = ctx.clock.now();
  const { userId, chatId } = ctx.msg;
  await ctx.store.sessions.save({ userId, chatId, formId, status: 'active', state, startedIn: chatId, createdAt: createdAt ?? now, lastActiveAt: now });
}

/** A short dialog left alone for 30 minutes is dropped: the next message is read as if none were open. */
export async function shortDialogAlive(ctx: HandlerContext, session: FormSessionRecord): Promise<boolean> {
  if (ctx.clock.now().getTime() - session.lastActiveAt.getTime() <= DIALOG_IDLE_MS) return true;
  await ctx.store.sessions.delete(session.userId, session.chatId);
  return false;
}

/**
 * Ends this form's dialog in the sender's chat. Only its own row: a command done in one message
 * next to an open registration (src/core/dialogs.ts) must leave the registration alone.
 */
export async function endShortDialog(ctx: HandlerContext, formId: string): Promise<void> {
  const { userId, chatId } = ctx.msg;
  if ((await ctx.store.sessions.get(userId, chatId))?.formId === formId) await ctx.store.sessions.delete(userId, chatId);
}

/**
 * After one step of a short form: done (submitted: `submit` acts on the answers) or cancelled
 * ends its row; otherwise the form is kept for the next message, unless the command was tried in
 * one message (`once`, next to an open registration), which it could not finish.
 */
export async function settleShortForm(
  ctx: HandlerContext,
  formId: string,
  r: EngineResult,
  opts: { once: boolean; createdAt?: Date },
  submit: (answers: Answers) => Promise<Reply[]>,
): Promise<Reply[] | typeof NEEDS_DIALOG> {
  if (r.outcome === 'submit') {
    await endShortDialog(ctx, formId);
    return submit(r.state.answers);
  }
  if (r.outcome === 'cancelled') {
    await endShortDialog(ctx, formId);
    return [r.reply];
  }
  if (opts.once) return NEEDS_DIALOG;
  await saveShortDialog(ctx, formId, r.state, opts.createdAt);
  return [r.reply];
}
