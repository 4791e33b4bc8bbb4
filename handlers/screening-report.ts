import { parseScreeningReply, SCREENING_TRIGGER } from '../src/domain/followup/screening-reply.js';
import { groupCount } from '../src/domain/followup/small-count.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import { screeningReportMonth, screeningReportWords, screeningWord } from '../src/domain/followup/screening-period.js';
import type { FollowupConfig } from '../src/config/schema.js';
import { isText, NOT_MEMBER_TEXT } from './followup-shared.js';
import type { Handler } from '../src/core/context.js';

/** The format help, in the words of the period the dispatch asks about (本月, 本季度, 上月). */
export const screeningFormatText = (s: Pick<FollowupConfig['screening'], 'every' | 'about'>): string => {
  const word = screeningWord(s);
  return `请按格式上报${word}风险隐患排查情况：「排查上报 ${word}无新增风险」，或「排查上报 新增2 高风险1」（高风险人数包含在新增人数内）。`;
};

/** The format help under the default (monthly, this month) dispatch. */
export const SCREENING_FORMAT_TEXT = screeningFormatText({ every: 'month' });

/**
 * 「排查上报 …」: a unit's answer to the risk-screening dispatch, recorded for the sender's unit
 * and the period the dispatch asks about (this month, or the month before where the plan asks
 * for 上月); a second report for that period replaces the first.
 */
export const screeningReportHandler: Handler = {
  name: 'screening-report',
  async handle(ctx) {
    if (!isText(ctx)) return null;
    const text = normalizeInput(ctx.msg.text);
    if (!SCREENING_TRIGGER.test(text)) return null;
    if (!ctx.member) return [{ text: NOT_MEMBER_TEXT }];
    const r = parseScreeningReply(text);
    const s = ctx.config.followup.screening;
    if (!r.ok) return [{ text: screeningFormatText(s) }];
    const now = ctx.clock.now();
    const period = screeningReportMonth(s, now);
    const replaced = (await ctx.store.followup.screenings(period)).some((s) => s.unit === ctx.member!.unit);
    await ctx.store.followup.saveScreening({ period, unit: ctx.member.unit, userId: ctx.msg.userId, newRisks: r.newRisks, highRisks: r.highRisks, reportedAt: now });
    const n = ctx.msg.chatType === 'group' ? groupCount : String;
    const what = r.newRisks === 0 ? `${screeningWord(s)}无新增风险` : `新增风险 ${n(r.newRisks)} 人，其中高风险 ${n(r.highRisks)} 人`;
    return [{ text: `已${replaced ? '更新' : '记录'} ${ctx.member.unit} ${screeningReportWords(s, now)}风险隐患排查上报：${what}。` }];
  },
};
