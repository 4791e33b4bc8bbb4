import { openCaseStatuses, privateCaseLine } from '../src/domain/followup/case-status.js';
import { groupCount } from '../src/domain/followup/small-count.js';
import { command, isText, NOT_MEMBER_TEXT } from './followup-shared.js';
import { casePending } from '../src/domain/intake/pending-fields.js';
import type { Handler } from '../src/core/context.js';

const ASKS = new Set(['我的个案', '我帮扶的个案', '我的帮扶对象', '我负责的个案', '我的对象']);

/**
 * 「我的个案」: the cases the user mentors with last contact and due state — privately only;
 * a group hears counts, since a list of codes with villages next to a name would identify children.
 */
export const myCasesHandler: Handler = {
  name: 'my-cases',
  async handle(ctx) {
    if (!isText(ctx) || !ASKS.has(command(ctx.msg.text))) return null;
    if (!ctx.member) return [{ text: NOT_MEMBER_TEXT }];
    const rows = await openCaseStatuses(ctx.store, ctx.config.followup, ctx.clock.now(), undefined, undefined, { mentorUserId: ctx.msg.userId });
    const count = (s: string) => rows.filter((r) => r.due.state === s).length;
    if (ctx.msg.chatType === 'group') {
      const g = groupCount;
      return [{ text: `您帮扶的在册个案 ${g(rows.length)} 件：已联系 ${g(count('done'))}，待联系 ${g(count('pending'))}，逾期 ${g(count('overdue'))}。详情请私聊我发送「我的个案」。` }];
    }
    if (rows.length === 0) return [{ text: '您目前没有作为帮扶责任人的在册个案。' }];
    const order = { overdue: 0, pending: 1, new: 2, done: 3 } as const;
    rows.sort((a, b) => order[a.due.state] - order[b.due.state] || a.c.code.localeCompare(b.c.code));
    const head = `您帮扶的在册个案 ${rows.length} 件（逾期 ${count('overdue')}，待联系 ${count('pending')}，已联系 ${count('done')}）：`;
    const tip = rows.some((r) => r.due.state !== 'done' && r.due.state !== 'new') ? `\n联系后发「走访 ${rows[0]!.c.code} 电话 情况」记录。` : '';
    // What the reporter did not know at registration stays listed until the mentor completes it.
    const pending = async (code: string) => {
      const c = await ctx.store.cases.getByCode(code);
      const p = c ? casePending(c) : [];
      return p.length ? `；待补充：${p.join('、')}` : '';
    };
    const lines: string[] = [];
    for (const r of rows) lines.push(privateCaseLine(r) + (await pending(r.c.code)));
    return [{ text: [head, ...lines].join('\n') + tip }];
  },
};

