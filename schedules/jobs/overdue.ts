import type { LoadedConfig } from '../../src/config/load.js';
import { overdueCandidatesSince, privateCaseLine, type CaseStatus } from '../../src/domain/followup/case-status.js';
import { sendInChunks, statusesInChunks } from './chunks.js';
import { groupCount } from '../../src/domain/followup/small-count.js';
import type { JobDef } from '../job.js';
import { parsePeriod, periodRange, previousPeriod } from '../../src/domain/calendar/shanghai.js';
import { admins, broadcastGroups } from './recipients.js';
import { push } from './send.js';
import { appendTo } from './append-to.js';

export const OVERDUE = 'overdue';

/** List entries (a case for a lead unit's member) written between two turns of the event loop. */
const ESCALATION_ENTRIES_PER_CHUNK = 20_000;

/**
 * Cases listed in one member's 督办 message; the rest are counted, and 「逾期」 in a private chat
 * lists them all. A county's lead-unit member can have thousands: a message that long arrives as
 * dozens of parts nobody reads, and building thousands of them at once was a county run's memory peak.
 */
export const ESCALATION_LIST_MAX = 50;

/**
 * Group text: the town-wide count with small counts suppressed; no codes, units or villages,
 * since any of them next to a count in a group is a step towards a name.
 */
export function overdueGroupText(rows: CaseStatus[], label: string): string {
  if (rows.length === 0) return `【逾期通报】${label}所有在册个案都已按期联系，谢谢大家。`;
  // The town-wide count only: a count per lead unit gives the category away, one per village
  // narrows down the child (see quarterlyMarkdown). Mentors and lead units get their lists privately.
  return [
    `【逾期通报】${label}未按期联系的个案共 ${groupCount(rows.length)} 件。`,
    '帮扶责任人已收到私信清单；联系后发「走访 编号 方式 情况」即可。',
  ].join('\n');
}

/**
 * The 1st: mentors get their overdue cases privately; broadcast groups a masked tally; cases
 * missed two windows in a row (or with no mentor) go to the lead units' members by case code.
 */
export function overdueJob(cfg: LoadedConfig): JobDef {
  const c = cfg.followup;
  return {
    name: OVERDUE,
    title: '逾期通报（私信帮扶人，群内按单位/村计数，连续两期逾期报牵头单位）',
    cadence: { every: 'month', day: c.overdue.day, time: c.overdue.time },
    workdaysOnly: c.workdaysOnly,
    staleAfterDays: 20,
    // The bulletin on the 1st is about the month before.
    reportsOn: (period) => periodRange(previousPeriod(period)),
    // In chunks (see JobDef.run): a county's 1st reads thousands of candidates and writes a
    // message per mentor; every message's dedupe key makes a rerun after a crash send nothing twice.
    async *run(ctx) {
      const rows = yield* statusesInChunks(ctx, overdueCandidatesSince(ctx.at, ctx.config.followup), (s) => s.due.state === 'overdue');
      const byMentor = new Map<string, CaseStatus[]>();
      for (const s of rows) if (s.c.mentorUserId) appendTo(byMentor, s.c.mentorUserId, s);
      yield* sendInChunks(byMentor, privateCaseLine, async (userId, list, lines) =>
        void await push(ctx, OVERDUE, { kind: 'user', id: userId }, [`【逾期提醒】您帮扶的以下 ${list.length} 件个案上期没有联系记录，请尽快联系并记录：`, ...lines].join('\n')),
      );
      const label = `${parsePeriod(previousPeriod(ctx.period)).firstMonth}月`;
      for (const g of broadcastGroups(ctx.config)) await push(ctx, OVERDUE, g, overdueGroupText(rows, label));
      const escalate = rows.filter((s) => s.due.missedInARow >= 2 || !s.c.mentorUserId);
      const byMember = new Map<string, CaseStatus[]>();
      // Members by unit once: a county has thousands of members and thousands of escalations.
      const ofUnit = new Map<string, typeof ctx.config.members>();
      // A village cadre is in their village's unit too (inUnit): a plan's 各村 leads by village.
      for (const m of ctx.config.members) {
        appendTo(ofUnit, m.unit, m);
        if (m.village !== undefined && m.village !== m.unit) appendTo(ofUnit, m.village, m);
      }
      // Who hears of a case depends only on its lead units: worked out once per combination. A
      // unit's members each get all of its cases, which at county size is millions of list
      // entries, so the loop also gives the event loop its turn as it goes.
      const audience = new Map<string, readonly { userid: string }[]>();
      let entries = 0;
      for (const s of escalate) {
        const units = [...new Set(s.c.categories.flatMap((k) => k.leadUnits))].sort();
        const key = units.join('\u0000');
        let people = audience.get(key);
        if (!people) {
          const found = new Map(units.flatMap((u) => ofUnit.get(u) ?? []).map((m) => [m.userid, m] as const));
          people = found.size ? [...found.values()] : admins(ctx.config);
          audience.set(key, people);
        }
        for (const m of people) appendTo(byMember, m.userid, s);
        entries += people.length;
        if (entries >= ESCALATION_ENTRIES_PER_CHUNK) {
          entries = 0;
          yield;
        }
      }
      yield* sendInChunks(
        byMember,
        (s) => `${privateCaseLine(s)}，帮扶人：${s.c.mentorName ?? '未指定'}`,
        async (userId, list, lines) => {
          const more = list.length - lines.length;
          const tail = more > 0 ? [`……另有 ${more} 件未列出（共 ${list.length} 件）。请私聊我发送「逾期」查看完整清单。`] : [];
          await push(ctx, OVERDUE, { kind: 'user', id: userId }, ['【逾期督办】以下个案连续两期以上未联系或没有帮扶责任人，请牵头单位督促落实：', ...lines, ...tail].join('\n'), 'escalation');
        },
        ESCALATION_LIST_MAX,
      );
      return `逾期 ${rows.length} 件，其中督办 ${escalate.length} 件`;
    },
  };
}
