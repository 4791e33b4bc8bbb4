import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stats, type Stats } from './report.js';

/** The production entry points, as `npm start` and `npm run humiao` run them (compiled, see scripts/). */
export const BOT = ['scripts/run.mjs', 'src/main.js'];
export const CLI = ['scripts/run.mjs', 'src/cli/index.js'];

export interface FirstReply {
  readyMs: number;
  /** From writing the first message (right after `ready`) to its reply on stdout. */
  firstReplyMs: number;
  replyOk: boolean;
}

/**
 * A restart on a data dir: the bot (console channel) is spawned, and as soon as it logs `ready`
 * one question is typed; the time until its answer is what the first user after a restart waits.
 * `group` puts the conversation in a group chat, whose replies pass the group filter.
 */
export function firstReply(env: Record<string, string>, group?: string): Promise<FirstReply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...BOT, ...(group ? ['--group', group] : [])], {
      env: { ...process.env, WECOM_BOT_ID: '', TELEGRAM_BOT_TOKEN: '', LOG_LEVEL: 'info', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    let readyMs = 0;
    let sentAt = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (!readyMs && err.includes('"msg":"ready"')) {
        readyMs = performance.now() - t0;
        sentAt = performance.now();
        child.stdin.write('流浪乞讨未成年人由哪个单位牵头？\n');
      }
    });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      // The answer's own line: pushes the start-up catch-up prints (a 督办 list asks 牵头单位 to
      // act) must not pass for it.
      const answer = /^(.*)牵头单位：(.*)$/m.exec(out);
      if (sentAt && answer) {
        const firstReplyMs = performance.now() - sentAt;
        clearTimeout(timer);
        child.kill();
        resolve({ readyMs, firstReplyMs, replyOk: answer[1]!.includes('流浪乞讨') && answer[2]!.includes('镇民政所') });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!sentAt || !/牵头单位：/.test(out)) reject(new Error(`bot exited (${code}) before replying: ${err.slice(-500)}`));
    });
  });
}

export interface CommandTiming {
  wall: Stats;
  /** Peak resident memory of the command (GNU time's %M), MB. */
  peakMb: number;
}

/** A real command as an operator runs it, output to /dev/null; wall time and peak RSS. */
export function timeCommand(args: string[], env: Record<string, string>, runs: number): CommandTiming {
  const gnuTime = existsSync('/usr/bin/time');
  const wall: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
      : spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    wall.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-400)}`);
    const kb = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
    peak = Math.max(peak, kb / 1024);
  }
  return { wall: stats(wall), peakMb: peak };
}
