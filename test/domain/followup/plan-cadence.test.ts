import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { fromLocal } from '../../../src/domain/calendar/shanghai.js';
import { planRhythm } from '../../../src/domain/followup/plan-rhythm.js';
import { parseScreeningReply } from '../../../src/domain/followup/screening-reply.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { describeCadence } from '../../../src/cli/followup-commands.js';
import { buildJobs } from '../../../schedules/jobs.js';
import { JobRunner } from '../../../schedules/runner.js';
import { SCREENING_DISPATCH, SCREENING_REMINDER } from '../../../schedules/jobs/screening.js';
import { QUARTERLY } from '../../../schedules/jobs/quarterly.js';
import { screeningReportHandler } from '../../../handlers/screening-report.js';
import { harness, plan as dunji } from '../../helpers/intake-harness.js';
import { loadExample } from '../../helpers/example-plans.js';

/**
 * The screening and progress dispatches and their report days follow the plan where it states
 * them, the config's `followup` where it does not, and the sources say which came from where.
 */

const county = loadExample('county-plan');
const messy = loadExample('messy-plan').plan;
/** The county plan with the two dispatch periods swapped: screening each quarter, progress each month. */
const swapped = parsePlan(
  county.text
    .replace('县委政法委每月调度一次风险隐患排查情况', '县委政法委每季度调度一次风险隐患排查情况')
    .replace('县团委每季度调度一次工作进展情况', '县团委每月调度一次工作进展情况'),
);

function townConfig(units: readonly string[]) {
  const text = [
    'town: 测试镇',
    'casePrefix: CS',
    'villages: [幸福村, 和平村]',
    'members:',
    `  - { userid: admin1, name: 李四, unit: ${units[0]}, role: admin }`,
    ...units.slice(1).map((u, i) => `  - { userid: staff${i}, name: 员工${i}, unit: ${u}, role: staff }`),
  ].join('\n');
  return parseConfig(text, '/tmp/humiao.config.yaml');
}

/** A 「排查上报」 through the reply handler itself, as the sender's unit. */
async function reportAs(h: Awaited<ReturnType<typeof harness>>, userId: string, text: string): Promise<string> {
  const msg = { id: `m-${userId}-${text}`, channel: 'test', userId, chatId: userId, chatType: 'single' as const, kind: 'text' as const, text, receivedAt: h.clock.now() };
  return (await screeningReportHandler.handle({ ...h.deps, msg, member: h.deps.config.members.find((m) => m.userid === userId) }))!.map((r) => r.text).join('\n');
}

const source = (r: ReturnType<typeof planRhythm>, what: string) => r.sources.find((s) => s.what === what)!;

describe('dispatch cadence and report days from the plan', () => {
  it('keeps the bundled plan on the config defaults it states the same way: monthly screening, quarterly progress', () => {
    const cfg = townConfig(['镇团委']).followup;
    const r = planRhythm(dunji, cfg);
    expect(r.followup.screening).toEqual(cfg.screening);
    expect(r.followup.quarterly).toEqual(cfg.quarterly);
    expect(source(r, '风险隐患排查调度').from).toContain('实施方案四（三）');
    expect(source(r, '进展报送截止日').from).toContain('方案未规定');
  });

  it('takes the monthly report day of 本月 screening from the plan (每月20日前 → dispatch on the 17th)', () => {
    const r = planRhythm(messy, townConfig(['镇综治中心']).followup);
    expect(r.followup.screening.day).toBe(17);
    expect(source(r, '排查上报截止日').rule).toContain('每月20日');
  });

  it('takes the quarter’s progress report day from the plan, and a 上月 screening report day asks in the month after', () => {
    const cfg = townConfig(['县委政法委']).followup;
    const r = planRhythm(county.plan, cfg);
    // 「每季度最后一个月的20日前」: the progress dispatch goes out daysBeforeQuarterEnd (7) days before.
    expect(r.followup.quarterly).toMatchObject({ every: 'quarter', day: 13 });
    expect(source(r, '进展报送截止日').from).toBe('实施方案四（二）');
    // 「每月5日前将上月排查情况」: dispatched remindAfterDays (3) before the 5th, about the month before.
    expect(r.followup.screening).toMatchObject({ every: 'month', day: 2, about: 'previous' });
    expect(source(r, '排查上报截止日').rule).toBe('每月5日（调度提前 3 天，于2日发出，询问上月）');
  });

  it('county plan: the December dispatch and 催报 are about November, and a report sent in December counts for November', async () => {
    const units = ['县委政法委', '县团委', '县民政局'];
    const base = townConfig(units);
    const config = { ...base, followup: planRhythm(county.plan, base.followup).followup };
    const h = await harness({ plan: county.plan, config, start: fromLocal(2026, 11, 20, 9) });
    const jobs = buildJobs(h.deps);
    const cadence = (name: string) => describeCadence(jobs.find((j) => j.name === name)!.cadence);
    expect(cadence(SCREENING_DISPATCH)).toBe('每月2日 09:00');
    expect(cadence(SCREENING_REMINDER)).toBe('每月5日 09:00');
    const runner = new JobRunner(h.deps, jobs);
    await runner.installedAt(fromLocal(2026, 11, 20, 9));
    const sent = async (job: string) => (await h.store.outbox.list(1000)).filter((o) => o.reason === `job.${job}`).map((o) => o.reply.text);
    await runner.runByName(SCREENING_DISPATCH, fromLocal(2026, 12, 2, 10));
    const dispatch = await sent(SCREENING_DISPATCH);
    expect(dispatch.length).toBeGreaterThan(0);
    expect(dispatch[0]).toContain('【2026年11月风险隐患排查调度】');
    expect(dispatch[0]).toContain('上月的风险隐患');
    expect(dispatch[0]).toContain('排查上报 上月无新增风险');
    // 县团委 answers on 3 December, in the words the dispatch asked for: that is November's report.
    h.clock.set(fromLocal(2026, 12, 3, 10));
    const report = (userId: string, text: string) => reportAs(h, userId, text);
    expect(await report('staff0', '排查上报 上月无新增风险')).toBe('已记录 县团委 2026年11月风险隐患排查上报：上月无新增风险。');
    expect(await report('staff0', '排查上报 都挺好')).toContain('「排查上报 上月无新增风险」');
    expect((await h.store.followup.screenings('2026-11')).map((x) => x.unit)).toEqual(['县团委']);
    expect(await h.store.followup.screenings('2026-12')).toEqual([]);
    await runner.runByName(SCREENING_REMINDER, fromLocal(2026, 12, 7, 10));
    const reminded = await sent(SCREENING_REMINDER);
    expect(reminded.some((t) => t.includes('【2026年11月风险隐患排查催报】县民政局尚未上报上月排查情况'))).toBe(true);
    expect(reminded.some((t) => t.includes('催报】县团委'))).toBe(false);
    expect(reminded.some((t) => t.includes('【2026年11月风险隐患排查汇总】应报 2 个单位，已报 1 个。'))).toBe(true);
  });

  it('county plan, installed after the 2nd: neither November’s dispatch nor its 催报 is sent', async () => {
    const base = townConfig(['县委政法委', '县团委']);
    const config = { ...base, followup: planRhythm(county.plan, base.followup).followup };
    const h = await harness({ plan: county.plan, config, start: fromLocal(2026, 12, 3, 9) });
    const runner = new JobRunner(h.deps, buildJobs(h.deps));
    await runner.tick(fromLocal(2026, 12, 3, 9));
    await runner.tick(fromLocal(2026, 12, 7, 10));
    expect((await h.store.outbox.list(1000)).filter((o) => o.reason.startsWith('job.screening'))).toEqual([]);
    // January's dispatch (about December) goes out as usual.
    await runner.tick(fromLocal(2027, 1, 4, 10));
    expect((await h.store.outbox.list(1000)).some((o) => o.reply.text.includes('【2026年12月风险隐患排查调度】'))).toBe(true);
  });

  it('runs the screening each quarter and progress each month when the plan says so, and lists where each came from', async () => {
    const units = ['县委政法委', '县团委', '县民政局'];
    const base = townConfig(units);
    const r = planRhythm(swapped, base.followup);
    expect(r.followup.screening.every).toBe('quarter');
    expect(r.followup.quarterly.every).toBe('month');
    expect(source(r, '风险隐患排查调度')).toMatchObject({ rule: '每季度', from: expect.stringContaining('实施方案四（一）') });
    expect(source(r, '工作进展调度（统计）')).toMatchObject({ rule: '每月', from: expect.stringContaining('实施方案四（二）') });

    const config = { ...base, followup: r.followup };
    const h = await harness({ plan: swapped, config, start: fromLocal(2026, 10, 1, 9) });
    const jobs = buildJobs(h.deps);
    const cadence = (name: string) => describeCadence(jobs.find((j) => j.name === name)!.cadence);
    expect(cadence(SCREENING_DISPATCH)).toBe('每季度第3个月25日 09:00');
    expect(cadence(SCREENING_REMINDER)).toBe('每季度第3个月28日 09:00');
    // Progress each month, the config's last week of the month.
    expect(cadence(QUARTERLY)).toBe('每月倒数第7天 09:00');

    const runner = new JobRunner(h.deps, jobs);
    const sent = async (job: string) => (await h.store.outbox.list(1000)).filter((o) => o.reason === `job.${job}`);
    // The quarter's dispatch, run in its last month, asks about the quarter.
    await runner.runByName(SCREENING_DISPATCH, fromLocal(2026, 12, 28, 10));
    const dispatch = (await sent(SCREENING_DISPATCH)).map((o) => o.reply.text);
    expect(dispatch.length).toBeGreaterThan(0);
    expect(dispatch[0]).toContain('【2026年第四季度风险隐患排查调度】');
    // The reply the dispatch asks for is understood, and a report in any month of the quarter counts.
    expect(dispatch[0]).toContain('排查上报 本季度无新增风险');
    expect(parseScreeningReply('排查上报 本季度无新增风险')).toEqual({ ok: true, newRisks: 0, highRisks: 0 });
    // The confirmation names the quarter's words, not 本月.
    h.clock.set(fromLocal(2026, 12, 28, 11));
    expect(await reportAs(h, 'staff0', '排查上报 本季度无新增风险')).toBe('已记录 县团委 2026年第四季度风险隐患排查上报：本季度无新增风险。');
    await h.store.followup.saveScreening({ period: '2026-11', unit: '县团委', userId: 'staff0', newRisks: 0, highRisks: 0, reportedAt: fromLocal(2026, 11, 20, 10) });
    await runner.runByName(SCREENING_REMINDER, fromLocal(2026, 12, 29, 10));
    const reminded = (await sent(SCREENING_REMINDER)).map((o) => o.reply.text).filter((t) => t.includes('催报】'));
    expect(reminded.some((t) => t.includes('县民政局尚未上报本季度排查情况'))).toBe(true);
    expect(reminded.some((t) => t.includes('县团委'))).toBe(false);
    await runner.runByName(QUARTERLY, fromLocal(2026, 11, 27, 10));
    const progress = (await sent(QUARTERLY)).map((o) => o.reply.text);
    expect(progress.some((t) => t.includes('【2026年11月工作进展调度】'))).toBe(true);
    expect(progress.some((t) => t.includes('重点青少年工作 2026年11月进展'))).toBe(true);
  });

  it('asks about the quarter before in the first month of the next when units report 上季度', async () => {
    const base = townConfig(['县委政法委', '县团委']);
    const config = { ...base, followup: { ...base.followup, screening: { ...base.followup.screening, every: 'quarter' as const, day: 7, about: 'previous' as const } } };
    const h = await harness({ plan: county.plan, config, start: fromLocal(2026, 12, 1, 9) });
    const jobs = buildJobs(h.deps);
    expect(describeCadence(jobs.find((j) => j.name === SCREENING_DISPATCH)!.cadence)).toBe('每季度第1个月7日 09:00');
    const runner = new JobRunner(h.deps, jobs);
    await runner.installedAt(fromLocal(2026, 12, 1, 9));
    await runner.runByName(SCREENING_DISPATCH, fromLocal(2027, 1, 7, 10));
    const text = (await h.store.outbox.list(1000)).find((o) => o.reason === `job.${SCREENING_DISPATCH}`)!.reply.text;
    expect(text).toContain('【2026年第四季度风险隐患排查调度】');
    expect(text).toContain('排查上报 上季度无新增风险');
    // Sent in January, stored under December: the confirmation names the quarter it is about.
    h.clock.set(fromLocal(2027, 1, 8, 10));
    expect(await reportAs(h, 'staff0', '排查上报 上季度无新增风险')).toBe('已记录 县团委 2026年第四季度风险隐患排查上报：上季度无新增风险。');
    expect((await h.store.followup.screenings('2026-12')).map((x) => x.unit)).toEqual(['县团委']);
  });

  it('leaves a plan’s dispatch period the jobs cannot keep to the config, and says so', () => {
    const halfYearly = parsePlan(county.text.replace('县委政法委每月调度一次风险隐患排查情况', '县委政法委每半年调度一次风险隐患排查情况'));
    const cfg = townConfig(['县委政法委']).followup;
    const r = planRhythm(halfYearly, cfg);
    expect(r.followup.screening.every).toBe('month');
    expect(source(r, '风险隐患排查调度').from).toMatch(/方案规定每半年.*故取配置/);
  });
});
