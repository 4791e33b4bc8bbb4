import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWecomServer, textMsg, type Frame } from './fake-wecom-server.js';
import { loud, repoRoot, spawnBot, type BotProcess } from '../../helpers/spawn-bot.js';

/**
 * The real bot process (`npm start` with WECOM_BOT_ID set) against the loopback WeCom server:
 * what an admin gets on a real deployment, minus Tencent.
 */

const root = repoRoot;
const BOT = 'aibE2E';
const SECRET = 'e2e-secret';

type Bot = BotProcess;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-wecom-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function startBot(server: FakeWecomServer, dataDir: string, secret = SECRET): Bot {
  return spawnBot(
    {
      WECOM_BOT_ID: BOT,
      WECOM_BOT_SECRET: secret,
      WECOM_WS_URL: server.url,
      WECOM_AUTH_RETRIES: '1',
      WECOM_RECONNECT_MS: '20',
      HUMIAO_DATA_DIR: dataDir,
      HUMIAO_CONFIG: join(root, 'humiao.config.example.yaml'),
      LOG_LEVEL: 'info',
      // A day inside the bundled holiday calendar, so start-up has nothing to warn about.
      HUMIAO_CLOCK: '2026-06-01T09:00:00+08:00',
    },
    cleanups,
  );
}

async function fakeServer(): Promise<FakeWecomServer> {
  const server = await FakeWecomServer.start({ botId: BOT, secret: SECRET });
  cleanups.push(() => server.close());
  return server;
}

const replyTo = (reqId: string) => (f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId;

describe('the bot process on WeCom (loopback server)', () => {
  it('answers in private and group chats, strips the mention, handles a redelivered msgid once — also after a restart', async () => {
    const server = await fakeServer();
    const dataDir = tempDataDir();
    const bot = startBot(server, dataDir);
    await server.waitAuthenticated();

    const priv = server.deliver(textMsg({ userid: 'lisi', msgid: 'e2e-1' }, '帮助'));
    const help = (await server.waitFrame(replyTo(priv), 20_000)).body!.stream;
    expect(help.finish).toBe(true);
    expect(help.content).toMatch(/^我是墩集镇护苗助手，可以/);

    const grp = server.deliver(textMsg({ userid: 'zhangsan', chatid: 'wrkGroup1' }, '@护苗助手\u2005帮助'));
    // Only a bare 「帮助」 gets the menu, so this shows the mention was stripped.
    expect((await server.waitFrame(replyTo(grp), 20_000)).body!.stream.content).toMatch(/^我是墩集镇护苗助手，可以/);

    const again = server.deliver(textMsg({ userid: 'lisi', msgid: 'e2e-1' }, '帮助'));
    expect((await server.waitFrame(replyTo(again), 20_000)).body!.stream.content).toBe(help.content);
    // The log line and the reply travel on different pipes: wait for the line, do not race it.
    await expect.poll(() => bot.stderr.filter((l) => l.includes('duplicate message ignored')).length, { timeout: 10_000 }).toBe(1);

    // Restart on the same data: WeCom redelivers e2e-1; it is recognised, not handled anew.
    process.kill(-bot.child.pid!, 'SIGTERM');
    await bot.exit;
    // Wait for the new process's own subscribe: `online` alone may still see the old socket,
    // whose close the server has not processed yet, and a callback sent there is lost.
    const subscribed = server.subscribes;
    const bot2 = startBot(server, dataDir);
    await expect.poll(() => server.subscribes > subscribed && server.online, { timeout: 20_000 }).toBe(true);
    const redelivered = server.deliver(textMsg({ userid: 'lisi', msgid: 'e2e-1' }, '帮助'));
    expect((await server.waitFrame(replyTo(redelivered), 20_000)).body!.stream.content).toBe(help.content);
    await expect.poll(() => bot2.stderr.filter((l) => l.includes('duplicate message ignored')).length, { timeout: 10_000 }).toBe(1);
    expect(loud([...bot.stderr, ...bot2.stderr])).toEqual([]);
    // Never a message text in the logs.
    expect([...bot.stderr, ...bot2.stderr].join('\n')).not.toContain('帮助');
  });

  it('a wrong secret: one clear log line and exit code 2', async () => {
    const server = await fakeServer();
    const bot = startBot(server, tempDataDir(), 'wrong-secret');
    expect(await bot.exit).toBe(2);
    expect(server.subscribes).toBe(2); // first try + WECOM_AUTH_RETRIES=1
    const lines = loud(bot.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('WECOM_BOT_SECRET');
  });

  it('another instance takes the bot over: this one logs it and exits with code 3', async () => {
    const server = await fakeServer();
    const bot = startBot(server, tempDataDir());
    await server.waitAuthenticated();
    server.kick();
    expect(await bot.exit).toBe(3);
    expect(bot.stderr.some((l) => l.includes('disconnected_event'))).toBe(true);
    expect(server.connections).toBe(1);
  });
});
