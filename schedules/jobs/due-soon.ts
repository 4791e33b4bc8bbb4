import type { LoadedConfig } from '../../src/config/load.js';
import { privateCaseLine, type CaseStatus } from '../../src/domain/followup/case-status.js';
import { sendInChunks, statusesInChunks } from './chunks.js';
import type { JobDef } from '../job.js';
import { localDateKey, parsePeriod } from '../../src/domain/calendar/shanghai.js';
import { admins } from './recipients.js';
import { push } from './send.js';
import { appendTo } from './append-to.js';

export const DUE_SOON = 'due-soon';

/** Cases that still need this window's contact, and whose window ends this month. */
function needsContact(s: CaseStatus, at: Date): boolean {
  if (s.due.state !== 'pending' && s.due.state !== 'overdue') return false;
  return s.due.current.end.slice(0, 7) === localDateKey(at).slice(0, 7);
}

/** Day 20: each mentor hears privately which of their cases have no contact logged yet this month. */
export function dueSoonJob(cfg: LoadedConfig): JobDef {
  const c = cfg.followup;
  return {
    name: DUE_SOON,
    title: '走访到期提醒（本月尚未联系的个案，私信帮扶人）',
    cadence: { every: 'month', day: c.dueSoon.day, time: c.dueSoon.time },
    workdaysOnly: c.workdaysOnly,
    staleAfterDays: 8,
    // In chunks (see JobDef.run and overdue.ts).
    async *run(ctx) {
      // Only cases with no contact since the 1st of this month can still need one this month.
      const rows = yield* statusesInChunks(ctx, `${localDateKey(ctx.at).slice(0, 7)}-01`, (s) => needsContact(s, ctx.at));
      const byMentor = new Map<string, CaseStatus[]>();
      const orphans: CaseStatus[] = [];
      for (const s of rows) {
        const m = s.c.mentorUserId;
        if (!m) orphans.push(s);
        else appendTo(byMentor, m, s);
      }
      const month = `${parsePeriod(ctx.period).firstMonth}月`;
      yield* sendInChunks(byMentor, privateCaseLine, async (userId, list, lines) => {
        const text = [`【走访提醒】您帮扶的以下 ${list.length} 件个案${month}还没有联系记录，请在月底前联系并发送「走访 编号 方式 情况」记录：`, ...lines].join('\n');
        await push(ctx, DUE_SOON, { kind: 'user', id: userId }, text);
      });
      if (orphans.length) {
        const text = [`【走访提醒】以下 ${orphans.length} 件个案没有帮扶责任人，${month}也还没有联系记录，请发送「更换帮扶人 编号 姓名」指定：`, ...orphans.map(privateCaseLine)].join('\n');
        for (const a of admins(ctx.config)) await push(ctx, DUE_SOON, { kind: 'user', id: a.userid }, text, 'orphans');
      }
      return `待联系 ${rows.length} 件，提醒帮扶人 ${byMentor.size} 人`;
    },
  };
}
