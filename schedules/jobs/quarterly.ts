import type { AppDeps } from '../../src/core/context.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { quarterlyMarkdown } from '../../src/domain/followup/quarterly-markdown.js';
import { quarterQuery, quarterStats, quarterStatsFrom, type QuarterStats, type StatsContext } from '../../src/domain/followup/quarterly-stats.js';
import type { JobDef } from '../job.js';
import { localDateKey, periodRange, periodWords } from '../../src/domain/calendar/shanghai.js';
import { admins, broadcastGroups, leadUnits, reportingUnits, unitTargets } from './recipients.js';
import { push } from './send.js';

export const QUARTERLY = 'quarterly-progress';

/** What the report needs besides the counts, from the deployment's config and the store. */
function statsContext(deps: AppDeps, quarter: string, asOf: Date): StatsContext {
  return {
    quarter,
    asOf,
    screenings: (m) => deps.store.followup.screenings(m),
    reportingUnits: reportingUnits(deps.config, deps.plan),
    plan: deps.plan,
    cfg: deps.config.followup,
    villages: deps.config.villages,
  };
}

/** The quarter's statistics as of `asOf`, counted in the database. */
export function statsFor(deps: AppDeps, quarter: string, asOf: Date): Promise<QuarterStats> {
  return quarterStatsFrom(deps.store.stats, statsContext(deps, quarter, asOf));
}

/**
 * The same statistics computed in memory from every case and the quarter's contacts: the
 * reference the database counts are tested against, and what a store without SQL (the lowdb
 * benchmark) runs.
 */
export async function statsFromLists(deps: AppDeps, quarter: string, asOf: Date): Promise<QuarterStats> {
  const { start, end } = periodRange(quarter);
  const lastDay = localDateKey(asOf < end ? asOf : new Date(end.getTime() - 1));
  return quarterStats({
    ...statsContext(deps, quarter, asOf),
    cases: await deps.store.cases.summaries(),
    // Only the contacts of the windows counted are read; the overdue count needs just each case's latest one.
    contacts: await deps.store.followup.contactDays({ from: quarterQuery(quarter, asOf, deps.config.followup).query.contactsFrom, to: lastDay }),
    lastContacts: await deps.store.followup.lastContactDates(lastDay),
  });
}

/**
 * 每季度调度一次工作进展 (plan 四（三）), in the quarter's last week: lead units are reminded to
 * report progress; admins get the statistics privately, broadcast groups the masked version.
 */
export function quarterlyJob(cfg: LoadedConfig): JobDef {
  const q = cfg.followup.quarterly;
  const day = q.day ?? -q.daysBeforeQuarterEnd;
  const monthly = q.every === 'month';
  return {
    name: QUARTERLY,
    title: `${monthly ? '每月' : '季度'}工作进展调度（提醒牵头单位，统计报管理员，群内脱敏）`,
    // A plan's 每月调度工作进展 runs it every month, with that month's figures.
    cadence: monthly ? { every: 'month', day, time: q.time } : { every: 'quarter', monthOfQuarter: 3, day, time: q.time },
    workdaysOnly: cfg.followup.workdaysOnly,
    staleAfterDays: monthly ? 10 : 20,
    async run(ctx) {
      const label = periodWords(ctx.period);
      const units = leadUnits(ctx.config, ctx.plan);
      for (const unit of units) {
        for (const t of unitTargets(ctx.config, unit)) {
          await push(ctx, QUARTERLY, t, `【${label}工作进展调度】请${unit}作为牵头单位，在${monthly ? '月' : '季度'}末前汇总本${monthly ? '月' : '季度'}工作进展（走访落实、风险处置、结案情况），并确认所有个案本月已联系。发送「逾期」可查看未联系的个案。`, `lead:${unit}`);
        }
      }
      const stats = await statsFor(ctx, ctx.period, ctx.at);
      for (const a of admins(ctx.config)) await push(ctx, QUARTERLY, { kind: 'user', id: a.userid }, quarterlyMarkdown(stats, ctx.config.town), 'stats');
      for (const g of broadcastGroups(ctx.config)) await push(ctx, QUARTERLY, g, quarterlyMarkdown(stats, ctx.config.town, true), 'stats');
      return `提醒 ${units.length} 个牵头单位；在册 ${stats.open} 件`;
    },
  };
}
