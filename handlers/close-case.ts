import type { Reply } from '../src/domain/model/message.js';
import { mayManage } from '../src/domain/followup/access.js';
import { CLOSE_REASON_CHOICES, CLOSE_REASON_LIST, formatCloseReason, parseCloseReason } from '../src/domain/followup/close-reasons.js';
import { parseYesNo } from '../src/domain/parse-zh/yes-no.js';
import type { CaseRecord } from '../src/domain/model/records.js';
import { caseCommand, command, concerned, MANAGERS, privateCaseName, refuseCase, tell } from './followup-shared.js';
import { promptMandatoryReport } from './mandatory-report-prompt.js';
import type { Handler, HandlerContext } from '../src/core/context.js';
import { rememberOutcome } from './repeated-confirm.js';

export interface CloseDialog {
  kind: 'close';
  code: string;
  step: 'reason' | 'detail' | 'confirm';
  reason?: string;
}

const TRIGGER = /^(?:结案|销号|个案结案)(?=$|[\s:：,，]|[A-Za-z])/;
export const NOT_ALLOWED_CLOSE_TEXT = '只有管理员或该个案牵头单位的成员可以结案。';
const ASK_REASON = `请选择结案原因（回复序号或原因；「其他」请写明具体原因）：\n${CLOSE_REASON_LIST}`;
const CONFIRM_CHOICES = [{ label: '确认', value: '确认' }, { label: '取消', value: '取消' }];

function check(ctx: HandlerContext, code: string): CaseRecord | Reply[] {
  const c = ctx.store.cases.getByCode(code);
  if (!c || !mayManage(c, ctx.member)) return refuseCase(ctx, code, '结案', Boolean(c), MANAGERS);
  if (c.status === 'closed') return [{ text: `个案 ${code} 已经结案。` }];
  return c;
}

/** The reason as it may be shown here: in a group only its label, never the words typed for 其他. */
const shownReason = (ctx: HandlerContext, reason: string): string => (ctx.msg.chatType === 'group' ? reason.slice(4).split('：')[0]! : reason.slice(4));

/**
 * Asks to confirm. The words written for 其他 are a note on the case like a contact note, so they
 * are checked for must-report signs when written, before the case can be closed on them.
 */
function askConfirm(ctx: HandlerContext, code: string, reason: string, detail: string | null): Reply[] {
  ctx.store.followup.saveDialog(ctx.msg.userId, ctx.msg.chatId, { kind: 'close', code, step: 'confirm', reason } satisfies CloseDialog, ctx.clock.now());
  const c = detail ? ctx.store.cases.getByCode(code) : null;
  const report = c ? promptMandatoryReport(ctx, c, detail!, 'close') : '';
  return [{ text: `确认将个案 ${code} 结案？原因：${shownReason(ctx, reason)}。结案后不再提醒走访。请回复「确认」或「取消」。${report}`, choices: CONFIRM_CHOICES }];
}

/** Reads a reason; asks again (dialog unchanged) when it is not one of the coded reasons. */
function takeReason(ctx: HandlerContext, code: string, text: string, step: CloseDialog['step']): Reply[] {
  const r = parseCloseReason(text);
  if (r.ok) return askConfirm(ctx, code, formatCloseReason(r.reason, r.detail), r.detail);
  const now = ctx.clock.now();
  if (r.why === 'needs-detail') {
    ctx.store.followup.saveDialog(ctx.msg.userId, ctx.msg.chatId, { kind: 'close', code, step: 'detail' } satisfies CloseDialog, now);
    return [{ text: '请写明「其他」的具体原因（不写他人姓名）。' }];
  }
  ctx.store.followup.saveDialog(ctx.msg.userId, ctx.msg.chatId, { kind: 'close', code, step }, now);
  // What was typed is never repeated in a group (it may name the child).
  const echo = ctx.msg.chatType === 'group' ? '' : `「${text.trim()}」`;
  return [{ text: step === 'reason' && text.trim() ? `没有识别出结案原因${echo}。${ASK_REASON}` : ASK_REASON, choices: CLOSE_REASON_CHOICES }];
}

function doClose(ctx: HandlerContext, d: CloseDialog): Reply[] {
  const c = check(ctx, d.code);
  if (Array.isArray(c)) return c;
  const now = ctx.clock.now();
  ctx.store.followup.close(c.id, d.reason!, now);
  ctx.store.audit.append({ at: now, actor: ctx.msg.userId, action: 'close', caseCode: c.code, detail: d.reason!.slice(0, 3) });
  const label = d.reason!.slice(4);
  const by = ctx.member?.name ?? ctx.msg.userId;
  for (const m of concerned(ctx, c)) {
    tell(ctx, m.userid, `个案 ${privateCaseName(c)}已由 ${by} 结案，原因：${label}。今后不再提醒走访。`, 'case.closed', `case.closed:${c.code}:${m.userid}`);
  }
  const reply = { text: `个案 ${c.code} 已结案（${shownReason(ctx, d.reason!)}），已通知帮扶责任人和牵头单位。` };
  // Should this answer be lost on its way, a 「确认」 typed again gets it again (repeated-confirm).
  rememberOutcome(ctx, 'case.closed', reply, now);
  return [reply];
}

export function continueClose(ctx: HandlerContext, d: CloseDialog): Reply[] {
  const text = ctx.msg.text;
  if (command(text) === '取消') {
    ctx.store.followup.deleteDialog(ctx.msg.userId, ctx.msg.chatId);
    return [{ text: `已取消，个案 ${d.code} 未结案。` }];
  }
  if (d.step === 'reason') return takeReason(ctx, d.code, text, 'reason');
  if (d.step === 'detail') {
    const detail = command(text);
    return detail ? askConfirm(ctx, d.code, formatCloseReason({ code: 'C99', label: '其他', aliases: [] }, detail), detail) : [{ text: '请写明「其他」的具体原因。' }];
  }
  const yes = command(text) === '确认' || parseYesNo(text) === true;
  if (!yes) {
    if (parseYesNo(text) === false) {
      ctx.store.followup.deleteDialog(ctx.msg.userId, ctx.msg.chatId);
      return [{ text: `已取消，个案 ${d.code} 未结案。` }];
    }
    return [{ text: '请回复「确认」结案，或「取消」。', choices: CONFIRM_CHOICES }];
  }
  ctx.store.followup.deleteDialog(ctx.msg.userId, ctx.msg.chatId);
  return doClose(ctx, d);
}

/** 「结案 DJ-2026-0001 已入学」: close with a coded reason (domain.md §5.2), after a confirmation. */
export const closeCaseHandler: Handler = {
  name: 'close-case',
  handle(ctx) {
    const cmd = caseCommand(ctx, TRIGGER);
    if (cmd === null || Array.isArray(cmd)) return cmd;
    const { found } = cmd;
    if (!found) return [{ text: '请写明个案编号和原因，例如「结案 DJ-2026-0001 已入学」。' }];
    const c = check(ctx, found.code);
    if (Array.isArray(c)) return c;
    return takeReason(ctx, c.code, found.rest, 'reason');
  },
};
