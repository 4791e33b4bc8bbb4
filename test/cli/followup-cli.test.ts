import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { addCase } from '../helpers/followup-fixtures.js';
import { runCli, tempDataDir } from '../helpers/run-bot.js';

/** A data dir with two 留守 cases registered in September, one contacted in October. */
async function seeded(): Promise<Record<string, string>> {
  const dir = tempDataDir();
  const store = await openSqliteStore(join(dir, 'humiao.db'));
  const a = await addCase(store, { code: 'DJ-2026-0001', createdAt: fromLocal(2026, 9, 1), name: '王小明' });
  await addCase(store, { code: 'DJ-2026-0002', createdAt: fromLocal(2026, 9, 2), name: '李大壮', village: '霸王村' });
  await store.followup.addContact({ caseId: a.id, date: '2026-10-12', method: '上门', notes: '平稳', riskLevel: null, loggedBy: 'wangwu', createdAt: fromLocal(2026, 10, 12) });
  await store.close();
  // The CLI runs on 2026-12-01, after the quarter began: the report and the job list depend on the day.
  return { HUMIAO_DATA_DIR: dir, HUMIAO_CLOCK: '2026-12-01T10:00:00+08:00' };
}

const pending = async (env: Record<string, string>) => {
  const store = await openSqliteStore(join(env.HUMIAO_DATA_DIR!, 'humiao.db'));
  try {
    return await store.outbox.list(1000);
  } finally {
    await store.close();
  }
};

describe('follow-up commands', () => {
  it('job list shows every job with its schedule and next run', async () => {
    const r = runCli(['job', 'list'], await seeded());
    expect(r.code).toBe(0);
    for (const name of ['due-soon', 'overdue', 'age-review', 'screening-dispatch', 'screening-reminder', 'quarterly-progress']) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain('每月20日 09:00');
    expect(r.stdout).toContain('尚未执行');
    expect(r.stdout).toMatch(/下次：\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  });

  it('job run queues the period’s messages without connecting to WeCom, and never twice', async () => {
    // With a bot id set, a CLI that opened WeCom would hang or fail: it must not try.
    const env = { ...await seeded(), WECOM_BOT_ID: 'bot-should-not-connect', WECOM_BOT_SECRET: 'x' };
    const first = runCli(['job', 'run', 'overdue', '--at', '2026-11-02T09:00:00+08:00'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('2026-11 期');
    const rows = await pending(env);
    // Case 2 missed October: its mentor 王五 hears privately; the broadcast group gets a count.
    expect(rows.some((r) => r.target.id === 'wangwu' && r.reply.text.includes('DJ-2026-0002'))).toBe(true);
    const group = rows.find((r) => r.target.id === 'wrkGroup1')!;
    expect(group.reply.text).toContain('<3');
    expect(group.reply.text).not.toMatch(/李大壮|DJ-2026/);
    const again = runCli(['job', 'run', 'overdue', '--at', '2026-11-15T09:00:00+08:00'], env);
    expect(again.stdout).toContain('执行过');
    expect(await pending(env)).toHaveLength(rows.length);
    const list = runCli(['job', 'list'], env);
    expect(list.stdout).toMatch(/上次：2026-11，[^\n]*手动/);
  });

  it('job run refuses an unknown job or a bad --at with exit 2', async () => {
    const env = await seeded();
    const bad = runCli(['job', 'run', 'nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('没有名为「nope」的任务');
    const at = runCli(['job', 'run', 'overdue', '--at', '明天'], env);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain('--at 不是有效的时间');
    expect(await pending(env)).toEqual([]);
  });

  it('report quarterly writes markdown and an xlsx workbook with counts only', async () => {
    const env = await seeded();
    const md = runCli(['report', 'quarterly', '--quarter', '2026Q4', '--format', 'md'], env);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('2026年第四季度');
    expect(md.stdout).toContain('| 2026年10月 | 1/2 | 50.0% |');
    const out = join(env.HUMIAO_DATA_DIR!, 'q4.xlsx');
    const x = runCli(['report', 'quarterly', '--quarter', '2026Q4', '--format', 'xlsx', '--out', out], env);
    expect(x.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概况', '按类别', '按村', '按风险等级', '新增', '结案', '走访', '帮扶覆盖率', '排查上报']);
    const village = wb.getWorksheet('按村')!;
    const rows = village.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(rows).toContainEqual(['王庄村', 1]);
    expect(rows).toContainEqual(['霸王村', 1]);
    const cov = wb.getWorksheet('帮扶覆盖率')!.getRow(2).values as unknown[];
    expect(cov.slice(1, 5)).toEqual(['2026-10', 2, 1, '50.0%']);
    const all = JSON.stringify(wb.worksheets.map((w) => w.getSheetValues()));
    expect(all).not.toMatch(/王小明|李大壮|DJ-2026|1381234/);
    expect(readFileSync(out).length).toBeGreaterThan(1000);
    const bad = runCli(['report', 'quarterly', '--quarter', '2026-4'], env);
    expect(bad.code).toBe(2);
  });
});
