import type { Reply } from '../src/domain/model/message.js';
import { mayManage } from '../src/domain/followup/access.js';
import { CLOSE_FORM_ID, CLOSE_RESUME_MARK as RESUME_MARK, closeForm, shownReason } from '../src/domain/followup/close-form.js';
import { currentPrompt, handleInput, startForm, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import type { FormDef } from '../src/domain/intake/form.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import type { CaseRecord } from '../src/domain/model/records.js';
import { caseCommand, concerned, isText, MANAGERS, privateCaseName, refuseCase, tell } from './followup-shared.js';
import { promptMandatoryReport } from './mandatory-report-prompt.js';
import { rememberOutcome } from './repeated-confirm.js';
import { shortDialogAlive, settleShortForm, shortFormEnv, startCaseForm } from './short-dialog.js';
import { NEEDS_DIALOG, type DialogKind } from '../src/core/dialogs.js';
import type { HandlerContext } from '../src/core/context.js';

const TRIGGER = /^(?:结案|销号|个案结案)(?=$|[\s:：,，]|[A-Za-z])/;
export const NOT_ALLOWED_CLOSE_TEXT = '只有管理员或该个案牵头单位的成员可以结案。';

async function check(ctx: HandlerContext, code: string): Promise<CaseRecord | Reply[]> {
  const c = await ctx.store.cases.getByCode(code);
  if (!c || !mayManage(c, ctx.member)) return refuseCase(ctx, code, '结案', Boolean(c), MANAGERS);
  if (c.status === 'closed') return [{ text: `个案 ${code} 已经结案。` }];
  return c;
}

const formFor = (ctx: HandlerContext): FormDef => closeForm({ group: ctx.msg.chatType === 'group' });

async function doClose(ctx: HandlerContext, code: string, reason: string): Promise<Reply[]> {
  // Checked again: the case or the sender's rights may have changed while the dialog was open.
  const c = await check(ctx, code);
  if (Array.isArray(c)) return c;
  const now = ctx.clock.now();
  await ctx.store.followup.close(c.id, reason, now);
  await ctx.store.audit.append({ at: now, actor: ctx.msg.userId, action: 'close', caseCode: c.code, detail: reason.slice(0, 3) });
  const label = reason.slice(4);
  const by = ctx.member?.name ?? ctx.msg.userId;
  for (const m of concerned(ctx, c)) {
    await tell(ctx, m.userid, `个案 ${privateCaseName(c)}已由 ${by} 结案，原因：${label}。今后不再提醒走访。`, 'case.closed', `case.closed:${c.code}:${m.userid}`);
  }
  const reply = { text: `个案 ${c.code} 已结案（${shownReason(reason, ctx.msg.chatType === 'group')}），已通知帮扶责任人和牵头单位。` };
  // Should this answer be lost on its way, a 「确认」 typed again gets it again (repeated-confirm).
  await rememberOutcome(ctx, 'case.closed', reply, now);
  return [reply];
}

/**
 * The words written for 其他 are a note on the case like a contact note, so they are checked for
 * must-report signs when written (once, when the reason is set or changed), before the case can
 * be closed on them: the notice comes with the confirmation question.
 */
async function reportOnReason(ctx: HandlerContext, r: EngineResult, before: unknown): Promise<void> {
  const reason = r.state.answers.reason;
  if (r.outcome !== 'continue' || typeof reason !== 'string' || reason === before || !reason.startsWith('C99')) return;
  const detail = reason.split('：').slice(1).join('：').trim();
  const c = detail ? await ctx.store.cases.getByCode(String(r.state.answers.code)) : undefined;
  if (!c) return;
  const report = await promptMandatoryReport(ctx, c, detail, 'close');
  if (report) r.reply = { ...r.reply, text: `${r.reply.text}${report}` };
}

/** Saves, closes or ends the dialog after one step of the form. */
function settle(ctx: HandlerContext, r: EngineResult, opts: { once: boolean; createdAt?: Date }): Promise<Reply[] | typeof NEEDS_DIALOG> {
  return settleShortForm(ctx, CLOSE_FORM_ID, r, opts, (a) => doClose(ctx, String(a.code), String(a.reason)));
}

/**
 * 「结案 DJ-2026-0001 已入学」: close with a coded reason (docs/domain-rules.md §5.2), after a confirmation.
 * The reason, 其他's words and the confirmation are the steps of the close form.
 */
export const closeDialog: DialogKind = {
  formId: CLOSE_FORM_ID,
  title: '结案',
  resumeMark: RESUME_MARK,
  action: '办理结案',
  keepsAgainstNew: false,
  starts: (ctx) => isText(ctx) && TRIGGER.test(normalizeInput(ctx.msg.text)),
  async start(ctx, { once }) {
    const cmd = await caseCommand(ctx, TRIGGER);
    if (cmd === null) return [];
    if (Array.isArray(cmd)) return cmd;
    const { found } = cmd;
    if (!found) return [{ text: '请写明个案编号和原因，例如「结案 DJ-2026-0001 已入学」。' }];
    const c = await check(ctx, found.code);
    if (Array.isArray(c)) return c;
    const r = await startCaseForm(ctx, formFor(ctx), c.code, found.rest);
    await reportOnReason(ctx, r, undefined);
    return settle(ctx, r, { once });
  },
  alive: shortDialogAlive,
  async answer(ctx, session) {
    if (!isText(ctx)) return null;
    const before = (session.state as EngineState).answers.reason;
    const r = await handleInput(formFor(ctx), session.state as EngineState, ctx.msg.text, shortFormEnv(ctx));
    await reportOnReason(ctx, r, before);
    const replies = await settle(ctx, r, { once: false, createdAt: session.createdAt });
    return replies === NEEDS_DIALOG ? null : replies;
  },
  pending: async (ctx, session) => currentPrompt(formFor(ctx), session.state as EngineState, shortFormEnv(ctx)),
};

/**
 * A closing dialog saved by the hand-written state machine before this form existed (its step
 * 'reason', 'detail' or 'confirm'): the same point of the close form.
 */
export async function adoptCloseDialog(ctx: HandlerContext, legacy: Record<string, unknown>): Promise<EngineState | undefined> {
  if (typeof legacy.code !== 'string') return undefined;
  const given = { code: legacy.code, ...(legacy.step === 'confirm' && typeof legacy.reason === 'string' ? { reason: legacy.reason } : {}) };
  const { state } = await startForm(formFor(ctx), shortFormEnv(ctx), '', given);
  if (legacy.step === 'detail') state.partial = { reason: 'C99 其他' };
  return state;
}
