import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Time from spawning the bot (console channel, the same `tsx src/main.ts` that `npm start`
 * runs) to its `ready` log line. npm's own start-up is not the bot's and is left out.
 */
export function startupOnce(entry: string[] = ['--import', 'tsx', 'src/main.ts']): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-bench-'));
  return new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, entry, {
      env: { ...process.env, LOG_LEVEL: 'info', HUMIAO_DATA_DIR: dir, WECOM_BOT_ID: '' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('"msg":"ready"')) {
        const t = performance.now() - t0;
        child.stdin.end();
        child.kill();
        resolve(t);
      }
    });
    child.on('exit', (code) => {
      if (!err.includes('"msg":"ready"')) reject(new Error(`bot exited (${code}) before ready: ${err.slice(0, 500)}`));
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** The floor: a compiled hello-world Node process, spawn to exit. */
export function helloWorldStart(): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    spawn(process.execPath, ['-e', 'process.stdout.write("ready")'], { stdio: 'ignore' }).on('exit', () => resolve(performance.now() - t0));
  });
}
