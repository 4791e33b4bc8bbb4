import type { Reply } from '../src/domain/model/message.js';
import { mayManage } from '../src/domain/followup/access.js';
import { REASSIGN_FORM_ID, REASSIGN_RESUME_MARK, reassignForm } from '../src/domain/followup/reassign-form.js';
import { currentPrompt, handleInput, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import type { FormDef } from '../src/domain/intake/form.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import type { CaseRecord } from '../src/domain/model/records.js';
import { caseCommand, isText, MANAGERS, privateCaseName, refuseCase, tell } from './followup-shared.js';
import { shortDialogAlive, settleShortForm, shortFormEnv, startCaseForm } from './short-dialog.js';
import { NEEDS_DIALOG, type DialogKind } from '../src/core/dialogs.js';
import type { HandlerContext } from '../src/core/context.js';

const TRIGGER = /^(?:更换帮扶人|更换帮扶责任人|更改帮扶人|调整帮扶人|换帮扶人)(?=$|[\s:：,，]|[A-Za-z])/;
export const NOT_ALLOWED_REASSIGN_TEXT = '只有管理员或该个案牵头单位的成员可以更换帮扶责任人。';

async function check(ctx: HandlerContext, code: string): Promise<CaseRecord | Reply[]> {
  const c = await ctx.store.cases.getByCode(code);
  if (!c || !mayManage(c, ctx.member)) return refuseCase(ctx, code, '更换帮扶人', Boolean(c), MANAGERS);
  if (c.status === 'closed') return [{ text: `个案 ${c.code} 已结案，无需更换帮扶人。` }];
  return c;
}

const formFor = (ctx: HandlerContext): FormDef =>
  reassignForm({ members: ctx.config.members, mentorOf: async (code) => (await ctx.store.cases.getByCode(code))?.mentorUserId ?? null, group: ctx.msg.chatType === 'group' });

/** Gives the case to the new mentor and tells the new and the old mentor privately. */
async function reassign(ctx: HandlerContext, code: string, userid: string): Promise<Reply[]> {
  // Checked again: the case or the sender's rights may have changed while the dialog was open.
  const c = await check(ctx, code);
  if (Array.isArray(c)) return c;
  const to = ctx.config.members.find((m) => m.userid === userid)!;
  if (to.userid === c.mentorUserId) return [{ text: `${to.name} 已经是个案 ${c.code} 的帮扶责任人。` }];
  const now = ctx.clock.now();
  const old = c.mentorUserId;
  await ctx.store.followup.reassign(c.id, to.userid, to.name, now);
  await ctx.store.audit.append({ at: now, actor: ctx.msg.userId, action: 'change', caseCode: c.code, detail: 'mentor' });
  const by = ctx.member?.name ?? ctx.msg.userId;
  const stamp = now.toISOString();
  if (to.userid !== ctx.msg.userId) {
    await tell(ctx, to.userid, `${by} 将个案 ${privateCaseName(c)}交由您帮扶，请每月至少联系一次，联系后发「走访 ${c.code} 方式 情况」记录。`, 'case.reassigned', `case.reassigned:${c.code}:${to.userid}:${stamp}`);
  }
  if (old && old !== ctx.msg.userId) {
    await tell(ctx, old, `${by} 已将个案 ${c.code} 改由 ${to.name} 帮扶，您不再负责该个案，谢谢您的付出。`, 'case.reassigned', `case.reassigned:${c.code}:${old}:${stamp}`);
  }
  return [{ text: `个案 ${c.code} 的帮扶责任人已改为 ${to.name}，已私信通知相关人员。` }];
}

function settle(ctx: HandlerContext, r: EngineResult, opts: { once: boolean; createdAt?: Date }): Promise<Reply[] | typeof NEEDS_DIALOG> {
  return settleShortForm(ctx, REASSIGN_FORM_ID, r, opts, (a) => reassign(ctx, String(a.code), String(a.mentor)));
}

/**
 * 「更换帮扶人 DJ-2026-0001 王五」: gives the case to another configured member (name matched
 * loosely) in one message; without a name that can be found, the form asks for it.
 */
export const reassignDialog: DialogKind = {
  formId: REASSIGN_FORM_ID,
  title: '更换帮扶人',
  resumeMark: REASSIGN_RESUME_MARK,
  action: '更换帮扶人',
  keepsAgainstNew: false,
  starts: (ctx) => isText(ctx) && TRIGGER.test(normalizeInput(ctx.msg.text)),
  async start(ctx, { once }) {
    const cmd = await caseCommand(ctx, TRIGGER);
    if (cmd === null) return [];
    if (Array.isArray(cmd)) return cmd;
    const { found } = cmd;
    if (!found) return [{ text: '请写明个案编号和新的帮扶责任人，例如「更换帮扶人 DJ-2026-0001 王五」。' }];
    const c = await check(ctx, found.code);
    if (Array.isArray(c)) return c;
    const r = await startCaseForm(ctx, formFor(ctx), c.code, found.rest);
    return settle(ctx, r, { once });
  },
  alive: shortDialogAlive,
  async answer(ctx, session) {
    if (!isText(ctx)) return null;
    const r = await handleInput(formFor(ctx), session.state as EngineState, ctx.msg.text, shortFormEnv(ctx));
    const replies = await settle(ctx, r, { once: false, createdAt: session.createdAt });
    return replies === NEEDS_DIALOG ? null : replies;
  },
  pending: async (ctx, session) => currentPrompt(formFor(ctx), session.state as EngineState, shortFormEnv(ctx)),
};
