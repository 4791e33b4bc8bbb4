import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { benchPgUrl, probePostgres } from '../../bench/postgres-target.js';
import { root } from '../helpers/run-bot.js';

// Benchmarks are not part of `npm test`; this only keeps `npm run bench` runnable, at tiny sizes,
// and asserts nothing about speed.
describe('npm run bench --smoke', () => {
  it('runs every suite and prints its tables without writing results', async () => {
    // The bench decides the same way: with a server it must run PostgreSQL beside SQLite, without one say why not.
    const pg = await probePostgres(benchPgUrl());
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('### Q&A latency per question');
    expect(r.stdout).toContain('### Start-up to ready');
    expect(r.stdout).toContain('### Turns through the WeCom long-connection path');
    expect(r.stdout).toContain('### Store at scale, with PostgreSQL and lowdb beside SQLite');
    expect(r.stdout).toContain('### Reminder fan-out');
    expect(r.stdout).toContain('### Memory of the bot process');
    expect(r.stdout).toContain('### What a user feels on a full store');
    expect(r.stdout).toContain('### Commands as an operator runs them');
    // Every reply the bench sent was checked, and each was the one expected.
    expect(r.stdout).toMatch(/\| 冒烟（200 个案） \| [^|]+ \| [^|]+ \| [^|]+ \| 0 \|/);
    // Each monthly job ran over the store under load, and did its work.
    expect(r.stdout).toMatch(/\| 冒烟（200 个案） \| （无任务，仅交互负载：下限） \|/);
    expect(r.stdout).toMatch(/\| +\| 年龄节点复核 \| 复核提示 \d+ 条 \|/);
    expect(r.stdout).toMatch(/\| +\| 逾期通报 \| 逾期 [1-9]\d* 件/);
    expect(r.stdout).toMatch(/\| +\| 走访到期提醒 \| 待联系 [1-9]\d* 件/);
    expect(r.stdout).not.toContain('(wrong)');
    // The randomised mix on the full store: every reply checked, none wrong or missing.
    expect(r.stdout).toContain('### A randomised mix of turns on the full store, with group chats');
    expect(r.stdout).toMatch(/\| 冒烟（200 个案） \| \d+ \| 10 \| [1-9]\d* in 2 s \| [^|]+ \| [^|]+ \| 0 \| 0 \| [^|]+ \| 0 \|/);
    expect(r.stdout).not.toContain('PostgreSQL run failed');
    if (pg.ok) {
      expect(r.stdout).toContain('| scale | measure | SQLite | PostgreSQL | PG ÷ SQLite | lowdb | lowdb ÷ SQLite |');
      expect(r.stdout).toMatch(/\| write p50 \/ p99 \| [\d.]+ (µs|ms) \/ [\d.]+ (µs|ms) \| [\d.]+ (µs|ms) \/ [\d.]+ (µs|ms) \|/);
      // The bot's write beside the server's floors, the WAL flush among them.
      const t = '[\\d.]+ (µs|ms)';
      const trio = `${t} / ${t} / ${t}`;
      expect(r.stdout).toContain('### PostgreSQL: a write and its floors');
      expect(r.stdout).toMatch(new RegExp(`\\| 冒烟（200 个案） \\| store write \\(lock \\+ lease check \\+ INSERT \\+ UPDATE, then commit: two round trips\\) \\| ${trio} \\|`));
      expect(r.stdout).toMatch(new RegExp(`\\| +\\| floor: \`SELECT 1\` round trip \\| ${trio} \\|`));
      expect(r.stdout).toMatch(new RegExp(`\\| +\\| WAL flush \\(difference of medians\\) \\| ${t} \\|`));
      // Writes under load on PostgreSQL: each job did its work beside them, and no write failed.
      expect(r.stdout).toContain('### PostgreSQL under load');
      expect(r.stdout).toMatch(new RegExp(`\\| 冒烟（200 个案） \\| （无任务，仅并发写入：下限） \\| — \\| ${t} \\| ${trio} \\| ${t} \\(${t}\\) \\| ${trio} \\| [1-9]\\d* \\| 0 \\|`));
      expect(r.stdout).toMatch(new RegExp(`\\| +\\| 年龄节点复核 \\| 复核提示 \\d+ 条 \\| ${t} \\| ${trio} \\| ${t} \\(${t}\\) \\| ${trio} \\| \\d+ \\| 0 \\|`));
      expect(r.stdout).toMatch(new RegExp(`\\| +\\| 逾期通报 \\| 逾期 [1-9]\\d* 件[^|]* \\| ${t} \\| ${trio} \\| ${t} \\(${t}\\) \\| ${trio} \\| \\d+ \\| 0 \\|`));
      expect(r.stdout).toMatch(new RegExp(`\\| +\\| 走访到期提醒 \\| 待联系 [1-9]\\d* 件[^|]* \\| ${t} \\| ${trio} \\| ${t} \\(${t}\\) \\| ${trio} \\| \\d+ \\| 0 \\|`));
      // The county process on PostgreSQL came up, caught up every town (jobs ran), and logged no error.
      expect(r.stdout).toContain('### Memory of a county process on PostgreSQL');
      expect(r.stdout).toMatch(new RegExp(`\\| 2 \\| 200 \\| ${t} \\| \\d+ MB \\| ${t} \\([1-9]\\d* done, \\d+ skipped\\) \\| \\d+ MB \\| \\d+ MB \\| 0 \\|`));
    } else {
      expect(r.stdout).toContain('PostgreSQL not measured');
      expect(r.stdout).not.toContain('### PostgreSQL under load');
    }
    // Spawns the bot a dozen times (start-up, restarts, commands): on a shared 2-core box that is a minute.
  }, 180_000);
});
