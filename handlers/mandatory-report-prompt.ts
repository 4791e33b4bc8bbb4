import { detectSigns, REPORT_TO, reportNotice } from '../src/domain/intake/mandatory-report.js';
import { ageRange, parseIsoPartial } from '../src/domain/parse-zh/date.js';
import type { CaseRecord } from '../src/domain/model/records.js';
import type { HandlerContext } from '../src/core/context.js';
import { tell } from './followup-shared.js';

/**
 * Any free text written about an existing case (a contact note, the words of a 其他 close
 * reason) can turn up what intake would have flagged — injuries, talk of suicide, a child living
 * alone — so it runs the same signs, prompts the same must-report notice and records it against
 * the case. In a group the notice itself goes privately; the group hears only that there is one.
 * Returns the text to append to the reply ('' when nothing was found).
 */
export async function promptMandatoryReport(ctx: HandlerContext, c: CaseRecord, text: string, source: 'contact' | 'close'): Promise<string> {
  const now = ctx.clock.now();
  const birth = parseIsoPartial(c.birthDate);
  const signs = detectSigns({ text, ...(birth && { age: ageRange(birth, now) }) });
  if (signs.length === 0) return '';
  for (const sign of signs) {
    await ctx.store.cases.recordMandatoryReport({ caseId: c.id, userId: ctx.msg.userId, chatId: ctx.msg.chatId, sign, reportTo: REPORT_TO, promptedAt: now });
  }
  const notice = reportNotice(signs);
  if (ctx.msg.chatType !== 'group') return `\n${notice}`;
  await tell(ctx, ctx.msg.userId, `个案 ${c.code}：${notice}`, `${source}.mandatory-report`, `${source}.report:${c.code}:${ctx.msg.userId}:${now.toISOString()}`);
  return '\n⚠️ 所记录的情况需要立即报告，已私信提醒您。';
}
