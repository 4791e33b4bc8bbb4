import type { Reply } from '../src/domain/model/message.js';
import { caseCodeOf } from '../src/domain/followup/contact-message.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import { canOpenSealed, canViewCase, isSchoolUnit } from '../src/domain/security/access.js';
import { renderCaseView } from '../src/domain/security/case-view.js';
import { isSealedCase } from '../src/domain/security/sealed.js';
import { acceptViewReason, MIN_FREE_REASON, VIEW_REASON_LIST } from '../src/domain/security/view-reasons.js';
import type { Handler } from '../src/core/context.js';

export const VIEW_IN_PRIVATE_TEXT = '个案详情只能在与我的私聊中查看，请私聊我发送「查看 个案编号」。';
export const VIEW_NOT_ENABLED_TEXT = '个案信息仅对已开通的工作人员开放，请联系镇团委管理员开通。';
const MAX_REASON = 100;

/** 「查看 DJ-2026-0001」, 「查看个案 dj-2026-1 完整 核实监护人联系方式」 … */
const VIEW = /^查看\s*(?:个案)?\s*([A-Za-z]{1,6})\s*-\s*(\d{4})\s*-\s*(\d{1,9})\s*(完整|全部|封存)?\s*[：:，,]?\s*(.*)$/s;

export interface ViewCommand {
  code: string;
  full: boolean;
  reason: string;
}

export function parseViewCommand(text: string): ViewCommand | undefined {
  const m = VIEW.exec(normalizeInput(text));
  if (!m) return undefined;
  const [, prefix, year, serial, full, reason] = m;
  return { code: caseCodeOf(prefix!, year!, serial!), full: Boolean(full), reason: reason!.trim() };
}

/**
 * Shows one case in a private chat to the people allowed to see it (docs/domain-rules.md P5, P6). Every
 * look is audited; full identity and sealed details need a stated reason, which is audited
 * with it. A group never gets case details, not even for an allowed viewer.
 */
export const caseViewHandler: Handler = {
  name: 'case-view',
  async handle(ctx) {
    const { msg, store, config, plan, clock, member } = ctx;
    if (msg.kind !== 'text' && msg.kind !== 'button') return null;
    const cmd = parseViewCommand(msg.text);
    if (!cmd) return null;
    if (msg.chatType === 'group') return [{ text: VIEW_IN_PRIVATE_TEXT }];
    const now = clock.now();
    if (!member) {
      // Refused attempts by anyone are audited, people not in the config included.
      await store.audit.append({ at: now, actor: msg.userId, action: 'denied', caseCode: cmd.code, detail: 'view: not a member' });
      return [{ text: VIEW_NOT_ENABLED_TEXT }];
    }
    const c = await store.cases.getByCode(cmd.code);
    if (!c || !canViewCase(member, c, plan)) {
      await store.audit.append({ at: now, actor: member.userid, action: 'view', caseCode: cmd.code, detail: c ? 'denied' : 'not-found' });
      // The same answer for "no such case" and "not yours", so codes cannot be probed.
      return [{ text: `没有找到您可以查看的个案 ${cmd.code}。请核对编号；只有登记人、帮扶责任人、相关单位和管理员可以查看。` }];
    }
    const reason = cmd.full ? acceptViewReason(cmd.reason) : null;
    if (cmd.full && reason === null) {
      await store.audit.append({ at: now, actor: member.userid, action: 'denied', caseCode: c.code, detail: 'view-full: no reason' });
      return [{ text: `查看完整身份信息需要说明原因，请发送「查看 ${c.code} 完整 原因」。原因可写序号或下列之一，或用至少 ${MIN_FREE_REASON} 个字写明具体用途：\n${VIEW_REASON_LIST}` }];
    }
    if (cmd.full && [...cmd.reason].length > MAX_REASON) return [{ text: `原因请简要说明，不超过 ${MAX_REASON} 个字。` }];
    const school = isSchoolUnit(member.unit);
    const sealedAllowed = canOpenSealed(member, config) && !school;
    const sealedOpen = cmd.full && sealedAllowed && isSealedCase(c);
    const text = renderCaseView(c, { plan, now, full: cmd.full, school, sealedOpen, sealedAllowed });
    await store.audit.append({
      at: now,
      actor: member.userid,
      action: sealedOpen ? 'view-sealed' : cmd.full ? 'view-full' : 'view',
      caseCode: c.code,
      reason,
      detail: cmd.full ? (sealedOpen ? 'identity,sealed' : 'identity') : 'masked',
    });
    const reply: Reply = { text };
    return [reply];
  },
};
