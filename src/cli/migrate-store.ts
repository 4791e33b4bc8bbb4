import type { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { fieldCipherFor } from '../domain/security/field-crypto.js';
import type { Settings } from '../config/settings.js';
import { databaseFile } from '../../store/paths.js';
import {
  migrateSqliteToPostgres,
  MigrationSourceError,
  MigrationTargetError,
  MigrationVerifyError,
  type MigrationResult,
} from '../../store/migrate-to-postgres.js';
import { PgConnectError, PgQueryError } from '../../store/postgres/pg-pool-db.js';
import { cliActor } from './security-commands.js';
import { cliTown, type CliRun } from './town-context.js';

const fmt = (n: number): string => n.toLocaleString('en-US');

function renderResult(r: MigrationResult, from: string): string {
  const width = Math.max(...r.tables.map((t) => t.table.length));
  return [
    `已把本镇数据从 SQLite（${from}）迁移到 PostgreSQL 模式 ${r.schema}：`,
    ...r.tables.map((t) => `  ${t.table.padEnd(width)}  ${fmt(t.rows).padStart(9)} 行`),
    `共 ${r.tables.length} 张表 ${fmt(r.rows)} 行，用时 ${(r.ms / 1000).toFixed(1)} 秒。各表行数一致，个案逐条读出比对一致，审计记录哈希链校验通过（${fmt(r.auditEntries)} 条，含本次迁移记录）。`,
    '下一步：设置 DATABASE_URL 后启动机器人。SQLite 中的数据保持原样，需要回退时去掉 DATABASE_URL 即可（见 docs/migrate-to-postgres.md）。',
  ].join('\n');
}

/**
 * The settings without the database URL: where the town's SQLite file is. The command's own
 * cli-login entry is written there too (src/cli/index.ts), so it is copied with the rest of the
 * log rather than landing in the PostgreSQL schema that must still be empty.
 */
export function sqliteSettings(settings: Settings): Settings {
  return { ...settings, store: { dataDir: settings.store.dataDir } };
}

/** `migrate-store --to postgres`: copies the town's SQLite file into its PostgreSQL schema. */
export function registerMigrateStoreCommand(program: Command, run: CliRun, out: (s: string) => void): void {
  program
    .command('migrate-store')
    .description('把本镇数据从 SQLite 文件迁移到 PostgreSQL（DATABASE_URL）；迁移前请先停止机器人，见 docs/migrate-to-postgres.md')
    .requiredOption('--to <database>', '目标数据库，目前只能是 postgres')
    .action(async (opts: { to: string }) => {
      if (opts.to !== 'postgres') throw new ConfigError(`--to 目前只能是 postgres，收到「${opts.to}」`);
      const url = run.settings.store.databaseUrl;
      if (!url) {
        throw new ConfigError('没有设置 DATABASE_URL：请设置为目标 PostgreSQL 数据库的连接串（例如 postgres://用户名:密码@主机:5432/库名）后再迁移');
      }
      // The town as it runs on SQLite: in a county, its own data directory under HUMIAO_DATA_DIR.
      const town = cliTown(sqliteSettings(run.settings));
      const from = databaseFile(town.settings.store.dataDir);
      let result: MigrationResult;
      try {
        result = await migrateSqliteToPostgres({ sqliteFile: from, url, town: town.config.townId, cipher: fieldCipherFor(town.settings.dataKey), actor: cliActor(run.settings) });
      } catch (e) {
        // Refusals and failed checks: one line, exit 1, and nothing was written to PostgreSQL.
        if (e instanceof MigrationSourceError || e instanceof MigrationTargetError || e instanceof MigrationVerifyError) {
          process.stderr.write(`迁移未进行：${e.message}\n`);
        } else if (e instanceof PgConnectError) {
          process.stderr.write(`无法连接 PostgreSQL（DATABASE_URL）：${e.reason}\n`);
        } else if (e instanceof PgQueryError) {
          process.stderr.write(`PostgreSQL 报错，迁移已撤销，没有写入任何内容：${e.message}\n`);
        } else {
          throw e;
        }
        process.exitCode = 1;
        return;
      }
      out(renderResult(result, from));
    });
}
