import type { FollowupConfig } from '../../config/schema.js';
import { PERIOD_WORD } from '../plan/render.js';
import type { CategoryCode, Period, PlanMatrix } from '../plan/types.js';
import type { Frequency } from './contact-rule.js';

/**
 * The follow-up rhythm the plan sets, over the config's `followup` defaults: each standard
 * category's contact rule (闲散 每月, another plan's 留守 每半月 and 服刑 每季度家访), and the day the
 * plan wants the monthly screening reported by, the screening and progress dispatch cadence, and
 * the day progress is reported by. What the plan does not state keeps the config's
 * value, and `sources` says which came from where, for `job list`.
 */

const CONTACT_OF: Partial<Record<Period, Frequency>> = {
  week: 'weekly',
  'half-month': 'half-monthly',
  month: 'monthly',
  quarter: 'quarterly',
  'half-year': 'half-yearly',
};

const CODES: readonly CategoryCode[] = ['01', '02', '03', '04', '05'];

/** The periods the dispatch jobs can run at. */
const DISPATCH_OF: Partial<Record<Period, FollowupConfig['screening']['every']>> = { month: 'month', quarter: 'quarter' };
const PROGRESS_OF: Partial<Record<Period, FollowupConfig['quarterly']['every']>> = { month: 'month', quarter: 'quarter' };
const EVERY_WORD: Record<'month' | 'quarter', string> = { month: '每月', quarter: '每季度' };

export interface RhythmSource {
  what: string;
  rule: string;
  from: string;
}

export interface PlanRhythm {
  followup: FollowupConfig;
  sources: RhythmSource[];
}

const FREQ_WORD: Record<Frequency, string> = { weekly: '每周', 'half-monthly': '每半月', monthly: '每月', quarterly: '每季度', 'half-yearly': '每半年' };

export function planRhythm(plan: PlanMatrix, cfg: FollowupConfig): PlanRhythm {
  const frequency: FollowupConfig['frequency'] = { ...cfg.frequency };
  const sources: RhythmSource[] = [];
  for (const code of CODES) {
    const c = plan.categories.find((x) => x.code === code);
    const name = c?.name ?? code;
    const fromPlan = c?.contact ? CONTACT_OF[c.contact.period] : undefined;
    if (c?.contact && fromPlan) {
      frequency[code] = fromPlan;
      sources.push({ what: `${name}联系`, rule: `${FREQ_WORD[fromPlan]}至少一次`, from: `实施方案${c.contact.clause}「${around(c.contact.text)}」` });
    } else {
      const own = cfg.frequency[code];
      const note = c?.contact ? `（方案规定${PERIOD_WORD[c.contact.period]}，跟进按月或更短周期计，故取配置）` : '';
      sources.push({ what: `${name}联系`, rule: `${FREQ_WORD[own ?? 'monthly']}至少一次`, from: `${own ? '配置 followup.frequency' : '方案未规定，默认每月'}${note}` });
    }
  }

  // 每月调度 / 每季度调度 风险隐患排查: the dispatch runs at the plan's period; another period is noted and left to the config.
  let screening = cfg.screening;
  const screeningRule = plan.frequencies.find((f) => f.what === 'risk-screening');
  const screeningEvery = screeningRule && DISPATCH_OF[screeningRule.period];
  if (screeningRule && screeningEvery) {
    screening = { ...screening, every: screeningEvery };
    sources.push({ what: '风险隐患排查调度', rule: PERIOD_WORD[screeningRule.period], from: `实施方案${screeningRule.clause}「${around(screeningRule.text)}」` });
  } else {
    const note = screeningRule ? `（方案规定${PERIOD_WORD[screeningRule.period]}，调度只能按月或按季度，故取配置）` : '';
    sources.push({ what: '风险隐患排查调度', rule: EVERY_WORD[cfg.screening.every], from: `${screeningRule ? `实施方案${screeningRule.clause}` : '方案未规定'}，按配置 followup.screening${note}` });
  }
  // 「每月25日前将本月排查情况报送…」: dispatch that many days before the deadline, remind on it.
  // 「每月5日前将上月排查情况报…」: the same days, in the month after the one reported on.
  const report = plan.frequencies.find((f) => f.what === 'report' && f.period === screening.every && f.day !== undefined && /排查/.test(f.text));
  if (report?.day !== undefined) {
    const day = Math.max(1, Math.min(28, report.day - cfg.screening.remindAfterDays));
    const previous = /上月|上季度|上一(?:个)?(?:月|季度)/.test(report.text);
    screening = { ...screening, day, ...(previous ? { about: 'previous' as const } : {}) };
    const asked = previous ? `，询问${screening.every === 'month' ? '上月' : '上季度'}` : '';
    const when = previous && screening.every === 'quarter' ? '每季度第一个月' : EVERY_WORD[screening.every];
    sources.push({ what: '排查上报截止日', rule: `${when}${report.day}日（调度提前 ${cfg.screening.remindAfterDays} 天，于${day}日发出${asked}）`, from: `实施方案${report.clause}` });
  } else {
    sources.push({ what: '排查上报截止日', rule: `调度后 ${cfg.screening.remindAfterDays} 天`, from: '方案未规定，按配置 followup.screening' });
  }

  // 每季度调度工作进展 (or 每月): the progress dispatch and its statistics follow the plan's period.
  let quarterly = cfg.quarterly;
  const progress = plan.frequencies.find((f) => f.what === 'progress');
  const progressEvery = progress && PROGRESS_OF[progress.period];
  if (progress && progressEvery) {
    quarterly = { ...quarterly, every: progressEvery };
    sources.push({ what: '工作进展调度（统计）', rule: PERIOD_WORD[progress.period], from: `实施方案${progress.clause}「${around(progress.text)}」` });
  } else {
    const note = progress ? `（方案规定${PERIOD_WORD[progress.period]}，调度只能按月或按季度，故取配置）` : '';
    sources.push({ what: '工作进展调度（统计）', rule: EVERY_WORD[cfg.quarterly.every], from: `${progress ? `实施方案${progress.clause}` : '方案未规定'}，按配置 followup.quarterly${note}` });
  }
  // 「各成员单位于每季度最后一个月的20日前，将本季度工作开展情况报送…」: remind that many days before.
  const progressReport = plan.frequencies.find((f) => f.what === 'report' && f.period === quarterly.every && f.day !== undefined && /进展|工作开展/.test(f.text) && !/排查/.test(f.text));
  if (progressReport?.day !== undefined && cfg.quarterly.day === undefined) {
    const day = Math.max(1, Math.min(28, progressReport.day - cfg.quarterly.daysBeforeQuarterEnd));
    quarterly = { ...quarterly, day };
    sources.push({
      what: '进展报送截止日',
      rule: `${quarterly.every === 'quarter' ? '每季度最后一个月' : '每月'}${progressReport.day}日（调度提前 ${cfg.quarterly.daysBeforeQuarterEnd} 天，于${day}日发出）`,
      from: `实施方案${progressReport.clause}`,
    });
  } else {
    sources.push({
      what: '进展报送截止日',
      rule: cfg.quarterly.day !== undefined ? `调度于${cfg.quarterly.day}日` : `${quarterly.every === 'quarter' ? '季度' : '月'}末前 ${cfg.quarterly.daysBeforeQuarterEnd} 天调度`,
      from: progressReport ? `按配置 followup.quarterly（方案${progressReport.clause}另有规定）` : '方案未规定，按配置 followup.quarterly',
    });
  }
  const followup = { ...cfg, frequency, screening, quarterly };
  recorded.set(followup, sources);
  return { followup, sources };
}

/** The words of a rule from its period word on: 「每半月与留守儿童…联系一次」. */
function around(text: string): string {
  const at = Math.max(0, text.search(/每/));
  const stop = text.slice(at).search(/[。；;]/);
  return text.slice(at, stop < 0 ? at + 30 : at + Math.min(stop, 30));
}

const recorded = new WeakMap<FollowupConfig, RhythmSource[]>();

/** The sources of a followup config planRhythm produced (start-up does), for `job list`. */
export function rhythmSources(followup: FollowupConfig): RhythmSource[] | undefined {
  return recorded.get(followup);
}
