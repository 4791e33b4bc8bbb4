import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { FakeWecomServer, type Frame } from '../test/channels/wecom/fake-wecom-server.js';
import { rng } from './datagen.js';
import { stats, type Stats } from './report.js';
import { benchConfigWith, cpuMsOf } from './bot-process.js';

/**
 * A randomised mix of turns on a store that is already full, through the real WeCom path: each
 * user (a configured mentor with cases on file) picks a task at random — a plan question in
 * private or in the group, 「我的个案」, 帮助 in the group, or a whole registration — and every
 * reply is checked: questions against test/fixtures/qa.yaml's expected phrases, the rest by
 * their opening, and every group reply for an unmasked ID or mobile number.
 */

const BOT = { botId: 'bench-mix', secret: 'bench-mix-secret' };
const GROUP = 'wrkGroup1';
const SURNAMES = '蒋沈韩秦尤许何吕施孔曹严华金魏陶姜';
const GIVEN = '睿哲宇轩涵萱晨曦梓航沐阳嘉怡思远若溪';

interface QaItem {
  q: string;
  expect?: string[];
  notExpect?: string[];
}

type Kind = 'question' | 'group question' | 'my cases' | 'group help' | 'registration';

interface Turn {
  kind: Kind;
  text: string;
  group: boolean;
  /** null: not checked (a registration's middle turns, whose wording follows the form). */
  check: ((reply: string) => boolean) | null;
}

const UNMASKED = /(?<![0-9])(1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])(?![0-9])/;

function* tasks(user: number, questions: QaItem[], seed: number): Generator<Turn> {
  const r = rng(seed + user);
  const answers = (item: QaItem) => (reply: string) => (item.expect ?? []).every((p) => reply.includes(p)) && !(item.notExpect ?? []).some((p) => reply.includes(p));
  for (let round = 0; ; round++) {
    const x = r();
    const item = questions[Math.floor(r() * questions.length)]!;
    if (x < 0.35) yield { kind: 'question', text: item.q, group: false, check: answers(item) };
    else if (x < 0.6) yield { kind: 'group question', text: `@护苗助手\u2005${item.q}`, group: true, check: (s) => answers(item)(s) && !UNMASKED.test(s) };
    else if (x < 0.8) yield { kind: 'my cases', text: '我的个案', group: false, check: (s) => /^您帮扶的在册个案 \d+ 件|您目前没有作为帮扶责任人的在册个案/.test(s) };
    else if (x < 0.85) yield { kind: 'group help', text: '@护苗助手\u2005帮助', group: true, check: (s) => /^我是.+护苗助手，可以/.test(s) && !UNMASKED.test(s) };
    else {
      // A child no generated case has: the likely-duplicate question would take the next answers.
      const k = round * 1_000 + user;
      const name = SURNAMES[k % SURNAMES.length]! + GIVEN[Math.floor(k / SURNAMES.length) % GIVEN.length]! + GIVEN[Math.floor(k / (SURNAMES.length * GIVEN.length)) % GIVEN.length]!;
      const lines = [`新增个案：${name}，男，2014年${(round % 12) + 1}月出生，王庄村，父母都在外地打工，由奶奶照顾`, '小学', '张桂兰 13812345678', '不详', '一般', '低', '李四'];
      for (const text of lines) yield { kind: 'registration', text, group: false, check: null };
      yield { kind: 'registration', text: '确认', group: false, check: (s) => /已保存个案 DJ-\d{4}-\d+/.test(s) };
    }
  }
}

export interface MixResult {
  users: number;
  turns: number;
  seconds: number;
  byKind: Array<{ kind: Kind; latency: Stats }>;
  all: Stats;
  /** Checked replies that were not what the turn expected; a few of them, for the report. */
  wrong: number;
  wrongSamples: string[];
  unanswered: number;
  /** Lines the bot wrote to stderr other than pushes given up (at log level error, so errors only). */
  botErrors: string[];
  botCpuPerTurnMs: number;
}

/**
 * The bot (compiled, as `npm start` runs it) on `dataDir`, with the generated store's mentors
 * m0… as members; `users` of them chat at `rate` turns a second in all for `seconds`.
 */
export async function turnMix(opts: { dataDir: string; env: Record<string, string>; mentors: number; users: number; rate: number; seconds: number; units: string[] }): Promise<MixResult> {
  const questions = parse(readFileSync('test/fixtures/qa.yaml', 'utf8')) as QaItem[];
  const config = benchConfigWith(Array.from({ length: opts.mentors }, (_, i) => ({ userid: `m${i}`, name: `帮扶干部${i}`, unit: opts.units[i % opts.units.length]!, role: 'staff' })));

  const sentAt = new Map<string, { user: number; t: number; turn: Turn }>();
  const idle: number[] = [];
  const samples = new Map<Kind, number[]>();
  let wrong = 0;
  const wrongSamples: string[] = [];
  const onReply = (f: Frame): void => {
    if (f.cmd !== 'aibot_respond_msg' || !f.body?.stream?.finish) return;
    const s = sentAt.get(f.headers.req_id);
    if (!s) return;
    sentAt.delete(f.headers.req_id);
    const took = performance.now() - s.t;
    const list = samples.get(s.turn.kind) ?? [];
    list.push(took);
    samples.set(s.turn.kind, list);
    const reply = String(f.body.stream.content ?? '');
    if (s.turn.check && !s.turn.check(reply)) {
      wrong++;
      if (wrongSamples.length < 3) wrongSamples.push(`${s.turn.kind}「${s.turn.text.slice(0, 20)}」→「${reply.slice(0, 40).replace(/\n/g, ' ')}」`);
    }
    idle.push(s.user);
  };
  const server = await FakeWecomServer.start({ ...BOT, keepFrames: false, observe: onReply });
  const bot = spawn(process.execPath, ['scripts/run.mjs', 'src/main.js'], {
    env: { ...process.env, ...opts.env, WECOM_BOT_ID: BOT.botId, WECOM_BOT_SECRET: BOT.secret, WECOM_WS_URL: server.url, HUMIAO_CONFIG: config, HUMIAO_DATA_DIR: opts.dataDir, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The catch-up's pushes to people and groups that never wrote to this loopback platform are
  // given up (as WeCom would refuse them), and logged; any other error is the bench's business.
  let errors = '';
  bot.stderr!.on('data', (d: Buffer) => void (errors += d.toString()));
  try {
    await Promise.race([server.waitAuthenticated(), new Promise((_, reject) => setTimeout(() => reject(new Error('bot did not connect within 60 s')), 60_000))]);
    const convs = Array.from({ length: opts.users }, (_, u) => tasks(u, questions, 17));
    for (let u = 0; u < opts.users; u++) idle.push(u);
    let seq = 0;
    const send = (user: number): void => {
      const turn = convs[user]!.next().value as Turn;
      const reqId = server.deliver({
        msgid: `mix-${++seq}`,
        aibotid: BOT.botId,
        ...(turn.group ? { chatid: GROUP, chattype: 'group' } : { chattype: 'single' }),
        from: { userid: `m${user}` },
        msgtype: 'text',
        text: { content: turn.text },
      });
      sentAt.set(reqId, { user, t: performance.now(), turn });
    };
    const cpu0 = cpuMsOf(bot.pid);
    let sent = 0;
    const t0 = performance.now();
    const end = t0 + opts.seconds * 1000;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        if (now >= end) {
          clearInterval(timer);
          resolve();
          return;
        }
        const due = Math.floor(((now - t0) / 1000) * opts.rate) - sent;
        for (let i = 0; i < due; i++) {
          const u = idle.shift();
          if (u !== undefined) send(u);
        }
        sent += due;
      }, 2);
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const all = [...samples.values()].flat();
    return {
      users: opts.users,
      turns: all.length,
      seconds: opts.seconds,
      byKind: [...samples].map(([kind, xs]) => ({ kind, latency: stats(xs) })),
      all: stats(all.length ? all : [Number.NaN]),
      wrong,
      wrongSamples,
      unanswered: sentAt.size,
      botErrors: errors.split('\n').filter((l) => l.trim() && !l.includes('push given up')).map((l) => l.slice(0, 200)),
      botCpuPerTurnMs: all.length ? (cpuMsOf(bot.pid) - cpu0) / all.length : Number.NaN,
    };
  } finally {
    const exited = new Promise((r) => bot.once('exit', r));
    bot.kill('SIGTERM');
    await server.close();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    rmSync(dirname(config), { recursive: true, force: true });
  }
}
