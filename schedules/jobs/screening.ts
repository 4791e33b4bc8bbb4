import type { LoadedConfig } from '../../src/config/load.js';
import type { JobDef } from '../job.js';
import { parsePeriod } from '../../src/domain/calendar/shanghai.js';
import { admins, reportingUnits, unitTargets } from './recipients.js';
import { push } from './send.js';

export const SCREENING_DISPATCH = 'screening-dispatch';
export const SCREENING_REMINDER = 'screening-reminder';

/** A dispatch names the period it is about, not the day it happened to be sent (a catch-up can be days later). */
const monthLabel = (period: string): string => {
  const p = parsePeriod(period);
  return `${p.year}年${p.firstMonth}月`;
};

const HOW = '请回复「排查上报 本月无新增风险」，或按数字上报，例如「排查上报 新增2 高风险1」（只报人数，不写姓名）。';

/** 每月调度一次风险隐患排查 (plan 四（三）): the 镇团委 asks every unit to report the month's screening. */
export function screeningDispatchJob(cfg: LoadedConfig): JobDef {
  const s = cfg.followup.screening;
  return {
    name: SCREENING_DISPATCH,
    title: '每月风险隐患排查调度（请各单位上报）',
    cadence: { every: 'month', day: s.day, time: s.time },
    workdaysOnly: cfg.followup.workdaysOnly,
    staleAfterDays: 10,
    run(ctx) {
      const month = monthLabel(ctx.period);
      const units = reportingUnits(ctx.config, ctx.plan);
      for (const unit of units) {
        for (const t of unitTargets(ctx.config, unit)) {
          push(ctx, SCREENING_DISPATCH, t, `【${month}风险隐患排查调度】请${unit}排查本单位负责范围内重点青少年的风险隐患，并在 ${s.remindAfterDays} 天内上报。${HOW}`, unit);
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
    title: `风险隐患排查催报（调度 ${s.remindAfterDays} 天后提醒未上报单位，汇总报镇团委）`,
    cadence: { every: 'month', day: Math.min(31, s.day + s.remindAfterDays), time: s.time },
    workdaysOnly: cfg.followup.workdaysOnly,
    staleAfterDays: 10,
    run(ctx) {
      const units = reportingUnits(ctx.config, ctx.plan);
      const reports = ctx.store.followup.screenings(ctx.period);
      const reported = new Map(reports.map((r) => [r.unit, r]));
      const missing = units.filter((u) => !reported.has(u));
      const month = monthLabel(ctx.period);
      for (const unit of missing) {
        for (const t of unitTargets(ctx.config, unit)) {
          push(ctx, SCREENING_REMINDER, t, `【${month}风险隐患排查催报】${unit}尚未上报本月排查情况，请尽快上报。${HOW}`, unit);
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
      for (const a of admins(ctx.config)) push(ctx, SCREENING_REMINDER, { kind: 'user', id: a.userid }, lines.join('\n'), 'summary');
      return `已报 ${units.length - missing.length}/${units.length}，提醒 ${missing.length} 个单位`;
    },
  };
}
