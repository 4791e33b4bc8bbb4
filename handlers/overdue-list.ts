import { openCaseStatuses, overdueCandidatesSince, privateCaseLine } from '../src/domain/followup/case-status.js';
import { groupCount } from '../src/domain/followup/small-count.js';
import { command, isText, NOT_MEMBER_TEXT } from './followup-shared.js';
import type { Handler } from '../src/core/context.js';

const ASKS = new Set(['逾期', '逾期个案', '超期', '超期个案', '超期未联系', '逾期未联系', '逾期名单']);
export const NOT_ALLOWED_OVERDUE_TEXT = '逾期个案清单仅向管理员和牵头单位成员提供。您可发送「我的个案」查看自己帮扶的个案。';

/**
 * 「逾期」: overdue cases for admins (all) and lead-unit members (their units' cases), listed in a
 * private chat; a group hears only the count.
 */
export const overdueListHandler: Handler = {
  name: 'overdue-list',
  async handle(ctx) {
    if (!isText(ctx) || !ASKS.has(command(ctx.msg.text))) return null;
    const member = ctx.member;
    if (!member) return [{ text: NOT_MEMBER_TEXT }];
    const admin = member.role === 'admin';
    const leadsAny = ctx.plan.categories.some((k) => k.leadUnits.includes(member.unit)) || await ctx.store.cases.anyLedBy(member.unit);
    if (!admin && !leadsAny) return [{ text: NOT_ALLOWED_OVERDUE_TEXT }];
    // Only cases with no contact since the previous window began can be overdue: the database
    // skips the rest, and a unit member's scan reads only that unit's cases.
    const at = ctx.clock.now();
    const rows = (await openCaseStatuses(ctx.store, ctx.config.followup, at, undefined, overdueCandidatesSince(at), admin ? {} : { leadUnit: member.unit }))
      .filter((r) => r.due.state === 'overdue')
      .sort((a, b) => b.due.missedInARow - a.due.missedInARow || a.c.code.localeCompare(b.c.code));
    const scope = member.role === 'admin' ? '全镇' : `${member.unit}牵头的`;
    if (ctx.msg.chatType === 'group') {
      return [{ text: `${scope}逾期未联系个案 ${groupCount(rows.length)} 件。清单请私聊我发送「逾期」查看。` }];
    }
    if (rows.length === 0) return [{ text: `${scope}个案目前没有逾期未联系的。` }];
    const lines = rows.map((r) => `${privateCaseLine(r)}，帮扶人：${r.c.mentorName ?? '未指定'}`);
    return [{ text: [`${scope}逾期未联系个案 ${rows.length} 件：`, ...lines].join('\n') }];
  },
};
