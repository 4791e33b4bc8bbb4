import { HeldForReachError } from '../../../src/core/channel.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { DispatchResult } from '../../../src/core/channel.js';
import { TelegramSendError } from '../../../src/channels/telegram/errors.js';
import type { ApiCall } from './fake-telegram-server.js';
import { LISI, plain, POLICE_GROUP, STRANGER, telegramHarness, WORK_GROUP, ZHANGSAN } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const HELP = /^我是墩集镇护苗助手，可以/;
const toChat = (chatId: number) => (c: ApiCall) => c.method === 'sendMessage' && String(c.body.chat_id) === String(chatId);

describe('the Telegram channel (loopback Bot API)', () => {
  it('answers every private message, as plain-safe HTML, without quoting it', async () => {
    const { server } = await telegramHarness(cleanups);
    server.text(LISI, '帮助');
    const sent = await server.waitCall(toChat(LISI.id));
    expect(sent.body.parse_mode).toBe('HTML');
    expect(plain(sent.body.text)).toMatch(HELP);
    expect(sent.body.reply_parameters).toBeUndefined();
  });

  it('in a group answers only when mentioned or replied to, strips the mention and replies to the asker', async () => {
    const { server } = await telegramHarness(cleanups);
    server.text(ZHANGSAN, '帮助'); // chatter between people: not for the bot
    const asked = server.text(ZHANGSAN, `@${server.bot.username} 帮助`, { groupId: WORK_GROUP });
    const answer = await server.waitCall(toChat(WORK_GROUP));
    // Only a bare 「帮助」 gets the menu, so this shows the mention was stripped.
    expect(plain(answer.body.text)).toMatch(HELP);
    expect(answer.body.reply_parameters).toEqual({ message_id: asked.message.message_id, allow_sending_without_reply: true });

    const botMessage = answer.body.__result.message_id as number;
    server.text(STRANGER, '闲聊一句', { groupId: WORK_GROUP });
    const reply = server.text(STRANGER, '帮助', { groupId: WORK_GROUP, replyTo: botMessage });
    await expect.poll(() => server.messagesTo(WORK_GROUP).length).toBe(2);
    expect(server.messagesTo(WORK_GROUP)[1]!.body.reply_parameters.message_id).toBe(reply.message.message_id);
    await expect.poll(() => server.drained).toBe(true);
    // The unaddressed chatter got nothing.
    expect(server.messagesTo(WORK_GROUP)).toHaveLength(2);
  });

  it('/start welcomes; a photo gets 「暂不支持」 privately and nothing when it is group chatter', async () => {
    const { server } = await telegramHarness(cleanups);
    server.text(LISI, '/start');
    expect(plain((await server.waitCall(toChat(LISI.id))).body.text)).toMatch(/^您好，我是墩集镇护苗助手。/);
    server.photo(ZHANGSAN, { groupId: WORK_GROUP });
    server.photo(ZHANGSAN);
    expect(plain((await server.waitCall(toChat(ZHANGSAN.id))).body.text)).toContain('暂不支持');
    server.photo(ZHANGSAN, { groupId: WORK_GROUP, caption: `@${server.bot.username}` });
    expect(plain((await server.waitCall(toChat(WORK_GROUP))).body.text)).toContain('暂不支持');
    await expect.poll(() => server.drained).toBe(true);
    expect(server.messagesTo(WORK_GROUP)).toHaveLength(1);
  });

  it('a redelivered update is handled once and its first answer repeated', async () => {
    const results: DispatchResult[] = [];
    const { server } = await telegramHarness(cleanups, (sink) => async (m) => {
      const r = await sink(m);
      results.push(r);
      return r;
    });
    const update = server.text(LISI, '帮助');
    await server.waitCall(toChat(LISI.id));
    server.redeliver(update);
    await expect.poll(() => server.messagesTo(LISI.id).length).toBe(2);
    expect(results.map((r) => r.duplicate)).toEqual([false, true]);
    const [first, second] = server.messagesTo(LISI.id);
    expect(second!.body.text).toBe(first!.body.text);
  });

  it('push resolves once Telegram accepted the message and rejects when it refused', async () => {
    const { server, channel, deps } = await telegramHarness(cleanups);
    await channel.push({ kind: 'chat', id: String(WORK_GROUP) }, { text: '本月走访提醒：**3** 件 <待办> & 更多' });
    const sent = server.messagesTo(WORK_GROUP)[0]!;
    expect(sent.body.text).toBe('本月走访提醒：<b>3</b> 件 &lt;待办&gt; &amp; 更多');

    await deps.store.chats.touch(String(STRANGER.id), 'single', String(STRANGER.id), deps.clock.now());
    server.opts.refuse = (c) => (c.method === 'sendMessage' ? [403, 'Forbidden: bot was blocked by the user'] : undefined);
    const err = await channel.push({ kind: 'user', id: String(STRANGER.id) }, { text: '提醒' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramSendError);
    expect((err as TelegramSendError).errorCode).toBe(403);
  });

  it('a person who never started the bot: the message waits for them; the nudge in their unit’s group is a real mention', async () => {
    const { server, channel } = await telegramHarness(cleanups);
    const err = await channel.push({ kind: 'user', id: String(ZHANGSAN.id) }, { text: '个案 DJ-2026-0001 本月需走访' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeldForReachError);
    const nudge = (err as HeldForReachError).nudge!;
    expect(nudge.target).toEqual({ kind: 'chat', id: String(POLICE_GROUP) });
    expect(server.messagesTo(POLICE_GROUP)).toHaveLength(0);
    await channel.push(nudge.target, nudge.reply);
    const notice = server.messagesTo(POLICE_GROUP);
    expect(notice).toHaveLength(1);
    expect(notice[0]!.body.text).toContain(`<a href="tg://user?id=${ZHANGSAN.id}">@张三</a>`);
    expect(notice[0]!.body.text).not.toContain('DJ-2026-0001');
  });

  it('long text goes out in pieces of at most 4096 characters, cut between lines', async () => {
    const { server, channel } = await telegramHarness(cleanups);
    const line = '护'.repeat(99);
    const text = Array.from({ length: 60 }, () => line).join('\n'); // 5999 characters
    await channel.push({ kind: 'chat', id: String(WORK_GROUP) }, { text });
    const parts = server.messagesTo(WORK_GROUP).map((c) => c.body.text as string);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.join('\n')).toBe(text);
  });
});
