import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withDeps } from './with-deps.js';
import type { CliRun } from './town-context.js';
import { quarterlyMarkdown } from '../domain/followup/quarterly-markdown.js';
import { planRhythm, rhythmSources } from '../domain/followup/plan-rhythm.js';
import type { Cadence } from '../../schedules/job.js';
import { buildJobs, calendarOf } from '../../schedules/jobs.js';
import { calendarWarning, periodRange, shanghaiTime } from '../domain/calendar/shanghai.js';
import { statsFor } from '../../schedules/jobs/quarterly.js';
import { JobRunner, UnknownJobError } from '../../schedules/runner.js';

export function describeCadence(c: Cadence): string {
  const day = c.day > 0 ? `${c.day}日` : c.day === -1 ? '最后一天' : `倒数第${-c.day}天`;
  return c.every === 'month' ? `每月${day} ${c.time}` : `每季度第${c.monthOfQuarter}个月${day} ${c.time}`;
}

function usage(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

/**
 * `job list`, `job run`, `report quarterly`. `job run` only computes and queues: it opens the
 * store, never a WeCom connection — the running bot's outbox worker sends what it queued.
 */
export function registerFollowupCommands(program: Command, run: CliRun, out: (s: string) => void): void {
  const job = program.command('job').description('定时任务（走访提醒、逾期通报、排查调度、季度统计）');
  job
    .command('list')
    .description('列出每个定时任务的时间、上次执行和下次执行')
    .action(() => {
      return withDeps(run, async (deps) => {
        const runner = new JobRunner(deps, buildJobs(deps));
        const lines = (await runner.list()).map(({ job: j, last, next }) => {
          const lastText = last ? `${last.period}，${shanghaiTime(last.ranAt)}（${{ cron: '定时', catchup: '补执行', manual: '手动' }[last.trigger]}${last.status === 'skipped' ? '，已跳过' : ''}）${last.summary ? `：${last.summary}` : ''}` : '尚未执行';
          return [`${j.name}  ${j.title}`, `  时间：${describeCadence(j.cadence)}${j.workdaysOnly ? '（遇节假日顺延到下一个工作日）' : ''}`, `  上次：${lastText}`, `  下次：${shanghaiTime(next)}`].join('\n');
        });
        const gap = calendarWarning(calendarOf(deps), deps.clock.now());
        const sources = rhythmSources(deps.config.followup) ?? planRhythm(deps.plan, deps.config.followup).sources;
        const rules = ['跟进规则（来源）：', ...sources.map((r) => `  ${r.what}：${r.rule}　〔${r.from}〕`)];
        out([...(gap ? [`注意：${gap}`] : []), ...lines, '', ...rules].join('\n'));
      });
    });
  job
    .command('run')
    .argument('<name>', '任务名（见 job list）')
    .option('--at <iso>', '按这一时刻计算（ISO-8601，例如 2026-12-01T09:00:00+08:00），默认现在')
    .description('立即按某一时刻计算任务，把消息放入待发送队列（由运行中的机器人发送）；同一期不会重复执行')
    .action((name: string, opts: { at?: string }) => {
      const at = opts.at ? new Date(opts.at) : undefined;
      if (at && Number.isNaN(at.getTime())) return usage(`--at 不是有效的时间：「${opts.at}」（应为 ISO-8601，例如 2026-12-01T09:00:00+08:00）`);
      return withDeps(run, async (deps) => {
        try {
          const runner = new JobRunner(deps, buildJobs(deps));
          const before = await deps.store.outbox.pending();
          const o = await runner.runByName(name, at ?? deps.clock.now());
          if (o.result === 'already') {
            out(`${name} 的 ${o.period} 期已于 ${shanghaiTime(o.run.ranAt)} 执行过，本次没有放入任何消息。`);
          } else if (o.result === 'skipped') {
            out(`${name} 的 ${o.period} 期已错过太久，记为跳过：${o.run.summary}`);
          } else {
            out(`已按 ${shanghaiTime(o.run.asOf)} 计算 ${name} 的 ${o.period} 期：${o.run.summary}。新增 ${await deps.store.outbox.pending() - before} 条待发送消息，由运行中的机器人发送。`);
          }
        } catch (err) {
          if (err instanceof UnknownJobError) return usage(err.message);
          throw err;
        }
      });
    });

  const report = program.command('report').description('统计报表');
  report
    .command('quarterly')
    .requiredOption('--quarter <quarter>', '季度，例如 2026Q4')
    .option('--format <format>', 'md 或 xlsx', 'md')
    .option('--out <file>', '输出文件（xlsx 必填；md 不填则输出到屏幕）')
    .description('季度工作进展统计（只有数字，不含姓名和身份证号）')
    .action(async (opts: { quarter: string; format: string; out?: string }) => {
      if (!/^\d{4}Q[1-4]$/.test(opts.quarter)) return usage(`--quarter 应为 2026Q4 这样的格式，收到「${opts.quarter}」`);
      if (opts.format !== 'md' && opts.format !== 'xlsx') return usage(`--format 只能是 md 或 xlsx，收到「${opts.format}」`);
      if (opts.format === 'xlsx' && !opts.out) return usage('xlsx 格式需要用 --out 指定输出文件');
      return withDeps(run, async (deps) => {
        const now = deps.clock.now();
        const { start, end } = periodRange(opts.quarter);
        if (start > now) return usage(`${opts.quarter} 还没有开始，无法统计`);
        const stats = await statsFor(deps, opts.quarter, now < end ? now : end);
        if (opts.format === 'md') {
          const md = quarterlyMarkdown(stats, deps.config.town);
          if (opts.out) {
            writeFileSync(resolve(opts.out), `${md}\n`, { mode: 0o600 });
            out(`已写入 ${resolve(opts.out)}`);
          } else out(md);
        } else {
          // exceljs takes ~0.2 s to load: only the command that writes a workbook pays for it.
          const { quarterlyWorkbook } = await import('../domain/followup/quarterly-xlsx.js');
          await quarterlyWorkbook(stats, deps.config.town).xlsx.writeFile(resolve(opts.out!));
          out(`已写入 ${resolve(opts.out!)}`);
        }
      });
    });
}
