import { describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { stripBotMentions, translateUpdate, type BotIdentity } from '../../../src/channels/telegram/updates.js';

const bot: BotIdentity = { id: 42, username: 'Humiao_Bot' };
const at = new Date('2026-11-29T02:00:00Z');
const decode = (d: string) => (d.startsWith('v:') ? d.slice(2) : undefined);
const user = { id: 111, is_bot: false, first_name: '李四' };
const privateChat = { id: 111, type: 'private' as const, first_name: '李四' };
const group = { id: -100555, type: 'supergroup' as const, title: '工作群' };

function msg(extra: Record<string, unknown>, chat: object = privateChat): Update {
  return { update_id: 1, message: { message_id: 9, date: 0, chat, from: user, ...extra } } as unknown as Update;
}

describe('translateUpdate', () => {
  it('a private text: id chat:message, user and chat ids as strings, chat id = user id', () => {
    const t = translateUpdate(msg({ text: '留守儿童要做哪些工作？' }), bot, at, decode);
    expect(t).toEqual({
      type: 'message',
      msg: { id: '111:9', channel: 'telegram', userId: '111', chatId: '111', chatType: 'single', kind: 'text', text: '留守儿童要做哪些工作？', receivedAt: at },
    });
  });

  it('in a group only a mention (any case, anywhere) or a reply to the bot counts, and the mention is stripped', () => {
    expect(translateUpdate(msg({ text: '开会了' }, group), bot, at, decode)).toBeNull();
    const mentioned = translateUpdate(
      msg({ text: '请问 @humiao_bot 帮助', entities: [{ type: 'mention', offset: 3, length: 11 }] }, group),
      bot,
      at,
      decode,
    );
    expect(mentioned).toMatchObject({ msg: { text: '请问 帮助', chatType: 'group', chatId: '-100555' }, replyTo: 9 });
    // Mentioning another bot is not addressing this one.
    expect(translateUpdate(msg({ text: '@other_bot 帮助', entities: [{ type: 'mention', offset: 0, length: 10 }] }, group), bot, at, decode)).toBeNull();
    const reply = translateUpdate(msg({ text: '帮助', reply_to_message: { message_id: 3, date: 0, chat: group, from: { id: 42, is_bot: true, first_name: 'b' } } }, group), bot, at, decode);
    expect(reply).toMatchObject({ msg: { text: '帮助' } });
  });

  it('/start is entering the chat, /help the menu, /start@bot in a group too', () => {
    expect(translateUpdate(msg({ text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }), bot, at, decode)).toMatchObject({ msg: { kind: 'enter_chat', text: '' } });
    expect(translateUpdate(msg({ text: '/help' }), bot, at, decode)).toMatchObject({ msg: { kind: 'text', text: '帮助' } });
    expect(
      translateUpdate(msg({ text: '/start@Humiao_Bot', entities: [{ type: 'bot_command', offset: 0, length: 17 }] }, group), bot, at, decode),
    ).toMatchObject({ msg: { kind: 'enter_chat', chatType: 'group' } });
  });

  it('a photo is unsupported; service messages, edits, channel posts and bots are ignored', () => {
    expect(translateUpdate(msg({ photo: [] }), bot, at, decode)).toMatchObject({ msg: { kind: 'unsupported', text: '' } });
    expect(translateUpdate(msg({ photo: [] }, group), bot, at, decode)).toBeNull();
    expect(translateUpdate(msg({ new_chat_members: [user] }, group), bot, at, decode)).toBeNull();
    expect(translateUpdate(msg({ text: 'x' }, { id: -1, type: 'channel', title: 'c' }), bot, at, decode)).toBeNull();
    expect(translateUpdate({ update_id: 1, edited_message: { message_id: 1, date: 0, chat: privateChat, text: 'x' } } as unknown as Update, bot, at, decode)).toBeNull();
    expect(translateUpdate(msg({ text: 'x', from: { id: 5, is_bot: true, first_name: 'b' } }), bot, at, decode)).toBeNull();
  });

  it('a button click carries the option value; an unknown key is reported as expired', () => {
    const cb = (data: string) =>
      ({ update_id: 2, callback_query: { id: 'Q1', from: user, chat_instance: 'c', data, message: { message_id: 7, date: 0, chat: group } } }) as unknown as Update;
    expect(translateUpdate(cb('v:01 闲散青少年'), bot, at, decode)).toEqual({
      type: 'message',
      msg: { id: 'cb:Q1', channel: 'telegram', userId: '111', chatId: '-100555', chatType: 'group', kind: 'button', text: '01 闲散青少年', receivedAt: at },
      callback: { queryId: 'Q1', keyboardMessageId: 7 },
    });
    expect(translateUpdate(cb('k:zz'), bot, at, decode)).toEqual({ type: 'expired', queryId: 'Q1' });
  });
});

describe('stripBotMentions', () => {
  it('keeps the user’s line breaks', () => {
    const text = '@humiao_bot 新增个案\n姓名 王小明\n年龄 15';
    expect(stripBotMentions(text, [{ type: 'mention', offset: 0, length: 11 }], bot)).toBe('新增个案\n姓名 王小明\n年龄 15');
  });
});
