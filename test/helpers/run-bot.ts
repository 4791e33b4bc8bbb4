import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

/**
 * The instant a child-process bot starts its clock at unless a test chooses another
 * (`HUMIAO_CLOCK`): a Wednesday in June with no job due, so what a test expects never depends on
 * the day the suite happens to run.
 */
export const TEST_NOW = '2026-06-10T10:00:00+08:00';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'humiao-e2e-'));
}

/** Run `src/main.ts` (what `npm start` runs) with lines on stdin, as a script would. */
export function runBot(lines: string[], env: Record<string, string> = {}, args: string[] = []): RunResult {
  return run('src/main.ts', args, `${lines.join('\n')}\n`, env);
}

/** Run the admin CLI (what `npm run humiao --` runs). */
export function runCli(args: string[], env: Record<string, string> = {}): RunResult {
  return run('src/cli/index.ts', args, '', env);
}

/**
 * Run `src/main.ts` under `wrapper` (a command and its arguments that ends by running the rest of
 * its command line, e.g. `unshare … sh -c '…; exec "$@"' sh`).
 */
export function runBotWrapped(wrapper: string[], lines: string[], env: Record<string, string> = {}): RunResult {
  return run('src/main.ts', [], `${lines.join('\n')}\n`, env, wrapper);
}

function run(entry: string, args: string[], input: string, env: Record<string, string>, wrapper: string[] = []): RunResult {
  const command = [...wrapper, process.execPath, '--import', 'tsx', entry, ...args];
  const r = spawnSync(command[0]!, command.slice(1), {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      WECOM_BOT_ID: '',
      HUMIAO_CONFIG: join(root, 'humiao.config.example.yaml'),
      HUMIAO_DATA_DIR: tempDataDir(),
      LOG_LEVEL: 'warn',
      HUMIAO_CLOCK: TEST_NOW,
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
