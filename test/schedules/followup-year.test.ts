import { describe, expect, it } from 'vitest';
import { buildJobs } from '../../schedules/jobs.js';
import { dueAt, latestDuePeriod } from '../../schedules/due.js';
import { JobRunner } from '../../schedules/runner.js';
import { fromLocal, localDateKey } from '../../src/domain/calendar/shanghai.js';
import type { OutboxItem } from '../../src/domain/model/records.js';
import { addCase, followupHarness, type FollowupHarness } from '../helpers/followup-fixtures.js';

/**
 * A simulated 2026 driven by a fake clock through the real jobs and JobRunner.
 *
 * Cases: A (留守, mentor 王五) contacted on the 10th every month except March and April, and in
 * May only on the 25th; B (服刑子女, mentor 孙七) every month but September; C (不良, mentor 张三)
 * registered 15 March, contacted from April; D (留守, no mentor) never contacted.
 */
const A = 'DJ-2025-0001';
const B = 'DJ-2025-0002';
const C = 'DJ-2026-0001';
const D = 'DJ-2025-0003';

interface Sim {
  h: FollowupHarness;
  rows: OutboxItem[];
}

async function simulate(opts: { file?: boolean; restartMonthly?: boolean; down?: [Date, Date] } = {}): Promise<Sim> {
  const h = await followupHarness({ start: fromLocal(2026, 1, 1), file: opts.file });
  await addCase(h.store, { code: A, createdAt: fromLocal(2025, 12, 10), categories: ['05'], mentor: 'wangwu', birthDate: '2010-06-15', name: '王小明', village: '王庄村' });
  await addCase(h.store, { code: B, createdAt: fromLocal(2025, 12, 10), categories: ['04'], mentor: 'sunqi', name: '李大壮', village: '霸王村' });
  await addCase(h.store, { code: D, createdAt: fromLocal(2025, 11, 1), categories: ['05'], mentor: null, name: '赵小花', village: '王庄村' });
  const events: Array<{ at: Date; run: () => Promise<unknown> }> = [];
  const contact = (code: string, y: number, m: number, d: number, by: string) =>
    events.push({
      at: fromLocal(y, m, d, 15),
      run: async () => h.store.followup.addContact({ caseId: (await h.store.cases.getByCode(code))!.id, date: localDateKey(fromLocal(y, m, d, 15)), method: '电话', notes: '平稳', riskLevel: null, loggedBy: by, createdAt: h.clock.now() }),
    });
  events.push({ at: fromLocal(2026, 3, 15, 10), run: () => addCase(h.store, { code: C, createdAt: fromLocal(2026, 3, 15, 10), categories: ['02'], mentor: 'zhangsan', name: '孙二狗', village: '项沟村' }) });
  for (let m = 1; m <= 12; m++) {
    if (m !== 3 && m !== 4 && m !== 5) contact(A, 2026, m, 10, 'wangwu');
    if (m !== 9) contact(B, 2026, m, 10, 'sunqi');
    if (m >= 4) contact(C, 2026, m, 10, 'zhangsan');
    // Every unit but 村委会 and 墩集中心校 answers the screening the day after it is asked.
    events.push({
      at: fromLocal(2026, m, 27, 16),
      run: async () => {
        for (const [unit, userId] of [['镇派出所', 'zhangsan'], ['镇民政所', 'wangwu'], ['镇司法所', 'sunqi']] as const) {
          await h.store.followup.saveScreening({ period: `2026-${String(m).padStart(2, '0')}`, unit, userId, newRisks: 0, highRisks: 0, reportedAt: h.clock.now() });
        }
      },
    });
  }
  contact(A, 2026, 5, 25, 'wangwu');
  events.sort((a, b) => a.at.getTime() - b.at.getTime());

  // The bot was already running last year: the periods before 2026 are done.
  for (const j of buildJobs(h.deps)) {
    const period = latestDuePeriod(j, h.clock.now());
    await h.store.jobRuns.record({ job: j.name, period, status: 'done', trigger: 'cron', asOf: h.clock.now(), ranAt: h.clock.now(), summary: '' });
  }
  let runner = new JobRunner(h.deps, buildJobs(h.deps));
  const end = fromLocal(2027, 1, 1).getTime();
  let lastMonth = 1;
  while (h.clock.now().getTime() < end) {
    const now = h.clock.now();
    while (events.length && events[0]!.at <= now) await events.shift()!.run();
    const isDown = opts.down && now >= opts.down[0] && now < opts.down[1];
    const month = Number(localDateKey(now).slice(5, 7));
    if (opts.restartMonthly && month !== lastMonth) {
      await h.reopen();
      runner = new JobRunner(h.deps, buildJobs(h.deps));
    }
    lastMonth = month;
    if (!isDown) await runner.tick();
    h.clock.advance(30 * 60_000);
  }
  return { h, rows: (await h.store.outbox.list(100_000)).reverse() };
}

const to = (rows: OutboxItem[], reason: string, id: string) => rows.filter((r) => r.reason === reason && r.target.id === id);
const months = (rows: OutboxItem[]) => rows.map((r) => localDateKey(r.createdAt).slice(0, 7));

describe('a simulated year of follow-up jobs', async () => {
  const { h, rows } = await simulate();
  const jobs = buildJobs(h.deps);
  const job = (name: string) => jobs.find((j) => j.name === name)!;

  it('runs every job once per period on its (working) day and time', async () => {
    for (const j of jobs) {
      for (const r of rows.filter((x) => x.reason === `job.${j.name}`)) {
        const run = [...Array(12)].map((_, i) => (j.cadence.every === 'month' ? `2026-${String(i + 1).padStart(2, '0')}` : `2026Q${Math.floor(i / 3) + 1}`))
          .map((p) => dueAt(j, p).getTime());
        expect(run).toContain(r.createdAt.getTime());
      }
    }
    expect(localDateKey(dueAt(job('due-soon'), '2026-02'))).toBe('2026-02-24'); // Spring Festival: moved to the next working day
    expect(localDateKey(dueAt(job('overdue'), '2026-10'))).toBe('2026-10-08'); // National Day holiday
    expect((await h.store.jobRuns.get('overdue', '2026-10'))?.trigger).toBe('cron');
  });

  it('reminds mentors on day 20 of their cases not yet contacted that month', () => {
    expect(months(to(rows, 'job.due-soon', 'wangwu'))).toEqual(['2026-03', '2026-04', '2026-05']);
    expect(months(to(rows, 'job.due-soon', 'sunqi'))).toEqual(['2026-09']);
    expect(to(rows, 'job.due-soon', 'zhangsan')).toEqual([]); // C was new in March, then always contacted
    const may = to(rows, 'job.due-soon', 'wangwu')[2]!.reply.text;
    expect(may).toContain(`${A} 王*明（王庄村）`);
    expect(may).not.toContain('王小明');
    // D has no mentor: the admin hears about it every month.
    expect(months(to(rows, 'job.due-soon', 'lisi'))).toHaveLength(12);
  });

  it('tells mentors of overdue cases on the 1st and escalates two missed months to the lead unit', () => {
    expect(months(to(rows, 'job.overdue', 'wangwu').filter((r) => r.reply.text.startsWith('【逾期提醒】')))).toEqual(['2026-04', '2026-05']);
    expect(months(to(rows, 'job.overdue', 'sunqi'))).toEqual(['2026-10']);
    const escalations = to(rows, 'job.overdue', 'qianjiu'); // 民政所 leads 留守: told about D every month, about A in May
    expect(escalations).toHaveLength(12);
    expect(escalations.filter((r) => r.reply.text.includes(A)).map((r) => localDateKey(r.createdAt).slice(0, 7))).toEqual(['2026-05']);
    expect(escalations.every((r) => r.reply.text.includes(D))).toBe(true);
    expect(to(rows, 'job.overdue', 'sunqi')[0]!.reply.text).not.toContain('督办'); // one missed month: not escalated
  });

  it('gives broadcast groups the town-wide overdue count only: no unit, village, category, name or code', () => {
    const group = to(rows, 'job.overdue', 'wrkGroup1');
    expect(group).toHaveLength(12);
    const may = group[4]!.reply.text;
    expect(may).toContain('共 <3 件');
    for (const r of group) expect(r.reply.text).not.toMatch(/镇民政所|镇派出所|镇司法所|王庄村|霸王村|留守|服刑/);
    for (const r of rows.filter((x) => x.target.kind === 'chat')) {
      expect(r.reply.text).not.toMatch(/DJ-\d{4}-\d{4}|王小明|李大壮|赵小花|孙二狗|王\*明|1381234/);
    }
  });

  it('prompts the mentor once when a 留守 child reaches 16', () => {
    const prompts = to(rows, 'job.age-review', 'wangwu');
    expect(prompts).toHaveLength(1);
    expect(localDateKey(prompts[0]!.createdAt)).toBe(localDateKey(dueAt(job('age-review'), '2026-07')));
    expect(prompts[0]!.reply.text).toContain('已满 16 周岁');
    expect(prompts[0]!.reply.text).toContain('农村留守儿童');
  });

  it('dispatches the monthly screening to each unit’s group or members, reminds the silent ones and sums up for the admin', () => {
    expect(to(rows, 'job.screening-dispatch', 'wrkPolice')).toHaveLength(12);
    expect(to(rows, 'job.screening-dispatch', 'wrkJustice')).toHaveLength(12);
    expect(to(rows, 'job.screening-dispatch', 'qianjiu')).toHaveLength(12);
    expect(to(rows, 'job.screening-dispatch', 'zhangsan')).toEqual([]); // 派出所 has a group
    expect(to(rows, 'job.screening-dispatch', 'lisi')).toEqual([]); // 镇团委 asks, it does not report
    expect(to(rows, 'job.screening-reminder', 'zhaoliu')).toHaveLength(12);
    expect(to(rows, 'job.screening-reminder', 'zhouba')).toHaveLength(12);
    expect(to(rows, 'job.screening-reminder', 'wrkPolice')).toEqual([]);
    const summary = to(rows, 'job.screening-reminder', 'lisi')[0]!.reply.text;
    expect(summary).toContain('应报 5 个单位，已报 3 个');
    expect(summary).toContain('未报（已提醒）：墩集中心校、村委会');
  });

  it('sends the quarterly statistics in the last week of each quarter with hand-computed coverage', () => {
    const stats = to(rows, 'job.quarterly-progress', 'lisi');
    expect(stats.map((r) => localDateKey(r.createdAt))).toEqual(['2026-03-25', '2026-06-24', '2026-09-24', '2026-12-25']);
    const q2 = stats[1]!.reply.text;
    // April: A, B, C, D due; B and C contacted → 2/4. May: A (25th), B, C → 3/4. June (to the 24th): 3/4.
    expect(q2).toContain('| 2026年4月 | 2/4 | 50.0% |');
    expect(q2).toContain('| 2026年5月 | 3/4 | 75.0% |');
    expect(q2).toContain('| 2026年6月（截至今日） | 3/4 | 75.0% |');
    expect(q2).toContain('帮扶覆盖率（本季度合计）：66.7%（8/12）');
    const q3 = stats[2]!.reply.text;
    expect(q3).toContain('| 2026年9月（截至今日） | 2/4 | 50.0% |');
    const groupQ2 = to(rows, 'job.quarterly-progress', 'wrkGroup1')[1]!.reply.text;
    expect(groupQ2).toContain('在册个案：4 件');
    // Town-wide totals only in a group: no breakdown by category or village.
    expect(groupQ2).not.toMatch(/农村留守儿童|王庄村|霸王村/);
    expect(groupQ2).not.toContain('2/4');
    expect(to(rows, 'job.quarterly-progress', 'wrkJustice')).toHaveLength(4); // 司法所 leads 服刑子女
  });

  it('never repeats a period when run by hand', async () => {
    const runner = new JobRunner(h.deps, buildJobs(h.deps));
    const before = (await h.store.outbox.list(100_000)).length;
    expect((await runner.runByName('overdue', fromLocal(2026, 5, 15))).result).toBe('already');
    expect((await h.store.outbox.list(100_000)).length).toBe(before);
  });
});

describe('restarts and downtime', () => {
  it('sends the same messages with the store reopened every month, and catches up a missed day', async () => {
    const plain = await simulate();
    const restarted = await simulate({ file: true, restartMonthly: true, down: [fromLocal(2026, 8, 18), fromLocal(2026, 8, 23, 10)] });
    const key = (r: OutboxItem) => `${localDateKey(r.createdAt).slice(0, 7)}|${r.reason}|${r.target.kind}:${r.target.id}|${r.reply.text}`;
    expect(restarted.rows.map(key).sort()).toEqual(plain.rows.map(key).sort());
    expect(new Set(restarted.rows.map(key)).size).toBe(restarted.rows.length);
    const aug = (await restarted.h.store.jobRuns.get('due-soon', '2026-08'))!;
    expect(aug.trigger).toBe('catchup');
    expect(localDateKey(aug.ranAt)).toBe('2026-08-23');
  });
});
