import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_NOW } from './run-bot.js';

/** The repository root, where `npm start` runs. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface BotProcess {
  child: ChildProcess;
  /** stderr lines (the JSON log) as they arrive. */
  stderr: string[];
  exit: Promise<number | null>;
}

/**
 * `npm start` as an admin runs it, with `env` on top of this process's environment (a key set to
 * undefined is removed). `cleanups` gets a step that stops the whole npm → tsx → node chain.
 */
export function spawnBot(env: Record<string, string | undefined>, cleanups: Array<() => Promise<void> | void>): BotProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env, HUMIAO_CLOCK: TEST_NOW, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const child = spawn('npm', ['start', '--silent'], {
    cwd: repoRoot,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so the whole chain can be stopped together.
    detached: true,
  });
  const stderr: string[] = [];
  let buf = '';
  child.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    stderr.push(...lines.filter(Boolean));
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      stopBot({ child, stderr, exit });
      await exit;
    }
  });
  return { child, stderr, exit };
}

/** SIGTERM to the bot's process group. */
export function stopBot(bot: BotProcess): void {
  try {
    process.kill(-bot.child.pid!, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

/** Log lines at warn (40) or above; anything that is not a log line (a stack trace) counts too. */
export const loud = (lines: string[]): string[] =>
  lines.filter((l) => {
    try {
      return (JSON.parse(l) as { level: number }).level >= 40;
    } catch {
      return true;
    }
  });
