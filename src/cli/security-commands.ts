import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { bootstrap } from '../bootstrap.js';
import { fieldCipherFromEnv } from '../domain/security/field-crypto.js';
import type { Logger } from '../log.js';
import { databaseFile } from '../paths.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { AuditRecord } from '../../store/store.js';

/** Who ran the admin CLI: the OS account, since the CLI has no login of its own. */
export function cliActor(): string {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? 'unknown';
  }
  return `os:${name}`;
}

/** One `cli-login` audit entry per CLI command run, naming the command (never its arguments' values). */
export function recordCliRun(commandPath: string, env: NodeJS.ProcessEnv = process.env, now = new Date()): void {
  const store = openSqliteStore(databaseFile(env), { cipher: fieldCipherFromEnv(env) });
  try {
    store.audit.append({ at: now, actor: cliActor(), action: 'cli-login', detail: commandPath });
  } finally {
    store.close();
  }
}

function renderEntry(e: AuditRecord): string {
  const when = e.at.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  return [`#${e.id}`, when, e.actor, e.action, e.caseCode ?? '-', e.reason ? `原因：${e.reason}` : '', e.detail ?? ''].filter(Boolean).join('  ');
}

/** `audit verify` and `audit show --case CODE`. */
export function registerAuditCommands(program: Command, log: Logger, out: (s: string) => void): void {
  const audit = program.command('audit').description('访问审计记录（只增不改，带哈希链）');
  audit
    .command('verify')
    .description('校验审计记录的哈希链；有记录被改动或删除时退出码为 1，并指出第一条出问题的记录')
    .action(() => {
      const deps = bootstrap(log);
      try {
        const r = deps.store.audit.verify();
        if (r.ok) out(`审计记录完整：共 ${r.count} 条，哈希链校验通过。`);
        else {
          out(`审计记录被篡改：${r.problem}（此前 ${r.count} 条校验通过）。`);
          process.exitCode = 1;
        }
      } finally {
        deps.store.close();
      }
    });
  audit
    .command('show')
    .description('列出审计记录')
    .option('--case <code>', '只看某个个案，例如 DJ-2026-0001')
    .action((opts: { case?: string }) => {
      const deps = bootstrap(log);
      try {
        const entries = deps.store.audit.list(opts.case ? { caseCode: opts.case.trim().toUpperCase() } : {});
        out(entries.length ? entries.map(renderEntry).join('\n') : opts.case ? `个案 ${opts.case} 没有审计记录。` : '还没有审计记录。');
      } finally {
        deps.store.close();
      }
    });
}
