import type { LoadedConfig } from '../../src/config/load.js';
import type { ScreeningReport } from '../../src/domain/model/records.js';
import type { Cadence, JobContext, JobDef } from '../job.js';
import { parsePeriod, periodWords } from '../../src/domain/calendar/shanghai.js';
import { screeningAbout, screeningWord } from '../../src/domain/followup/screening-period.js';
import { admins, reportingUnits, unitTargets } from './recipients.js';
import { push } from './send.js';

export const SCREENING_DISPATCH = 'screening-dispatch';
export const SCREENING_REMINDER = 'screening-reminder';


/**
 * Each month (the plan's 每月调度), or the last month of each quarter (a plan's 每季度调度); a
 * quarter reported on after it ended (上季度) is asked in the first month of the next.
 */
function screeningCadence(s: LoadedConfig['followup']['screening'], day: number): Cadence {
  return s.every === 'month' ? { every: 'month', day, time: s.time } : { every: 'quarter', monthOfQuarter: s.about === 'previous' ? 1 : 3, day, time: s.time };
}

/**
 * The reports of a period: a unit reports under the month it writes in, so a quarterly dispatch
 * counts any month of its quarter (the latest report of each unit).
 */
async function reportsOf(ctx: JobContext, about: string): Promise<ScreeningReport[]> {
  const p = parsePeriod(about);
  const byUnit = new Map<string, ScreeningReport>();
  for (let m = p.firstMonth; m <= p.lastMonth; m++) {
    for (const r of await ctx.store.followup.screenings(`${p.year}-${String(m).padStart(2, '0')}`)) byUnit.set(r.unit, r);
  }
  return [...byUnit.values()];
}

const how = (word: string) => `请回复「排查上报 ${word}无新增风险」，或按数字上报，例如「排查上报 新增2 高风险1」（只报人数，不写姓名）。`;

/**
 * 每月调度一次风险隐患排查 (bundled plan 四（三）; another plan may say 每季度): the overall lead
 * asks every unit to report the period's screening.
 */
export function screeningDispatchJob(cfg: LoadedConfig): JobDef {
  const s = cfg.followup.screening;
  const word = screeningWord(s);
  return {
    name: SCREENING_DISPATCH,
    title: `${s.every === 'month' ? '每月' : '每季度'}风险隐患排查调度（请各单位上报${s.about === 'previous' ? `${word}情况` : ''}）`,
    cadence: screeningCadence(s, s.day),
    workdaysOnly: cfg.followup.workdaysOnly,
    staleAfterDays: 10,
    async run(ctx) {
      // The period it is about, not the day it happened to be sent (a catch-up can be days later).
      const month = periodWords(screeningAbout(s, ctx.period));
      const units = reportingUnits(ctx.config, ctx.plan);
      for (const unit of units) {
        for (const t of unitTargets(ctx.config, unit)) {
          await push(ctx, SCREENING_DISPATCH, t, `【${month}风险隐患排查调度】请${unit}排查本单位负责范围内重点青少年${s.about === 'previous' ? `${word}的` : '的'}风险隐患，并在 ${s.remindAfterDays} 天内上报。${how(word)}`, unit);
        }
      }
      return `已向 ${units.length} 个单位发出排查调度`;
    },
  };
}

/**
 * N days after the dispatch: units that have not reported are reminded, and the 镇团委 admins
 * get the month's summary (who reported, the totals, who was reminded).
 */
export function screeningReminderJob(cfg: LoadedConfig): JobDef {
  const s = cfg.followup.screening;
  return {
    name: SCREENING_REMINDER,
    title: `风险隐患排查催报（调度 ${s.remindAfterDays} 天后提醒未上报单位，汇总报管理员）`,
    cadence: screeningCadence(s, Math.min(31, s.day + s.remindAfterDays)),
    workdaysOnly: cfg.followup.workdaysOnly,
    staleAfterDays: 10,
    async run(ctx) {
      // A period whose dispatch was never sent (it fell due before this installation, or was
      // skipped as stale) has nothing to chase: reminding every unit of it would be a flood.
      if ((await ctx.store.jobRuns.get(SCREENING_DISPATCH, ctx.period))?.status !== 'done') return '本期未发出排查调度，不催报';
      const about = screeningAbout(s, ctx.period);
      const units = reportingUnits(ctx.config, ctx.plan);
      const reports = await reportsOf(ctx, about);
      const reported = new Map(reports.map((r) => [r.unit, r]));
      const missing = units.filter((u) => !reported.has(u));
      const month = periodWords(about);
      const word = screeningWord(s);
      for (const unit of missing) {
        for (const t of unitTargets(ctx.config, unit)) {
          await push(ctx, SCREENING_REMINDER, t, `【${month}风险隐患排查催报】${unit}尚未上报${word}排查情况，请尽快上报。${how(word)}`, unit);
        }
      }
      const newRisks = reports.reduce((n, r) => n + r.newRisks, 0);
      const high = reports.reduce((n, r) => n + r.highRisks, 0);
      const lines = [
        `【${month}风险隐患排查汇总】应报 ${units.length} 个单位，已报 ${units.length - missing.length} 个。`,
        `新增风险合计 ${newRisks} 人，其中高风险 ${high} 人。`,
        ...units.filter((u) => reported.has(u)).map((u) => {
          const r = reported.get(u)!;
          return `· ${u}：${r.newRisks === 0 ? '无新增风险' : `新增 ${r.newRisks}，高风险 ${r.highRisks}`}`;
        }),
        missing.length ? `未报（已提醒）：${missing.join('、')}` : '各单位均已上报。',
      ];
      for (const a of admins(ctx.config)) await push(ctx, SCREENING_REMINDER, { kind: 'user', id: a.userid }, lines.join('\n'), 'summary');
      return `已报 ${units.length - missing.length}/${units.length}，提醒 ${missing.length} 个单位`;
    },
  };
}
