import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { root, runBot, tempDataDir, TEST_NOW } from '../helpers/run-bot.js';
import { testDataKey } from '../helpers/case-fixture.js';

/**
 * zhangsan registers a case and, at the summary, makes 王五 its mentor (it defaults to the
 * reporter), so saving it queues a private notice and a group notice.
 */
const INTAKE = ['上报个案', '2', '刘小东', '2010.3.4', '男', '李庄村', '初中', '陈梅 13600002222', '母亲', '逃学、网瘾', '家长管教', '无', '否', '修改 帮扶责任人', '王五'];

interface Bot {
  child: ChildProcess;
  out: () => string;
  waitFor: (s: string) => Promise<void>;
  send: (line: string) => void;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>): Bot {
  // One process, so kill -9 kills the bot itself: the tsx CLI runs the script in a child of its
  // own, which outlives a SIGKILL to the parent and goes on delivering pushes nobody reads.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--user', 'zhangsan'], {
    cwd: root,
    env: { ...process.env, WECOM_BOT_ID: '', HUMIAO_CONFIG: join(root, 'humiao.config.example.yaml'), LOG_LEVEL: 'warn', HUMIAO_CLOCK: TEST_NOW, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiters: { s: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((x) => out.includes(x.s))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    waitFor: (s) => (out.includes(s) ? Promise.resolve() : new Promise((resolve) => waiters.push({ s, resolve }))),
    send: (line) => void child.stdin!.write(`${line}\n`),
    exited,
  };
}

function db(dir: string) {
  return new Database(join(dir, 'humiao.db'), { readonly: true });
}

function counts(dir: string) {
  const d = db(dir);
  try {
    return {
      cases: (d.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n,
      unsent: (d.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n,
      sent: (d.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL').get() as { n: number }).n,
    };
  } finally {
    d.close();
  }
}

async function killed(bot: Bot): Promise<void> {
  bot.child.kill('SIGKILL');
  await bot.exited;
}

/**
 * A restart comes later on the bot's clock too: every run starts its clock at the instant the test
 * gives, so a restart at the same instant would find the dead run's pushes not yet due.
 */
const later = (env: Record<string, string>) => ({ ...env, HUMIAO_CLOCK: '2026-06-10T10:10:00+08:00' });

const pushes = (s: string) => (s.match(/【推送 → 私聊 王五/g) ?? []).length;

describe('crashes (kill -9) lose nothing and duplicate nothing', () => {
  it('killed right after 确认: after a restart the case exists exactly once', async () => {
    const dir = tempDataDir();
    const env = { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: testDataKey() };
    const bot = start(env);
    for (const l of INTAKE) bot.send(l);
    // The summary that follows the mentor change: the first 「请核对」 comes two lines earlier, and a
    // busy machine may not have read 修改/王五 yet when 确认 is sent and the bot killed.
    await bot.waitFor('帮扶责任人：王五（');
    bot.send('确认');
    await killed(bot);
    const after = counts(dir);
    expect(after.cases).toBeLessThanOrEqual(1);
    // Whether or not the kill beat the commit, one more 确认 (the draft survives if the case did not) ends with one case.
    const again = runBot(['继续', '确认'], later(env), ['--user', 'zhangsan']);
    expect(again.code).toBe(0);
    expect(counts(dir).cases).toBe(1);
  }, 60_000);

  it('killed after the case is saved, around delivery: the restart delivers what was not recorded, and nothing is lost', async () => {
    const dir = tempDataDir();
    const env = { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: testDataKey() };
    const bot = start(env);
    for (const l of INTAKE) bot.send(l);
    bot.send('确认');
    await bot.waitFor('已保存个案 DJ-2026-0001');
    await killed(bot);
    const first = bot.out();
    const mid = counts(dir);
    expect(mid.cases).toBe(1);
    const restart = runBot([], later(env), ['--user', 'zhangsan']);
    expect(restart.code).toBe(0);
    const end = counts(dir);
    expect(end).toMatchObject({ cases: 1, unsent: 0 });
    expect(end.sent).toBe(mid.sent + mid.unsent);
    // Never lost. Exactly once, except when the kill fell in the few milliseconds between the
    // platform accepting a push and the outbox recording it (the fsync): then it is repeated
    // once, the price of at-least-once delivery without a platform-side idempotency key.
    const total = pushes(first) + pushes(restart.stdout);
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(2);
    if (pushes(first) === 1 && mid.unsent === 0) expect(pushes(restart.stdout)).toBe(0);
  }, 60_000);

  it('killed after delivery was recorded: the restart sends nothing again', async () => {
    const dir = tempDataDir();
    const env = { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: testDataKey() };
    const bot = start(env);
    for (const l of INTAKE) bot.send(l);
    bot.send('确认');
    await bot.waitFor('【推送 → 私聊 王五');
    // Wait until the outbox has recorded every delivery, then crash.
    for (let i = 0; i < 200 && counts(dir).unsent > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(counts(dir).unsent).toBe(0);
    await killed(bot);
    const restart = runBot([], later(env), ['--user', 'zhangsan']);
    expect(pushes(restart.stdout)).toBe(0);
    expect(counts(dir).cases).toBe(1);
  }, 60_000);
});
