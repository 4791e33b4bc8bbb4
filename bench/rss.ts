import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RssResult {
  readyMs: number;
  /** Resident memory once start-up catch-up work is done: no job run logged for `settleMs`, at least `settleMs` after ready. */
  rssMb: number;
  /** Peak resident memory of the process (VmHWM). */
  peakMb: number;
}

const kb = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;

/**
 * The bot as `npm start` runs it (console channel, stdin held open), on the given data dir. At
 * start-up the scheduler catches up the month's jobs, so on a county-size database this is the
 * memory of the bot doing its heaviest routine work.
 */
export function botRss(env: Record<string, string>, settleMs = 5_000): Promise<RssResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['scripts/run.mjs', 'src/main.js'], {
      env: { ...process.env, WECOM_BOT_ID: '', TELEGRAM_BOT_TOKEN: '', LOG_LEVEL: 'info', ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    let readyMs = 0;
    let timer: NodeJS.Timeout | undefined;
    // The catch-up waits for the first message or a grace period and then runs job after job: the
    // reading is taken once the log has shown no job run for settleMs, so it is the memory after them.
    const settle = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        child.stdin.end();
        child.kill();
        resolve({ readyMs, rssMb: kb(status, 'VmRSS'), peakMb: kb(status, 'VmHWM') });
      }, settleMs);
    };
    child.stderr.on('data', (c: Buffer) => {
      const text = c.toString();
      err += text;
      if (!readyMs && err.includes('"msg":"ready"')) {
        readyMs = performance.now() - t0;
        settle();
      } else if (readyMs && text.includes('"msg":"job ran"')) settle();
    });
    child.on('exit', (code) => {
      if (!readyMs) reject(new Error(`bot exited (${code}) before ready: ${err.slice(0, 500)}`));
    });
  });
}
