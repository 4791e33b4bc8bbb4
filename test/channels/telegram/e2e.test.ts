import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loud, spawnBot, stopBot, type BotProcess } from '../../helpers/spawn-bot.js';
import { FakeTelegramServer, type ApiCall } from './fake-telegram-server.js';
import { LISI, plain, telegramConfigText, TOKEN, WORK_GROUP, ZHANGSAN } from './helpers.js';

/**
 * The real bot process (`npm start` with TELEGRAM_BOT_TOKEN set) against the loopback Bot API:
 * what an admin gets on a real deployment, minus Telegram.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A data dir and a config whose members and groups are Telegram ids. */
function tempSetup(): { dataDir: string; configPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-telegram-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'humiao.config.yaml');
  writeFileSync(configPath, telegramConfigText);
  return { dataDir: join(dir, 'data'), configPath };
}

function startBot(server: FakeTelegramServer, setup: { dataDir: string; configPath: string }, token = TOKEN): BotProcess {
  return spawnBot(
    {
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: server.apiRoot,
      WECOM_BOT_ID: undefined,
      HUMIAO_DATA_DIR: setup.dataDir,
      HUMIAO_CONFIG: setup.configPath,
      LOG_LEVEL: 'info',
    },
    cleanups,
  );
}

async function fakeServer(): Promise<FakeTelegramServer> {
  const server = await FakeTelegramServer.start({ token: TOKEN });
  cleanups.push(() => server.close());
  return server;
}

const toChat = (chatId: number, after = 0) => (c: ApiCall) =>
  c.method === 'sendMessage' && String(c.body.chat_id) === String(chatId) && c.body.__result.message_id > after;

const HELP = /^我是墩集镇护苗助手，可以/;

describe('the bot process on Telegram (loopback Bot API)', () => {
  it('answers in private and group chats, strips the mention, ignores chatter, handles a redelivered update once — also after a restart', async () => {
    const server = await fakeServer();
    const setup = tempSetup();
    const bot = startBot(server, setup);

    const priv = server.text(LISI, '帮助');
    const help = await server.waitCall(toChat(LISI.id), 30_000);
    expect(plain(help.body.text)).toMatch(HELP);

    server.text(ZHANGSAN, '今天下午开会', { groupId: WORK_GROUP });
    server.text(ZHANGSAN, `@${server.bot.username} 帮助`, { groupId: WORK_GROUP });
    const group = await server.waitCall(toChat(WORK_GROUP), 20_000);
    expect(plain(group.body.text)).toMatch(HELP);
    await expect.poll(() => server.drained, { timeout: 10_000 }).toBe(true);
    expect(server.messagesTo(WORK_GROUP)).toHaveLength(1);

    // Stopped before Telegram learnt the update was handled: it comes again after the restart.
    stopBot(bot);
    await bot.exit;
    const bot2 = startBot(server, setup);
    server.redeliver(priv);
    const again = await server.waitCall(toChat(LISI.id, help.body.__result.message_id), 30_000);
    expect(again.body.text).toBe(help.body.text);
    await expect.poll(() => bot2.stderr.filter((l) => l.includes('redelivered message')).length, { timeout: 10_000 }).toBe(1);
    expect(loud([...bot.stderr, ...bot2.stderr])).toEqual([]);
    // Never a message text in the logs.
    expect([...bot.stderr, ...bot2.stderr].join('\n')).not.toContain('帮助');
  });

  it('a wrong token: one clear log line and exit code 2', async () => {
    const server = await fakeServer();
    const bot = startBot(server, tempSetup(), '123456:wrong');
    expect(await bot.exit).toBe(2);
    expect(server.getMeCalls).toBe(1);
    const lines = loud(bot.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('TELEGRAM_BOT_TOKEN');
  });
});
