import { parseScreeningReply, SCREENING_TRIGGER } from '../src/domain/followup/screening-reply.js';
import { groupCount } from '../src/domain/followup/small-count.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import { monthKey } from '../src/domain/calendar/shanghai.js';
import { isText, NOT_MEMBER_TEXT } from './followup-shared.js';
import type { Handler } from '../src/core/context.js';

export const SCREENING_FORMAT_TEXT = '请按格式上报本月风险隐患排查情况：「排查上报 本月无新增风险」，或「排查上报 新增2 高风险1」（高风险人数包含在新增人数内）。';

/**
 * 「排查上报 …」: a unit's answer to the month's risk-screening dispatch, recorded for the
 * sender's unit and the current month; a second report that month replaces the first.
 */
export const screeningReportHandler: Handler = {
  name: 'screening-report',
  handle(ctx) {
    if (!isText(ctx)) return null;
    const text = normalizeInput(ctx.msg.text);
    if (!SCREENING_TRIGGER.test(text)) return null;
    if (!ctx.member) return [{ text: NOT_MEMBER_TEXT }];
    const r = parseScreeningReply(text);
    if (!r.ok) return [{ text: SCREENING_FORMAT_TEXT }];
    const now = ctx.clock.now();
    const period = monthKey(now);
    const replaced = ctx.store.followup.screenings(period).some((s) => s.unit === ctx.member!.unit);
    ctx.store.followup.saveScreening({ period, unit: ctx.member.unit, userId: ctx.msg.userId, newRisks: r.newRisks, highRisks: r.highRisks, reportedAt: now });
    const n = ctx.msg.chatType === 'group' ? groupCount : String;
    const what = r.newRisks === 0 ? '本月无新增风险' : `新增风险 ${n(r.newRisks)} 人，其中高风险 ${n(r.highRisks)} 人`;
    return [{ text: `已${replaced ? '更新' : '记录'} ${ctx.member.unit} ${period} 风险隐患排查上报：${what}。` }];
  },
};
