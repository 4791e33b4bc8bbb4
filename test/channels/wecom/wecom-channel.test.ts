import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Handler } from '../../../src/core/context.js';
import { WecomAuthError, WecomNotConnectedError, WecomSendError, WecomTakenOverError } from '../../../src/channels/wecom/errors.js';
import { WecomPacer } from '../../../src/channels/wecom/pacing.js';
import { resolvePushTarget } from '../../../src/core/push-target.js';
import { createWecomChannel, type WecomChannel, type WecomChannelOptions } from '../../../src/channels/wecom/wecom-channel.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';
import { OutboxWorker, retryDelayMs } from '../../../src/core/outbox-worker.js';
import type { CardRepo, ConversationTurn, SentCard } from '../../../src/domain/ports/store.js';
import { HeldForReachError } from '../../../src/core/channel.js';
import { Router } from '../../../src/core/router.js';
import { testDeps } from '../../helpers/deps.js';
import { cardClick, cardSubmit, enterChat, FakeWecomServer, imageMsg, textMsg, voiceMsg, type Frame } from './fake-wecom-server.js';

const BOT = 'aibBOT01';
/** The echo handler's multi-select question. */
const MULTI = [
  { label: '逃学', value: '逃学' },
  { label: '夜不归宿', value: '夜不归宿' },
  { label: '打架', value: '打架' },
];
const SECRET = 'right-secret';

/** A stand-in for the real handlers: says what it received; offers choices on 「选」. */
function recordingHandler() {
  const seen: InboundMessage[] = [];
  const handler: Handler = {
    name: 'test-echo',
    handle({ msg }) {
      seen.push(msg);
      if (msg.kind === 'enter_chat') return [{ text: '欢迎使用护苗助手' }];
      if (msg.kind === 'unsupported') return [{ text: '暂不支持这类消息' }];
      if (msg.text === '多选') return [{ text: '有哪些不良行为？\n可多选，用顿号或空格隔开，如「1、3」。', choices: MULTI }];
      if (msg.text === '选') {
        return [{ text: '请选择类别', choices: [{ label: '闲散', value: 'c01' }, { label: '流浪', value: 'c02' }] }];
      }
      return [{ text: `收到 ${msg.kind} ${msg.chatType} ${msg.userId}：${msg.text}` }];
    },
  };
  return { seen, handler };
}

function captureLog() {
  const lines: string[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    }),
  );
  return { log, lines };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  over: Partial<WecomChannelOptions> & { configGroups?: Awaited<ReturnType<typeof testDeps>>['config']['groups']; reachable?: string[] } = {},
) {
  const server = await FakeWecomServer.start({ botId: BOT, secret: SECRET, reachable: over.reachable ?? ['wrkGroup1', 'wrkPolice'] });
  cleanups.push(() => server.close());
  const base = await testDeps();
  const deps = over.configGroups ? { ...base, config: { ...base.config, groups: over.configGroups } } : base;
  const { seen, handler } = recordingHandler();
  const router = new Router(deps, [handler]);
  const { log, lines } = captureLog();
  const pacer = new WecomPacer();
  const channel: WecomChannel = createWecomChannel({
    botId: BOT,
    secret: SECRET,
    wsUrl: server.url,
    log,
    clock: deps.clock,
    knownGroupIds: deps.config.groups.map((g) => g.chatid),
    resolveTarget: (t) => resolvePushTarget(t, deps.store, deps.config),
    pacer,
    fallback: async (target, reply, partsSent) => void await deps.store.outbox.enqueue({ target, reply, reason: 'reply.fallback', partsSent }, deps.clock.now()),
    sdk: { reconnectInterval: 20, maxAuthFailureAttempts: 2, heartbeatInterval: 60_000 },
    ...over,
  });
  // The groups had written to the bot before (the server says so); the store agrees.
  for (const id of over.reachable ?? ['wrkGroup1', 'wrkPolice']) await deps.store.chats.touch(id, 'group', 'someone', deps.clock.now());
  cleanups.push(() => channel.stop());
  const started = channel.start(async (m) => router.dispatch(m));
  return { server, deps, seen, channel, started, lines, pacer };
}

const isReply = (reqId: string, cmd = 'aibot_respond_msg') => (f: Frame) => f.cmd === cmd && f.headers.req_id === reqId;

describe('WeCom channel against a loopback WeCom server', () => {
  it('authenticates with the right secret', async () => {
    const { server, started, channel } = await setup();
    await started;
    expect(channel.connected).toBe(true);
    expect(channel.started).toBe(true);
    expect(server.sent('aibot_subscribe')[0]!.body).toMatchObject({ bot_id: BOT, secret: SECRET });
  });

  it('a wrong secret ends in WecomAuthError (exit code 2) after the SDK’s retries, logged once at most', async () => {
    const { server, started, lines } = await setup({ secret: 'wrong' });
    const err = await started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WecomAuthError);
    expect((err as WecomAuthError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/WECOM_BOT_ID 和 WECOM_BOT_SECRET/);
    expect((err as Error).message).toMatch(/40001/);
    expect(server.subscribes).toBe(3); // the first try and maxAuthFailureAttempts = 2 retries
    const loud = lines.map((l) => JSON.parse(l) as { level: number }).filter((l) => l.level >= 40);
    expect(loud).toEqual([]); // the one line is main's, from the rejection
  });

  it('missing credentials fail start() at once with WecomAuthError', async () => {
    const { started } = await setup({ secret: '' });
    await expect(started).rejects.toBeInstanceOf(WecomAuthError);
  });

  it('private text is answered on the message’s req_id with a finished stream', async () => {
    const { server, started, deps } = await setup();
    await started;
    const reqId = server.deliver(textMsg({ userid: 'lisi' }, '  谁负责留守儿童？ '));
    const f = await server.waitFrame(isReply(reqId));
    expect(f.body).toMatchObject({
      msgtype: 'stream',
      stream: { finish: true, content: '收到 text single lisi：谁负责留守儿童？' },
    });
    expect(typeof f.body!.stream.id).toBe('string');
    expect(await deps.store.chats.get('lisi')).toMatchObject({ chatType: 'single' }); // now reachable
  });

  it('group text: the @mention is stripped; the group is recorded', async () => {
    const { server, started, deps, seen } = await setup();
    await started;
    const reqId = server.deliver(textMsg({ userid: 'zhangsan', chatid: 'wrkGroup1' }, '@护苗助手\u2005帮助'));
    const f = await server.waitFrame(isReply(reqId));
    expect(f.body!.stream.content).toBe('收到 text group zhangsan：帮助');
    expect(seen[0]).toMatchObject({ chatId: 'wrkGroup1', chatType: 'group', text: '帮助', channel: 'wecom' });
    expect(await deps.store.chats.get('wrkGroup1')).toMatchObject({ chatType: 'group', lastUserId: 'zhangsan' });
  });

  it('an unconfigured group is logged once with its chatid, never with the message text', async () => {
    const { server, started, lines } = await setup();
    await started;
    for (const text of ['@护苗助手 机密甲', '@护苗助手 机密乙']) {
      await server.waitFrame(isReply(server.deliver(textMsg({ userid: 'zhouba', chatid: 'wrkNew' }, text))));
    }
    await server.waitFrame(isReply(server.deliver(textMsg({ userid: 'zhouba', chatid: 'wrkGroup1' }, '@护苗助手 机密丙'))));
    const unknown = lines.filter((l) => l.includes('未配置的群聊'));
    expect(unknown).toHaveLength(1);
    expect(JSON.parse(unknown[0]!)).toMatchObject({ chatId: 'wrkNew' });
    expect(lines.join('')).not.toMatch(/机密/);
  });

  it('voice is handled as its transcription; an image gets the unsupported answer', async () => {
    const { server, started } = await setup();
    await started;
    const v = server.deliver(voiceMsg({ userid: 'lisi' }, '查询'));
    expect((await server.waitFrame(isReply(v))).body!.stream.content).toBe('收到 text single lisi：查询');
    const i = server.deliver(imageMsg({ userid: 'lisi' }));
    expect((await server.waitFrame(isReply(i))).body!.stream.content).toBe('暂不支持这类消息');
  });

  it('choices come with a button card; a click is handled like typing the option, and the card is updated', async () => {
    const { server, started, seen } = await setup();
    await started;
    const reqId = server.deliver(textMsg({ userid: 'zhangsan', chatid: 'wrkPolice' }, '@护苗助手 选'));
    const card = await server.waitFrame((f) => isReply(reqId)(f) && f.body?.msgtype === 'template_card');
    const stream = server.repliesTo(reqId).find((f) => f.body?.msgtype === 'stream')!;
    expect(stream.body!.stream.content).toBe('请选择类别\n1. 闲散\n2. 流浪');
    const tc = card.body!.template_card;
    expect(tc.card_type).toBe('button_interaction');
    expect(tc.button_list.map((b: { key: string }) => b.key)).toEqual(['c01', 'c02']);

    const clickReq = server.deliverEvent(cardClick({ userid: 'zhangsan', chatid: 'wrkPolice' }, tc.task_id, 'c02'));
    const update = await server.waitFrame(isReply(clickReq, 'aibot_respond_update_msg'));
    expect(update.body).toMatchObject({
      response_type: 'update_template_card',
      userids: ['zhangsan'],
      template_card: { task_id: tc.task_id, sub_title_text: '已选择：流浪' },
    });
    // The answer to a click cannot use the click's req_id: it is sent into the chat.
    const answer = await server.waitFrame((f) => f.cmd === 'aibot_send_msg' && f.body?.chatid === 'wrkPolice');
    expect(answer.body).toMatchObject({ msgtype: 'markdown', markdown: { content: '收到 button group zhangsan：c02' } });
    expect(seen.at(-1)).toMatchObject({ kind: 'button', text: 'c02', userId: 'zhangsan' });
    expect(server.repliesTo(clickReq).map((f) => f.cmd)).toEqual(['aibot_respond_update_msg']);
  });

  it('enter_chat is answered on its req_id with a short welcome card whose quick actions work like typing', async () => {
    const { server, started, seen } = await setup();
    await started;
    const reqId = server.deliverEvent(enterChat({ userid: 'wangwu' }));
    const f = await server.waitFrame(isReply(reqId, 'aibot_respond_welcome_msg'));
    expect(f.body).toMatchObject({ msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: '欢迎使用护苗助手' } } });
    const tc = f.body!.template_card;
    expect(tc.button_list.map((b: { text: string }) => b.text)).toEqual(['登记新个案', '我的个案', '问方案']);
    expect(server.refusals).toEqual([]);
    // wangwu has not written yet, so the answer to his tap cannot be pushed; he writes first.
    await server.waitFrame(isReply(server.deliver(textMsg({ userid: 'wangwu' }, '你好'))));
    const tap = server.deliverEvent(cardClick({ userid: 'wangwu' }, tc.task_id, tc.button_list[1].key));
    await server.waitFrame(isReply(tap, 'aibot_respond_update_msg'));
    expect(seen.at(-1)).toMatchObject({ kind: 'button', text: '我的个案' });
  });

  it('a tap on an old card is refused: nothing reaches the handlers, the card says it expired, the current question is shown again', async () => {
    const { server, started, seen } = await setup();
    await started;
    const first = server.deliver(textMsg({ userid: 'lisi' }, '选'));
    const old = (await server.waitFrame((f) => isReply(first)(f) && f.body?.msgtype === 'template_card')).body!.template_card;
    // lisi types instead of tapping; the bot asks again (the echo handler offers a new card).
    const typed = server.deliver(textMsg({ userid: 'lisi' }, '选'));
    await server.waitFrame((f) => isReply(typed)(f) && f.body?.msgtype === 'template_card');
    const handled = seen.length;
    const tap = server.deliverEvent(cardClick({ userid: 'lisi' }, old.task_id, 'c02'));
    const update = await server.waitFrame(isReply(tap, 'aibot_respond_update_msg'));
    expect(update.body!.template_card).toMatchObject({ card_type: 'text_notice', task_id: old.task_id });
    expect(update.body!.template_card.sub_title_text).toMatch(/已过期/);
    const shown = await server.waitFrame((f) => f.cmd === 'aibot_send_msg' && f.body?.chatid === 'lisi' && f.body?.msgtype === 'template_card');
    expect(shown.body!.template_card.main_title.title).toBe('请选择类别');
    expect(seen.length).toBe(handled);
    expect(server.refusals).toEqual([]);
  });

  it('after a restart a tap, whose card is read from the store, reaches the handlers before a message sent after it', async () => {
    // Cards and turns kept outside the channel, as the store keeps them; a card is slow to read.
    const cards = new Map<string, SentCard>();
    const turns = new Map<string, ConversationTurn>();
    const repo: CardRepo = {
      save: async (c) => void cards.set(c.taskId, c),
      get: async (taskId, now) => {
        await new Promise((r) => setTimeout(r, 50));
        const c = cards.get(taskId);
        return c && c.expiresAt > now ? c : undefined;
      },
      saveTurn: async (chatId, userId, t) => void turns.set(`${chatId}|${userId}`, t),
      turn: async (chatId, userId) => turns.get(`${chatId}|${userId}`),
      prune: async () => ({ cards: 0, turns: 0 }),
      forget: async () => 0,
    };
    const { server, started, channel, deps } = await setup({ cards: repo });
    await started;
    const ask = server.deliver(textMsg({ userid: 'lisi' }, '选'));
    const tc = (await server.waitFrame((f) => isReply(ask)(f) && f.body?.msgtype === 'template_card')).body!.template_card;
    await channel.stop();

    const { seen, handler } = recordingHandler();
    const again = createWecomChannel({
      botId: BOT,
      secret: SECRET,
      wsUrl: server.url,
      log: captureLog().log,
      clock: deps.clock,
      resolveTarget: (t) => resolvePushTarget(t, deps.store, deps.config),
      pacer: new WecomPacer(),
      cards: repo,
      sdk: { reconnectInterval: 20, heartbeatInterval: 60_000 },
    });
    cleanups.push(() => again.stop());
    await again.start(async (m) => new Router(deps, [handler]).dispatch(m));
    const tap = server.deliverEvent(cardClick({ userid: 'lisi' }, tc.task_id, 'c02'));
    const typed = server.deliver(textMsg({ userid: 'lisi' }, '然后呢'));
    await server.waitFrame(isReply(typed));
    const update = await server.waitFrame(isReply(tap, 'aibot_respond_update_msg'));
    expect(update.body!.template_card.sub_title_text).toBe('已选择：流浪');
    expect(seen.map((m) => m.text)).toEqual(['c02', '然后呢']);
  });

  it('in a group a card answers only the person it was for', async () => {
    const { server, started, seen } = await setup();
    await started;
    const ask = server.deliver(textMsg({ userid: 'zhangsan', chatid: 'wrkPolice' }, '@护苗助手 选'));
    const tc = (await server.waitFrame((f) => isReply(ask)(f) && f.body?.msgtype === 'template_card')).body!.template_card;
    const handled = seen.length;
    const other = server.deliverEvent(cardClick({ userid: 'lisi', chatid: 'wrkPolice' }, tc.task_id, 'c01'));
    const update = await server.waitFrame(isReply(other, 'aibot_respond_update_msg'));
    expect(update.body).toMatchObject({ userids: ['lisi'], template_card: { card_type: 'text_notice' } });
    expect(seen.length).toBe(handled);
    // Its owner can still answer with it.
    server.deliverEvent(cardClick({ userid: 'zhangsan', chatid: 'wrkPolice' }, tc.task_id, 'c01'));
    await expect.poll(() => seen.at(-1)?.text).toBe('c01');
  });

  it('a vote card submit is handled as typing the ticked options, joined by 、', async () => {
    const { server, started, seen, deps } = await setup();
    await started;
    await deps.store.chats.touch('lisi', 'single', 'lisi', deps.clock.now());
    const ask = server.deliver(textMsg({ userid: 'lisi' }, '多选'));
    const tc = (await server.waitFrame((f) => isReply(ask)(f) && f.body?.msgtype === 'template_card')).body!.template_card;
    expect(tc.card_type).toBe('vote_interaction');
    expect(tc.checkbox.mode).toBe(1);
    const submit = server.deliverEvent(cardSubmit({ userid: 'lisi' }, tc, { q: ['o1', 'o3'] }));
    await server.waitFrame(isReply(submit, 'aibot_respond_update_msg'));
    await expect.poll(() => seen.at(-1)?.text).toBe('逃学、打架');
  });

  it('an answer refused on its callback goes on as a push from the part that failed', async () => {
    const { server, started, deps, channel, pacer } = await setup();
    await started;
    let refuseOnce = true;
    (server.opts as { refuse?: (f: Frame) => number | undefined }).refuse = (f) => {
      if (f.cmd === 'aibot_respond_msg' && refuseOnce) {
        refuseOnce = false;
        return -1;
      }
      return undefined;
    };
    const reqId = server.deliver(textMsg({ userid: 'lisi' }, '确认'));
    await server.waitFrame(isReply(reqId));
    await expect.poll(() => deps.store.outbox.pending()).toBe(1);
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { pacer });
    expect(await worker.drainOnce()).toBe(1);
    const pushed = server.accepted('aibot_send_msg').filter((f) => f.body?.chatid === 'lisi');
    expect(pushed.map((f) => f.body!.markdown.content)).toEqual(['收到 text single lisi：确认']);
  });

  it('a redelivered msgid runs the handlers once and repeats the first answer on the new req_id', async () => {
    const { server, started, seen } = await setup();
    await started;
    const body = textMsg({ userid: 'lisi', msgid: 'dup-1' }, '你好');
    const first = server.deliver(body);
    const a = await server.waitFrame(isReply(first));
    const second = server.deliver(body);
    const b = await server.waitFrame(isReply(second));
    expect(seen.filter((m) => m.id === 'dup-1')).toHaveLength(1);
    expect(b.body!.stream.content).toBe(a.body!.stream.content);
  });

  it('pushes resolve on the server’s ack and reject on an errcode', async () => {
    const refused = new Set<string>();
    const server = await FakeWecomServer.start({
      botId: BOT,
      secret: SECRET,
      reachable: ['wrkGroup1', 'wrkGone'],
      refuse: (f) => (f.cmd === 'aibot_send_msg' && refused.has(f.body?.chatid) ? 93006 : undefined),
    });
    cleanups.push(() => server.close());
    const { log } = captureLog();
    const channel = createWecomChannel({ botId: BOT, secret: SECRET, wsUrl: server.url, log });
    cleanups.push(() => channel.stop());
    await channel.start(async () => ({ replies: [], duplicate: false }));
    await expect(channel.push({ kind: 'chat', id: 'wrkGroup1' }, { text: '本月走访提醒' })).resolves.toBeUndefined();
    expect(server.sent('aibot_send_msg')[0]!.body).toEqual({
      chatid: 'wrkGroup1',
      msgtype: 'markdown',
      markdown: { content: '本月走访提醒' },
    });
    refused.add('wrkGone');
    const err = await channel.push({ kind: 'chat', id: 'wrkGone' }, { text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomSendError);
    expect((err as WecomSendError).errcode).toBe(93006);
    expect((err as WecomSendError).disposition).toBe('give_up');
    // The strict server refuses a push into a chat nobody wrote from.
    const never = await channel.push({ kind: 'chat', id: 'wrkNever' }, { text: 'x' }).catch((e: unknown) => e);
    expect((never as WecomSendError).errcode).toBe(93006);
  });

  it('a long push is split at the byte limit into several messages', async () => {
    const { server, started, channel } = await setup();
    await started;
    const text = Array.from({ length: 80 }, (_, i) => `${i}. ${'护'.repeat(100)}`).join('\n'); // ~24 KB
    await channel.push({ kind: 'chat', id: 'wrkGroup1' }, { text });
    const parts = server.sent('aibot_send_msg').map((f) => f.body!.markdown.content as string);
    expect(parts).toHaveLength(2);
    expect(parts.join('\n')).toBe(text);
  });

  it('a push to a cadre who never wrote to the bot waits for him; his group gets one nudge a day, its own outbox row; his first message delivers it', async () => {
    const { server, started, channel, deps, pacer } = await setup();
    await started;
    const id = (await deps.store.outbox.enqueue(
      { target: { kind: 'user', id: 'zhangsan' }, reply: { text: '个案 DJ-2026-0001 已改由您帮扶' }, reason: 'test' },
      deps.clock.now(),
    ))!;
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { pacer });
    await worker.drainOnce();
    const frames = server.accepted('aibot_send_msg');
    expect(frames).toHaveLength(1);
    expect(frames[0]!.body).toMatchObject({ chatid: 'wrkPolice' });
    expect(frames[0]!.body!.markdown.content).toMatch(/^@张三：您有护苗助手的私信提醒，请私聊机器人/);
    expect(JSON.stringify(frames)).not.toContain('DJ-2026');
    const rows = await deps.store.outbox.list(10);
    const row = rows.find((r) => r.id === id)!;
    expect(row).toMatchObject({ sentAt: null, deliveredTo: null });
    expect(row.heldAt).not.toBeNull();
    const nudge = rows.find((r) => r.reason === 'outbox.nudge')!;
    expect(nudge).toMatchObject({ target: { kind: 'chat', id: 'wrkPolice' } });
    expect(nudge.sentAt).not.toBeNull();

    // More reminders for him wait too; the group is not nudged again the same day.
    for (const t of ['逾期提醒', '督办', '即将到期']) {
      await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'zhangsan' }, reply: { text: t }, reason: 'test' }, deps.clock.now());
    }
    await worker.drainOnce();
    expect(server.accepted('aibot_send_msg')).toHaveLength(1);
    expect(await deps.store.outbox.heldCounts()).toEqual([{ target: { kind: 'user', id: 'zhangsan' }, count: 4, oldest: expect.any(Date) }]);

    // He writes 「你好」: everything that waited reaches him, newest first as one digest (there are four).
    await server.waitFrame(isReply(server.deliver(textMsg({ userid: 'zhangsan' }, '你好'))));
    await worker.drainOnce();
    const toHim = server.accepted('aibot_send_msg').filter((f) => f.body?.chatid === 'zhangsan' && f.body?.msgtype === 'markdown');
    // The digest names a case, so buttons to log a contact or open it come with it.
    expect(server.accepted('aibot_send_msg').find((f) => f.body?.chatid === 'zhangsan' && f.body?.msgtype === 'template_card')!.body!.template_card.button_list.map((b: { key: string }) => b.key)).toEqual(['走访 DJ-2026-0001', '查看 DJ-2026-0001']);
    expect(toHim).toHaveLength(1);
    const digest = toHim[0]!.body!.markdown.content as string;
    expect(digest).toMatch(/^您有 4 条之前未能送达的提醒/);
    expect(digest.indexOf('即将到期')).toBeLessThan(digest.indexOf('个案 DJ-2026-0001 已改由您帮扶'));
    expect(await deps.store.outbox.heldCounts()).toEqual([]);
    expect(await deps.store.outbox.pending()).toBe(0);
    expect(server.refusals).toEqual([]);
  });

  it('a few held messages go out as they were; opening the chat (enter_chat) carries them in the welcome', async () => {
    const { server, started, channel, deps, pacer } = await setup();
    await started;
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { pacer });
    await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'wangwu' }, reply: { text: '本月走访提醒' }, reason: 'test' }, deps.clock.now());
    await worker.drainOnce();
    const reqId = server.deliverEvent(enterChat({ userid: 'wangwu' }));
    const welcome = await server.waitFrame(isReply(reqId, 'aibot_respond_welcome_msg'));
    expect(welcome.body!.msgtype).toBe('text');
    expect(welcome.body!.text.content).toContain('本月走访提醒');
    expect(await deps.store.outbox.heldCounts()).toEqual([]);
    expect(server.refusals).toEqual([]);

    await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'zhaoliu' }, reply: { text: '第一条' }, reason: 'test' }, deps.clock.now());
    await worker.drainOnce();
    await server.waitFrame(isReply(server.deliver(textMsg({ userid: 'zhaoliu' }, '在'))));
    await worker.drainOnce();
    expect(server.accepted('aibot_send_msg').filter((f) => f.body?.chatid === 'zhaoliu').map((f) => f.body!.markdown.content)).toEqual(['第一条']);
  });

  it('the connection drops: the bot reconnects, and a push queued meanwhile is delivered exactly once', async () => {
    const { server, started, channel, deps, pacer } = await setup({ pushConnectTimeoutMs: 100 });
    await started;
    const worker = new OutboxWorker(deps.store, channel, deps.clock, deps.log, { pacer });
    server.hold(); // the bot will reconnect, but WeCom does not answer its subscribe yet
    server.drop();
    await expect.poll(() => channel.connected).toBe(false);
    await deps.store.outbox.enqueue({ target: { kind: 'chat', id: 'wrkGroup1' }, reply: { text: '季度调度通知' }, reason: 'test' }, deps.clock.now());
    expect(await worker.drainOnce()).toBe(0); // not connected: the row stays for a retry
    expect((await deps.store.outbox.list(1))[0]).toMatchObject({ sentAt: null, attempts: 1 });
    await expect(channel.push({ kind: 'chat', id: 'x' }, { text: 'y' })).rejects.toBeInstanceOf(WecomNotConnectedError);

    server.release();
    await expect.poll(() => channel.connected).toBe(true);
    deps.clock.advance(retryDelayMs(1));
    expect(await worker.drainOnce()).toBe(1);
    expect(await worker.drainOnce()).toBe(0);
    expect(server.sent('aibot_send_msg').filter((f) => f.body?.markdown?.content === '季度调度通知')).toHaveLength(1);
    expect(await deps.store.outbox.pending()).toBe(0);
    // And the bot still answers messages on the new connection.
    const reqId = server.deliver(textMsg({ userid: 'lisi' }, '还在吗'));
    expect((await server.waitFrame(isReply(reqId))).body!.stream.content).toBe('收到 text single lisi：还在吗');
  });

  it('a push waits for a short reconnect instead of failing', async () => {
    const { server, started, channel } = await setup({ pushConnectTimeoutMs: 5_000 });
    await started;
    server.hold();
    server.drop();
    await expect.poll(() => channel.connected).toBe(false);
    const pushed = channel.push({ kind: 'chat', id: 'wrkGroup1' }, { text: '断线期间的通知' });
    server.release();
    await pushed;
    expect(server.sent('aibot_send_msg').map((f) => f.body?.markdown?.content)).toEqual(['断线期间的通知']);
  });

  it('disconnected_event: this instance stops with WecomTakenOverError (exit 3) and does not reconnect', async () => {
    const { server, started, channel, lines } = await setup();
    await started;
    server.kick();
    const err = await channel.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WecomTakenOverError);
    expect((err as WecomTakenOverError).exitCode).toBe(3);
    expect(lines.some((l) => l.includes('disconnected_event'))).toBe(true);
    expect(channel.connected).toBe(false);
    // Ten reconnect intervals later there is still only the one connection.
    await new Promise((r) => setTimeout(r, 200));
    expect(server.connections).toBe(1);
    await expect(channel.push({ kind: 'chat', id: 'wrkGroup1' }, { text: 'x' })).rejects.toBeInstanceOf(WecomNotConnectedError);
  });
});

describe('group webhook for @-mentions', () => {
  it('a redirected notice goes through the group robot with a real mention when the group has a key', async () => {
    const posts: Array<{ url: string; body: unknown }> = [];
    const http = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        posts.push({ url: req.url ?? '', body: JSON.parse(data) });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
    const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const groups = (await testDeps()).config.groups.map((g) => (g.chatid === 'wrkPolice' ? { ...g, webhookKey: 'KEY-1' } : g));
    const { server, started, channel } = await setup({ configGroups: groups, webhook: { baseUrl } });
    await started;
    const err = await channel.push({ kind: 'user', id: 'zhangsan' }, { text: '个案详情' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeldForReachError);
    const nudge = (err as HeldForReachError).nudge!;
    expect(await channel.push(nudge.target, nudge.reply)).toEqual({ kind: 'chat', id: 'wrkPolice' });
    expect(posts).toEqual([
      {
        url: '/cgi-bin/webhook/send?key=KEY-1',
        body: {
          msgtype: 'text',
          text: { content: expect.stringMatching(/^@张三：您有护苗助手的私信提醒/), mentioned_list: ['zhangsan'] },
        },
      },
    ]);
    expect(server.sent('aibot_send_msg')).toEqual([]);
  });
});
