import { describe, expect, it } from 'vitest';
import { stripLeadingMention, translateEvent, translateMessage } from '../../../src/channels/wecom/frames.js';
import { cardClick, enterChat, imageMsg, textMsg, voiceMsg } from './fake-wecom-server.js';

const now = new Date('2026-11-29T02:00:00Z');

describe('stripLeadingMention', () => {
  it('drops the leading @word whatever the bot is called, with any space after it', () => {
    expect(stripLeadingMention('@护苗助手 谁负责留守儿童？')).toBe('谁负责留守儿童？');
    expect(stripLeadingMention('@护苗助手\u2005帮助')).toBe('帮助');
    expect(stripLeadingMention('  @Bot-1\u00a0 查询 ')).toBe('查询');
    expect(stripLeadingMention('@护苗助手')).toBe('');
  });

  it('keeps text without a leading mention, and later mentions', () => {
    expect(stripLeadingMention('请问 @张三 负责什么')).toBe('请问 @张三 负责什么');
    expect(stripLeadingMention('@护苗助手 转告 @张三')).toBe('转告 @张三');
  });
});

describe('translateMessage', () => {
  it('group text: chat is the group, mention stripped', () => {
    const t = translateMessage(textMsg({ userid: 'zhangsan', chatid: 'wrkG', msgid: 'm1' }, '@护苗助手 我要登记'), now)!;
    expect(t.route).toBe('respond');
    expect(t.msg).toEqual({
      id: 'm1',
      channel: 'wecom',
      userId: 'zhangsan',
      chatId: 'wrkG',
      chatType: 'group',
      kind: 'text',
      text: '我要登记',
      receivedAt: now,
    });
  });

  it('private text: the chat is the user, and a leading @ is the user’s own text', () => {
    const t = translateMessage(textMsg({ userid: 'lisi' }, '@张三 的电话'), now)!;
    expect(t.msg).toMatchObject({ chatId: 'lisi', chatType: 'single', kind: 'text', text: '@张三 的电话' });
  });

  it('voice becomes its transcription; the undocumented voice.text is tolerated', () => {
    expect(translateMessage(voiceMsg({ userid: 'lisi' }, ' 帮助 '), now)!.msg).toMatchObject({ kind: 'text', text: '帮助' });
    const alt = { ...voiceMsg({ userid: 'lisi' }, ''), voice: { text: '查询' } };
    expect(translateMessage(alt, now)!.msg).toMatchObject({ kind: 'text', text: '查询' });
  });

  it('an empty transcription, images, files and unknown types are unsupported', () => {
    expect(translateMessage(voiceMsg({ userid: 'lisi' }, '  '), now)!.msg.kind).toBe('unsupported');
    expect(translateMessage(imageMsg({ userid: 'lisi' }), now)!.msg).toMatchObject({ kind: 'unsupported', text: '' });
    const file = { ...textMsg({ userid: 'lisi' }, ''), msgtype: 'file', file: { url: 'x' } };
    expect(translateMessage(file, now)!.msg.kind).toBe('unsupported');
    const mixed = { ...textMsg({ userid: 'lisi', chatid: 'g' }, ''), msgtype: 'mixed', mixed: { msg_item: [] } };
    expect(translateMessage(mixed, now)!.msg).toMatchObject({ kind: 'unsupported', chatId: 'g' });
  });

  it('rejects bodies without msgid or sender', () => {
    expect(translateMessage({ msgtype: 'text', text: { content: 'x' } }, now)).toBeNull();
    expect(translateMessage({ msgid: 'm', msgtype: 'text', text: { content: 'x' }, from: {} }, now)).toBeNull();
    expect(translateMessage(null, now)).toBeNull();
  });
});

describe('translateEvent', () => {
  it('enter_chat asks for a welcome', () => {
    const t = translateEvent(enterChat({ userid: 'lisi', msgid: 'e1' }), now)!;
    expect(t.route).toBe('welcome');
    expect(t.msg).toMatchObject({ id: 'e1', kind: 'enter_chat', chatId: 'lisi', text: '' });
  });

  it('a card click is the clicked option’s value, like typing it', () => {
    const t = translateEvent(cardClick({ userid: 'zhangsan', chatid: 'wrkG' }, 'task_1', '02'), now)!;
    expect(t.route).toBe('card_event');
    expect(t.taskId).toBe('task_1');
    expect(t.msg).toMatchObject({ kind: 'button', text: '02', chatId: 'wrkG', chatType: 'group', userId: 'zhangsan' });
  });

  it('also reads the flat event_key the SDK type shows', () => {
    const body = { ...enterChat({ userid: 'u' }), event: { eventtype: 'template_card_event', event_key: 'yes', task_id: 't' } };
    expect(translateEvent(body, now)!.msg).toMatchObject({ kind: 'button', text: 'yes' });
  });

  it('feedback, disconnected and key-less clicks are not messages', () => {
    const base = enterChat({ userid: 'u' });
    expect(translateEvent({ ...base, event: { eventtype: 'feedback_event', feedback_event: { id: 'f' } } }, now)).toBeNull();
    expect(translateEvent({ ...base, event: { eventtype: 'disconnected_event' } }, now)).toBeNull();
    expect(translateEvent({ ...base, event: { eventtype: 'template_card_event', template_card_event: {} } }, now)).toBeNull();
  });
});
