import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bootstrapTown, clockOf } from '../bootstrap.js';
import { ConfigError } from '../config/load.js';
import { loadCountyConfig, townSettings } from '../county/config.js';
import type { CliRun } from './town-context.js';
import { countyMarkdown, type TownQuarter } from '../domain/followup/county-markdown.js';
import { periodRange } from '../domain/calendar/shanghai.js';
import { statsFor } from '../../schedules/jobs/quarterly.js';
import { cliActor } from './security-commands.js';

/**
 * `report county`: the county admin's quarterly aggregate over every town of
 * HUMIAO_COUNTY_CONFIG. Each town's store is opened in turn, counted and closed; each town's
 * audit log records that its figures were read for the county report.
 */
export function registerCountyCommands(report: Command, run: CliRun, out: (s: string) => void): void {
  report
    .command('county')
    .requiredOption('--quarter <quarter>', '季度，例如 2026Q4')
    .option('--out <file>', '输出 markdown 文件（不填则输出到屏幕）')
    .description('县级汇总：各镇季度进展统计与全县合计（只有数字）')
    .action(async (opts: { quarter: string; out?: string }) => {
      const path = run.settings.countyConfigFile;
      if (!path) throw new ConfigError('县级汇总需要县级配置：请设置 HUMIAO_COUNTY_CONFIG');
      if (!/^\d{4}Q[1-4]$/.test(opts.quarter)) throw new ConfigError(`--quarter 应为 2026Q4 这样的格式，收到「${opts.quarter}」`);
      const county = loadCountyConfig(path);
      const clock = clockOf(run.settings);
      const now = clock.now();
      const { start, end } = periodRange(opts.quarter);
      if (start > now) throw new ConfigError(`${opts.quarter} 还没有开始，无法统计`);
      const asOf = now < end ? now : end;
      const towns: TownQuarter[] = [];
      for (const config of county.towns) {
        const deps = await bootstrapTown(config, townSettings(run.settings, config.townId), run.log, { clock });
        try {
          await deps.store.audit.append({ at: now, actor: cliActor(run.settings), action: 'cli-login', detail: `report county ${opts.quarter}` });
          towns.push({ town: config.town, stats: await statsFor(deps, opts.quarter, asOf) });
        } finally {
          await deps.store.close();
        }
      }
      const md = countyMarkdown(county.county, opts.quarter, towns);
      if (!opts.out) return out(md);
      writeFileSync(resolve(opts.out), `${md}\n`, { mode: 0o600 });
      out(`已写入 ${resolve(opts.out)}`);
    });
}
