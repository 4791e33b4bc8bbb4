import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { FakeWecomServer, type Frame } from '../test/channels/wecom/fake-wecom-server.js';
import { stats, type Stats } from './report.js';
import { benchConfigWith, cpuMsOf } from './bot-process.js';

/**
 * Turns through the real WeCom long-connection path: a loopback server plays WeCom, the bot
 * runs as its own process (`tsx src/main.ts`, as `npm start` does) and many users chat with it.
 * A turn is timed from the callback frame leaving the server to the bot's finished stream reply
 * on the same req_id. Users are sequential (one message in flight each, as a person is) and
 * are many, so no chat exceeds WeCom's 30 messages a minute.
 */

const BOT = { botId: 'bench-bot', secret: 'bench-secret' };
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '小明刚强丽娜伟芳军杰涛敏静磊洋艳勇超秀英华';

function qaQuestions(): string[] {
  return (parse(readFileSync('test/fixtures/qa.yaml', 'utf8')) as Array<{ q: string }>).map((x) => x.q);
}

/**
 * One user's endless conversation: a 7-turn registration, then four questions, again and again.
 * Every registration is a different child (name and birth year unique up to 24,000 of them):
 * a repeated name, village and birth month is a likely duplicate, and the bot's 「仍要新建吗？」
 * would then take every later message of that user instead of the questions.
 */
function* conversation(user: number, users: number, questions: string[]): Generator<string> {
  const s = SURNAMES.length;
  const g = GIVEN.length;
  for (let round = 0; ; round++) {
    const k = round * users + user;
    const name = SURNAMES[k % s]! + GIVEN[Math.floor(k / s) % g]! + GIVEN[Math.floor(k / (s * g)) % g]!;
    const year = 2013 + (Math.floor(k / (s * g * g)) % 3);
    yield `新增个案：${name}，男，${year}年${(round % 12) + 1}月出生，王庄村，父母都在外地打工，由奶奶照顾`;
    // The mentor defaults to the reporter; 李四 is named at the summary so each save also pushes his notice.
    yield* ['小学', '张桂兰 13812345678', '不详', '修改 帮扶责任人', '李四', '确认'];
    for (let i = 0; i < 4; i++) yield questions[(user * 13 + round * 4 + i) % questions.length]!;
  }
}

export interface TurnsStep {
  target: number;
  achieved: number;
  latency: Stats;
  /** Sends skipped because every user was still waiting for an answer. */
  starved: number;
  /** Turns that got no finished reply within the step plus a grace second. */
  unanswered: number;
  /**
   * CPU time of the bot process (user + system) per answered turn, in ms, over the step and its
   * grace second; steadier than latency on a shared machine. NaN where /proc is not available.
   */
  botCpuPerTurnMs: number;
}

export interface TurnsResult {
  users: number;
  steps: TurnsStep[];
}

function benchConfig(users: number): string {
  return benchConfigWith(Array.from({ length: users }, (_, i) => ({ userid: `u${i}`, name: `用户${i}`, unit: '镇团委', role: 'staff' })));
}

async function startBot(url: string, users: number): Promise<{ child: ChildProcess; dirs: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'humiao-bench-data-'));
  const config = benchConfig(users);
  // BENCH_CPU_PROF=DIR writes a CPU profile of the bot there (node --cpu-prof), for finding hot spots.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, 'scripts/run.mjs', 'src/main.js'], {
    env: {
      ...process.env,
      WECOM_BOT_ID: BOT.botId,
      WECOM_BOT_SECRET: BOT.secret,
      WECOM_WS_URL: url,
      HUMIAO_CONFIG: config,
      HUMIAO_DATA_DIR: dataDir,
      HUMIAO_DATA_KEY: process.env.HUMIAO_DATA_KEY ?? Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, dirs: [dataDir, dirname(config)] };
}

export async function wecomTurns(opts: {
  users: number;
  rates: number[];
  stepSeconds: number;
  /** A first unreported step, so JIT warm-up and first-use caches do not count. */
  warmup?: { rate: number; seconds: number };
}): Promise<TurnsResult> {
  const questions = qaQuestions();
  const sentAt = new Map<string, { user: number; t: number; text: string }>();
  const idle: number[] = [];
  let samples: number[] = [];
  const onReply = (f: Frame): void => {
    if (f.cmd !== 'aibot_respond_msg' || !f.body?.stream?.finish) return;
    const s = sentAt.get(f.headers.req_id);
    if (!s) return;
    sentAt.delete(f.headers.req_id);
    samples.push(performance.now() - s.t);
    idle.push(s.user);
  };
  const server = await FakeWecomServer.start({ ...BOT, keepFrames: false, observe: onReply });
  const { child: bot, dirs } = await startBot(server.url, opts.users);
  try {
    await Promise.race([
      server.waitAuthenticated(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('bot did not connect within 20 s')), 20_000)),
    ]);
    const convs = Array.from({ length: opts.users }, (_, u) => conversation(u, opts.users, questions));
    for (let u = 0; u < opts.users; u++) idle.push(u);
    let msgSeq = 0;
    const send = (user: number): void => {
      const text = convs[user]!.next().value as string;
      const reqId = server.deliver({
        msgid: `bench-${++msgSeq}`,
        aibotid: BOT.botId,
        chattype: 'single',
        from: { userid: `u${user}` },
        msgtype: 'text',
        text: { content: text },
      });
      sentAt.set(reqId, { user, t: performance.now(), text });
    };
    const steps: TurnsStep[] = [];
    const plan = [...(opts.warmup ? [{ rate: opts.warmup.rate, seconds: opts.warmup.seconds, warm: true }] : []), ...opts.rates.map((rate) => ({ rate, seconds: opts.stepSeconds, warm: false }))];
    for (const { rate, seconds, warm } of plan) {
      samples = [];
      const cpu0 = cpuMsOf(bot.pid);
      let sent = 0;
      let starved = 0;
      const t0 = performance.now();
      const end = t0 + seconds * 1000;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const now = performance.now();
          if (now >= end) {
            clearInterval(timer);
            resolve();
            return;
          }
          const due = Math.floor(((now - t0) / 1000) * rate) - sent;
          for (let i = 0; i < due; i++) {
            const u = idle.shift();
            if (u === undefined) {
              starved++;
              continue;
            }
            send(u);
          }
          sent += due;
        }, 2);
      });
      // Let the last answers of this step arrive before counting.
      await new Promise((r) => setTimeout(r, 1000));
      const unanswered = sentAt.size;
      if (process.env.BENCH_DEBUG && unanswered) {
        const sample = [...sentAt.values()].slice(0, 8).map((x) => `u${x.user}:${x.text.slice(0, 12)}`);
        process.stderr.write(`unanswered at ${rate}/s: ${sample.join(' | ')}\n`);
      }
      // Users still waiting are dropped from the pool for good, so a slow step cannot hide.
      sentAt.clear();
      const answered = samples.length;
      const cpu = cpuMsOf(bot.pid) - cpu0;
      if (warm) continue;
      steps.push({
        target: rate,
        achieved: answered / seconds,
        latency: stats(samples.length ? samples : [Number.NaN]),
        starved,
        unanswered,
        botCpuPerTurnMs: answered ? cpu / answered : Number.NaN,
      });
    }
    return { users: opts.users, steps };
  } finally {
    const exited = new Promise((r) => bot.once('exit', r));
    bot.kill('SIGTERM');
    await server.close();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    // The run's database and config: nothing is left in the temp dir.
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
