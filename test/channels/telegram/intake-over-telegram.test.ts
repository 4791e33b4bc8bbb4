import { afterEach, expect, it } from 'vitest';
import { MOVED_TO_PRIVATE_TEXT } from '../../../handlers/intake.js';
import { OutboxWorker } from '../../../src/core/outbox-worker.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ApiCall } from './fake-telegram-server.js';
import { LISI, plain, telegramHarness, WORK_GROUP } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The real intake over Telegram: a case started in a group moves to the private chat through the
 * outbox; the category question comes with an inline keyboard; clicking a button is the same as
 * typing that option, and the form goes on.
 */
it('an intake started in a group continues privately, through the outbox and a button click', async () => {
  const { server, deps, channel } = await telegramHarness(cleanups);
  const worker = new OutboxWorker(deps.store, channel, deps.clock, silentLogger);
  const privateTo = (pred: (text: string) => boolean) => (c: ApiCall) =>
    c.method === 'sendMessage' && String(c.body.chat_id) === String(LISI.id) && pred(plain(c.body.text));

  // 李四 has started the bot before, so he can be reached privately.
  server.text(LISI, '/start');
  await server.waitCall(privateTo((t) => t.startsWith('您好')));

  server.text(LISI, `@${server.bot.username} 新增个案`, { groupId: WORK_GROUP });
  const moved = await server.waitCall((c) => c.method === 'sendMessage' && String(c.body.chat_id) === String(WORK_GROUP));
  expect(plain(moved.body.text)).toBe(MOVED_TO_PRIVATE_TEXT);
  await expect.poll(() => deps.store.outbox.pending()).toBe(1);

  expect(await worker.drainOnce()).toBe(1);
  expect(await worker.drainOnce()).toBe(0);
  const question = await server.waitCall(privateTo((t) => t.includes('属于哪一类重点青少年？')));
  const keyboard = question.body.reply_markup.inline_keyboard as Array<Array<{ text: string; callback_data: string }>>;
  expect(keyboard.length).toBeGreaterThanOrEqual(2);
  // Typing still works: the options are numbered in the text as well.
  expect(plain(question.body.text)).toContain(`2. ${keyboard[1]![0]!.text}`);

  // Clicking the second category is the same as typing it; the next question follows.
  const click = server.click(LISI, question.body.__result.message_id, keyboard[1]![0]!.callback_data);
  const next = await server.waitCall(privateTo((t) => t.includes('孩子的姓名？')));
  expect(next).toBeDefined();
  await expect.poll(() => server.sent('answerCallbackQuery').map((c) => c.body.callback_query_id)).toContain(click.callback_query.id);
  // The keyboard is gone from the private chat, so an old answer cannot be clicked into a later question.
  await expect
    .poll(() => server.sent('editMessageReplyMarkup').map((c) => c.body.message_id))
    .toContain(question.body.__result.message_id);

  server.text(LISI, '王小明');
  await server.waitCall(privateTo((t) => t.includes('身份证号')));
  expect(await deps.store.outbox.pending()).toBe(0);
  expect(server.messagesTo(LISI.id).filter((c) => plain(c.body.text).includes('属于哪一类'))).toHaveLength(1);
});
