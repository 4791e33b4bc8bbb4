import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { withDeps } from './with-deps.js';
import { clockOf } from '../bootstrap.js';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../config/load.js';
import { cliStore, type CliRun } from './town-context.js';
import type { AuditRecord } from '../domain/model/records.js';
import { purgeClosedBefore } from '../domain/privacy/purge.js';
import type { Store } from '../domain/ports/store.js';
import type { AuditVerifyResult } from '../domain/security/audit-chain.js';
import { findCaseCode } from '../domain/followup/contact-message.js';
import { TIME_ZONE, OFFSET_ISO, OFFSET_MS } from '../domain/calendar/shanghai.js';

/** `dj-2026-39402` as typed → the stored code; anything else is looked up as given. */
const typedCaseCode = (s: string) => findCaseCode(s)?.code ?? s.trim().toUpperCase();

/** Who ran the admin CLI: the OS account, since the CLI has no login of its own. */
export function cliActor(settings: Pick<Settings, 'osUser'>): string {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = settings.osUser ?? 'unknown';
  }
  return `os:${name}`;
}

/** One `cli-login` audit entry per CLI command run, naming the command (never its arguments' values). */
export async function recordCliRun(commandPath: string, settings: Settings, now = clockOf(settings).now()): Promise<void> {
  await (await cliStore(settings)).store.audit.append({ at: now, actor: cliActor(settings), action: 'cli-login', detail: commandPath });
}

function renderEntry(e: AuditRecord): string {
  const when = e.at.toLocaleString('zh-CN', { timeZone: TIME_ZONE, hour12: false });
  return [`#${e.id}`, when, e.actor, e.action, e.caseCode ?? '-', e.reason ? `原因：${e.reason}` : '', e.detail ?? ''].filter(Boolean).join('  ');
}

/** `2025-01-01` → the start of that day in China. */
function chinaDayStart(s: string): Date {
  const t = s.trim();
  const d = new Date(`${t}T00:00:00${OFFSET_ISO}`);
  // Round-trip check: rejects 2025-02-30 and anything not YYYY-MM-DD.
  const back = Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(t) || back !== t) {
    throw new ConfigError(`--closed-before 应为 YYYY-MM-DD 形式的日期，例如 2025-01-01，收到「${s}」`);
  }
  return d;
}

/** `cases purge --closed-before DATE [--yes]`: retention (docs/domain-rules.md P10), audited per case. */
function registerPurge(program: Command, run: CliRun, out: (s: string) => void): void {
  const cases = program.commands.find((c) => c.name() === 'cases') ?? program.command('cases').description('个案');
  cases
    .command('purge')
    .description('匿名化在某日之前结案的个案（保留编号、类别、村、性别、出生年份等统计所需信息）；不加 --yes 时只列出将处理的个案')
    .requiredOption('--closed-before <date>', '结案日期早于该日（YYYY-MM-DD）')
    .option('--yes', '确认执行')
    .action((opts: { closedBefore: string; yes?: boolean }) => {
      const cutoff = chinaDayStart(opts.closedBefore);
      return withDeps(run, async (deps) => {
        const now = deps.clock.now();
        if (!opts.yes) {
          const due = (await deps.store.cases
            .list())
            .filter((c) => c.status === 'closed' && c.closedAt && c.closedAt < cutoff && !c.dupKey.startsWith('anonymised:'));
          out(due.length ? `将匿名化 ${due.length} 个个案：${due.map((c) => c.code).join('、')}。确认请加 --yes 重新执行。` : `没有 ${opts.closedBefore} 之前结案、尚未匿名化的个案。`);
          return;
        }
        const codes = await deps.store.transaction(async () => {
          const done = await purgeClosedBefore(deps.store, cutoff, now);
          for (const code of done) await deps.store.audit.append({ at: now, actor: cliActor(run.settings), action: 'purge', caseCode: code, detail: `closed before ${opts.closedBefore}` });
          return done;
        });
        await deps.store.compact();
        out(codes.length ? `已匿名化 ${codes.length} 个个案：${codes.join('、')}。` : `没有 ${opts.closedBefore} 之前结案、尚未匿名化的个案。`);
      });
    });
}

/** What a raw database error says, without a stack: "no such table: audit_log" and the like. */
const short = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);

/**
 * `audit verify` in one line: the chain, the reasons, the signed head outside the table, and the
 * seal of every case row. A table that is gone or unreadable is a finding, not a crash.
 */
export async function verifyLine(store: Store): Promise<{ ok: boolean; text: string }> {
  let r: AuditVerifyResult;
  try {
    r = await store.audit.verify();
  } catch (err) {
    return { ok: false, text: `审计记录无法校验：审计表缺失或损坏（${short(err)}）。` };
  }
  if (!r.ok) return { ok: false, text: `审计记录被篡改：${r.problem}（此前 ${r.count} 条校验通过）。` };
  let seals: Awaited<ReturnType<NonNullable<Store['caseSeals']>['firstBroken']>> | undefined;
  try {
    seals = await store.caseSeals?.firstBroken();
  } catch (err) {
    return { ok: false, text: `审计记录共 ${r.count} 条校验通过，但个案表无法校验（${short(err)}）。` };
  }
  if (seals?.code) return { ok: false, text: `个案 ${seals.code} 的记录与其校验码不符：被直接改动或与其他个案的内容互换。审计记录共 ${r.count} 条校验通过。` };
  const head = r.headMissing ? '（尚无签名头：之后的第一条审计记录会写入）' : '，签名头相符';
  return { ok: true, text: `审计记录完整：共 ${r.count} 条，哈希链校验通过${head}；${seals?.count ?? 0} 个个案的校验码相符。` };
}

/** `audit verify`, `audit show --case CODE` and `cases purge`. */
export function registerAuditCommands(program: Command, run: CliRun, out: (s: string) => void): void {
  registerPurge(program, run, out);
  const audit = program.command('audit').description('访问审计记录（只增不改，带哈希链）');
  audit
    .command('verify')
    .description('校验审计记录的哈希链；有记录被改动或删除时退出码为 1，并指出第一条出问题的记录')
    .action(() => {
      return withDeps(run, async (deps) => {
        const line = await verifyLine(deps.store);
        out(line.text);
        if (!line.ok) process.exitCode = 1;
      });
    });
  audit
    .command('show')
    .description('列出审计记录')
    .option('--case <code>', '只看某个个案，例如 DJ-2026-0001')
    .action((opts: { case?: string }) => {
      return withDeps(run, async (deps) => {
        const entries = await deps.store.audit.list(opts.case ? { caseCode: typedCaseCode(opts.case) } : {});
        out(entries.length ? entries.map(renderEntry).join('\n') : opts.case ? `个案 ${opts.case} 没有审计记录。` : '还没有审计记录。');
      });
    });
}
