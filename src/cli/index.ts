import { Command, CommanderError } from 'commander';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { readSettings } from '../config/settings.js';
import { writeFileSync } from 'node:fs';
import { isMatrixFile, loadPlanFile, PlanFileError } from '../domain/plan/load.js';
import { MatrixFileError, matrixToYaml } from '../domain/plan/matrix-file.js';
import { hasErrors, renderPlan, renderProblems } from '../domain/plan/render.js';
import { withDeps } from './with-deps.js';
import { useBuildCaches } from '../bootstrap.js';
import { createLogger } from '../core/log.js';
import { csvChunks, jsonChunks } from './csv.js';
import { renderChatsReport } from './chats-report.js';
import { auditedExportStream } from '../domain/security/audited-export.js';
import { cliActor, recordCliRun, registerAuditCommands } from './security-commands.js';
import { closeCliStore, singleTownConfig, type CliRun } from './town-context.js';
import { registerFollowupCommands } from './followup-commands.js';
import { registerMigrateStoreCommand, sqliteSettings } from './migrate-store.js';
import { registerCountyCommands } from './county-commands.js';
import { StoreUnreachableError } from '../../store/open.js';
import { storageFailure } from '../../store/storage-failure.js';
import { BackupUnsupportedError } from '../../store/postgres/postgres-store.js';

async function* countRows<T>(rows: AsyncIterable<T>, each: () => void): AsyncGenerator<T> {
  for await (const r of rows) {
    each();
    yield r;
  }
}

const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** Every command, on one run's settings and logger. */
function buildProgram(run: CliRun): Command {
  const program = new Command('humiao')
    .description('护苗助手管理命令')
    .showHelpAfterError()
    .exitOverride()
    .option('--town <id>', '县级部署（HUMIAO_COUNTY_CONFIG）中要操作的镇标识');

  // Every command run leaves a cli-login audit entry (docs/domain-rules.md P6), before it touches anything.
  program.hook('preAction', async (_root, action) => {
    const town = program.opts<{ town?: string }>().town;
    if (town) run.settings = { ...run.settings, town };
    const names: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
    // migrate-store records its run in the SQLite file it copies, so the PostgreSQL schema stays empty until the copy.
    const settings = names[0] === 'migrate-store' ? sqliteSettings(run.settings) : run.settings;
    // The county report reads every town and records itself in each town's log.
    if (names.join(' ') === 'report county') return;
    // Verifying a damaged log must still report on it, even when the log cannot take an entry.
    if (names.join(' ') === 'audit verify') {
      try {
        await recordCliRun(names.join(' '), settings);
      } catch {
        // verify says what is wrong, in one line.
      }
      return;
    }
    await recordCliRun(names.join(' '), settings);
  });

  const plan = program.command('plan').description('实施方案（责任矩阵）');
  plan
    .command('show')
    .description('显示当前配置的实施方案解析出的责任矩阵；解析有问题时退出码为 1')
    .action(() => {
      const cfg = singleTownConfig(run.settings);
      const m = readPlan(cfg.planPath);
      out(renderPlan(m));
      if (hasErrors(m) || m.categories.length === 0) process.exitCode = 1;
    });
  plan
    .command('check')
    .argument('<file>', '要检查的实施方案文本文件，或 plan import 生成并核对过的责任矩阵 YAML')
    .description('检查一份实施方案（或责任矩阵 YAML）能否使用，列出每一句无法归类的话及其行号；有问题时退出码为 1')
    .action((file: string) => {
      const m = readPlan(resolve(file));
      const tasks = m.categories.reduce((n, c) => n + c.tasks.length, 0);
      const summary = `${file}：${m.categories.length} 类工作对象，共 ${tasks} 项工作内容，${m.frequencies.length} 项工作频次。`;
      if (m.categories.length === 0) {
        out(renderProblems([...m.problems, { line: 0, message: '没有识别出任何工作对象类别', text: '' }]));
        process.exitCode = 1;
        return;
      }
      out(`${summary}\n${renderProblems(m.problems)}`);
      if (hasErrors(m)) process.exitCode = 1;
    });
  plan
    .command('import')
    .argument('<file>', '实施方案文本文件')
    .option('-o, --out <path>', '输出的责任矩阵 YAML 路径（默认：同名 .matrix.yaml）')
    .description('把实施方案读成可核对的责任矩阵 YAML（类别、定义、年龄、牵头和责任单位、任务及承担单位、频次、要求，各注条款和行号）；核对后可在配置中 plan: 指向它')
    .action((file: string, opts: { out?: string }) => {
      const source = resolve(file);
      if (isMatrixFile(source)) throw new ConfigError(`${file} 已是责任矩阵 YAML；plan import 读取的是实施方案文本`);
      const m = readPlan(source);
      const target = resolve(opts.out ?? source.replace(/\.[^./\\]+$/, '') + '.matrix.yaml');
      writeFileSync(target, matrixToYaml(m, file), 'utf8');
      out(`已写出 ${target}：${m.categories.length} 类工作对象，${m.categories.reduce((n, c) => n + c.tasks.length, 0)} 项工作内容，${m.frequencies.length} 项频次。`);
      if (m.problems.length > 0) out(renderProblems(m.problems));
      out('请核对后在配置文件中写 plan: 指向该文件，并用 plan check 检查。');
      if (hasErrors(m) || m.categories.length === 0) process.exitCode = 1;
    });

  /** A plan file for the CLI: unreadable files and invalid matrix YAML are one Chinese line and exit 2. */
  function readPlan(path: string) {
    try {
      return loadPlanFile(path);
    } catch (err) {
      if (err instanceof PlanFileError || err instanceof MatrixFileError) throw new ConfigError(err.message);
      throw err;
    }
  }

  const cases = program.command('cases').description('个案');
  cases
    .command('export')
    .description('导出个案（输出到标准输出）')
    .option('--format <format>', 'json 或 csv', 'json')
    .action((opts: { format: string }) => {
      if (opts.format !== 'json' && opts.format !== 'csv') throw new ConfigError(`--format 只能是 json 或 csv，收到「${opts.format}」`);
      return withDeps(run, async (deps) => {
        // Streamed with backpressure: a county's 100,000 cases in constant memory.
        const t = performance.now();
        const rows = auditedExportStream(deps.store, cliActor(run.settings), deps.clock.now(), opts.format);
        let n = 0;
        let buf = '';
        for await (const piece of opts.format === 'json' ? jsonChunks(countRows(rows, () => n++)) : csvChunks(countRows(rows, () => n++))) {
          buf += piece;
          if (buf.length < 64 * 1024) continue;
          if (!process.stdout.write(buf)) await once(process.stdout, 'drain');
          buf = '';
        }
        if (buf && !process.stdout.write(buf)) await once(process.stdout, 'drain');
        process.stderr.write(`已导出 ${n} 个案，用时 ${((performance.now() - t) / 1000).toFixed(1)} 秒\n`);
      });
    });

  program
    .command('backup')
    .argument('<file>', '备份文件路径')
    .description('在线备份数据库（机器人运行时也可执行）')
    .action(async (file: string) => {
      return withDeps(run, async (deps) => {
        await deps.store.backup(resolve(file));
        out(`已备份到 ${resolve(file)}`);
      });
    });


  program
    .command('chats')
    .description('列出已配置的群和成员是否已与机器人说过话（机器人只能向说过话的会话推送），以及未配置的会话')
    .action(() => {
      return withDeps(run, async (deps) => {
        out(await renderChatsReport(deps.config, deps.store));
      });
    });

  registerAuditCommands(program, run, out);
  registerFollowupCommands(program, run, out);
  registerMigrateStoreCommand(program, run, out);
  registerCountyCommands(program.commands.find((c) => c.name() === 'report')!, run, out);
  return program;
}

try {
  // The environment is read here once, for the whole run; the commands get typed settings.
  const settings = readSettings(process.env);
  useBuildCaches();
  await buildProgram({ log: createLogger(settings.logLevel ?? 'warn'), settings }).parseAsync(process.argv);
  await closeCliStore();
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof ConfigError || err instanceof BackupUnsupportedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof StoreUnreachableError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(err.exitCode);
  }
  const storage = storageFailure(err);
  if (storage) {
    process.stderr.write(`${storage.message}\n`);
    process.exit(storage.exitCode);
  }
  // Anything else (a corrupt field, a damaged table, a full disk) is one line too, never a stack.
  process.stderr.write(`操作失败：${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300)}\n`);
  process.exit(1);
}
