import type { LoadedConfig } from '../../src/config/load.js';
import { categoryName } from '../../src/domain/intake/case-options.js';
import { eachOpenSummary } from '../../src/domain/followup/case-status.js';
import { reachedMilestones } from '../../src/domain/followup/milestones.js';
import { maskName } from '../../src/domain/privacy/mask.js';
import type { JobDef } from '../job.js';
import { admins } from './recipients.js';

export const AGE_REVIEW = 'age-review';

/**
 * A chunk ends after this many cases read or prompts written, whichever comes first: reading is
 * cheap, but a prompt decrypts a name and writes an outbox row, and the first run after an
 * upgrade can owe thousands of them (measured: 1,000-case chunks held the loop ~230 ms at p99).
 */
const CHUNK_CASES = 250;
const CHUNK_PROMPTS = 25;

/**
 * Monthly: a case whose child reached 16, 18 or 25 since registration gets one review prompt to
 * its mentor (admins when there is none). The outbox dedupe key (case, age) makes it once ever,
 * not once per month.
 */
export function ageReviewJob(cfg: LoadedConfig): JobDef {
  const c = cfg.followup;
  return {
    name: AGE_REVIEW,
    title: '年龄节点复核（16/18/25 周岁及类别终止条件，私信帮扶人）',
    cadence: { every: 'month', day: c.ageReview.day, time: c.ageReview.time },
    workdaysOnly: c.workdaysOnly,
    async *run(ctx) {
      let n = 0;
      let read = 0;
      let sinceYield = 0;
      // A page of cases at a time: a county has 100,000 open ones and only a few reach an age.
      // Every CHUNK cases the run yields, so the scheduler can commit and let chats through.
      for await (const k of eachOpenSummary(ctx.store)) {
        if (++read % CHUNK_CASES === 0 || sinceYield >= CHUNK_PROMPTS) {
          sinceYield = 0;
          yield;
        }
        for (const m of reachedMilestones(k, ctx.at)) {
          const ended = m.endedCategories.map((code) => categoryName(ctx.plan, code));
          const why = ended.length
            ? `已不再符合「${ended.join('、')}」的年龄条件，请复核：如无其他类别，可发送「结案 ${k.code} 年龄超出范围」；仍需帮扶的请调整类别。`
            : m.age === 18
              ? '已成年，请复核帮扶内容是否仍然需要（未成年人专门保护措施不再适用）。'
              : m.age === 25
                ? '已超出重点青少年统计年龄（6–25 周岁），请复核是否结案。'
                : '已满 16 周岁，请复核就学就业情况和帮扶内容。';
          const text = `【个案复核】个案 ${k.code}（${maskName(k.fullName)}，${k.village}）已满 ${m.age} 周岁，${why}`;
          const to = k.mentorUserId ? [k.mentorUserId] : admins(ctx.config).map((a) => a.userid);
          for (const userId of to) {
            const id = await ctx.store.outbox.enqueue({ target: { kind: 'user', id: userId }, reply: { text }, reason: 'job.age-review', dedupeKey: `milestone:${k.code}:${m.age}:${userId}` }, ctx.clock.now());
            if (id !== null) (n++, sinceYield++);
          }
        }
      }
      return `复核提示 ${n} 条`;
    },
  };
}
