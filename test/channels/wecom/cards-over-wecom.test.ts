import { afterEach, expect, it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { ALREADY_SAVED_TEXT } from '../../../handlers/repeated-confirm.js';
import { MOVED_TO_PRIVATE_TEXT } from '../../../handlers/intake.js';
import { startWecom } from '../../../src/channels/wecom/start.js';
import { townChannelPorts } from '../../../src/town-runtime.js';
import { bundledPlanPath } from '../../../src/config/load.js';
import { caseForm } from '../../../src/domain/intake/case-form.js';
import type { EngineState } from '../../../src/domain/intake/engine.js';
import { CARD_LIFE_MS } from '../../../src/domain/ports/store.js';
import { PAUSE_AFTER_MS } from '../../../src/domain/intake/session-policy.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { OutboxWorker, retryDelayMs } from '../../../src/core/outbox-worker.js';
import { silentLogger } from '../../../src/core/log.js';
import { testDeps } from '../../helpers/deps.js';
import { cardClick, cardSubmit, enterChat, FakeWecomServer, textMsg, type Frame, type FakeServerOptions } from './fake-wecom-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Deps = Awaited<ReturnType<typeof testDeps>>;

/** Every handler of the bot, in production order, over the store-backed card registry. */
async function startBot(server: FakeWecomServer, deps: Deps) {
  const { router } = createApp(deps);
  const { channel, pacer } = startWecom(townChannelPorts(deps), { platform: 'wecom', botId: 'B', secret: 'S', wsUrl: server.url, reconnectMs: 20 }, { heartbeatMs: 60_000 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await channel.stop();
  };
  cleanups.push(stop);
  await channel.start(async (m) => router.dispatch(m));
  return { channel, stop, worker: new OutboxWorker(deps.store, channel, deps.clock, silentLogger, { pacer }) };
}

async function setup(opts: Partial<FakeServerOptions> = {}) {
  // The broadcast group and lisi's private chat wrote to the bot before.
  const server = await FakeWecomServer.start({ botId: 'B', secret: 'S', reachable: ['lisi', 'wrkGroup1'], ...opts });
  cleanups.push(() => server.close());
  const deps = await testDeps({ plan: loadPlanFile(bundledPlanPath) });
  // lisi wrote to the bot privately before; WeCom and the store both know it.
  await deps.store.chats.touch('lisi', 'single', 'lisi', deps.clock.now());
  return { server, deps };
}

/** The frames answering one callback, once its text (and the card it offers, if any) arrived. */
async function answerTo(server: FakeWecomServer, reqId: string): Promise<{ text: string; card: any }> {
  const first = await server.waitFrame((f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId);
  if (first.body?.msgtype === 'stream' && /\n1\. |「是」或「否」|回复「确认」|可多选/.test(first.body.stream.content)) {
    await server.waitFrame((f: Frame) => f.headers.req_id === reqId && f.body?.msgtype === 'template_card');
  }
  await new Promise((r) => setTimeout(r, 20));
  const frames = server.repliesTo(reqId);
  return {
    text: frames.map((f) => f.body?.stream?.content ?? '').join('\n'),
    card: frames.find((f) => f.body?.msgtype === 'template_card')?.body?.template_card,
  };
}

/** The pushes WeCom accepted into a chat. */
const pushesTo = (server: FakeWecomServer, chatId: string) => server.accepted('aibot_send_msg').filter((f) => f.body?.chatid === chatId);

async function draft(deps: Deps, userId = 'lisi'): Promise<EngineState> {
  return (await deps.store.sessions.get(userId, userId))!.state as EngineState;
}

it('the welcome card shows a pending registration with 继续登记 beside the quick actions, on opening the chat and on 你好', async () => {
  const { server, deps } = await setup();
  const { worker } = await startBot(server, deps);

  // Nothing pending: greeting and quick actions only.
  const entered = server.deliverEvent(enterChat({ userid: 'wangwu' }));
  const plain = await server.waitFrame((f) => f.cmd === 'aibot_respond_welcome_msg' && f.headers.req_id === entered);
  expect(plain.body!.template_card.quote_area).toBeUndefined();
  expect(plain.body!.template_card.button_list.map((b: { text: string }) => b.text)).toEqual(['登记新个案', '我的个案', '问方案']);

  // A registration started in the group goes on in private.
  const inGroup = server.deliver(textMsg({ userid: 'lisi', chatid: 'wrkGroup1' }, '@护苗助手 新增个案'));
  expect((await answerTo(server, inGroup)).text).toBe(MOVED_TO_PRIVATE_TEXT);
  expect(await worker.drainOnce()).toBe(1);

  const opened = server.deliverEvent(enterChat({ userid: 'lisi' }));
  const welcome = (await server.waitFrame((f) => f.cmd === 'aibot_respond_welcome_msg' && f.headers.req_id === opened)).body!;
  expect(welcome.msgtype).toBe('template_card');
  const card = welcome.template_card;
  expect(card.main_title.title).toContain('护苗助手');
  expect(card.quote_area).toMatchObject({ title: '您有一份未完成的个案登记', quote_text: '属于哪一类重点青少年？' });
  expect(card.button_list.map((b: { text: string }) => b.text)).toEqual(['继续登记', '登记新个案', '我的个案', '问方案']);

  // A greeting as the first private message gets the same card, answered on its own req_id.
  const hello = await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '你好')));
  expect(hello.card.quote_area.quote_text).toBe('属于哪一类重点青少年？');
  expect(hello.card.button_list[0]).toMatchObject({ text: '继续登记', key: '继续' });

  // 继续登记 asks the pending question, with its own card; nothing was answered by the tap.
  const before = pushesTo(server, 'lisi').length;
  const tap = server.deliverEvent(cardClick({ userid: 'lisi' }, card.task_id, '继续'));
  await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === tap);
  await expect.poll(() => pushesTo(server, 'lisi').length).toBeGreaterThanOrEqual(before + 2);
  const asked = pushesTo(server, 'lisi').slice(before);
  expect(asked[0]!.body!.markdown.content).toContain('属于哪一类重点青少年？');
  expect(asked[1]!.body!.template_card.main_title.title).toBe('属于哪一类重点青少年？');
  expect((await draft(deps)).answers.categories).toBeUndefined();
  expect(server.refusals).toEqual([]);
});

it('a 确认 typed again after 已保存 was lost to a disconnect gets the saved case again, and the case exists once', async () => {
  let dropSaved = false;
  const ref: { server?: FakeWecomServer } = {};
  const { server, deps } = await setup({
    // The saved answer never gets its ack: the connection goes down under it.
    silent: (f) => {
      if (!(dropSaved && f.cmd === 'aibot_respond_msg' && /已保存个案/.test(f.body?.stream?.content ?? ''))) return false;
      dropSaved = false;
      setImmediate(() => ref.server!.drop());
      return true;
    },
  });
  ref.server = server;
  const { channel, worker } = await startBot(server, deps);

  let reqId = server.deliver(textMsg({ userid: 'lisi' }, '新增个案 闲散 王小明 男 2012年3月5日 前刘村 在校 父母在家 监护人王大 13800000000 无不良行为'));
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    const { text, card } = await answerTo(server, reqId);
    if (/回复「确认」/.test(text)) {
      reached = true;
      break;
    }
    const answer = /手机号/.test(text) ? '王大 13812345678' : /月份|年月/.test(text) ? '2025年6月' : /「是」或「否」/.test(text) ? '否' : card ? '1' : /跳过/.test(text) ? '跳过' : '不清楚';
    reqId = server.deliver(textMsg({ userid: 'lisi' }, answer));
  }
  expect(reached).toBe(true);

  const subscribes = server.subscribes;
  dropSaved = true;
  server.deliver(textMsg({ userid: 'lisi' }, '确认'));
  await expect.poll(() => server.subscribes).toBeGreaterThan(subscribes);
  await expect.poll(() => channel.connected).toBe(true);
  expect(await deps.store.cases.list()).toHaveLength(1);
  const code = (await deps.store.cases.list())[0]!.code;

  // He never saw 已保存 and types 确认 again.
  const again = await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '确认')));
  expect(again.text).toContain(ALREADY_SAVED_TEXT);
  expect(again.text).toContain(`已保存个案 ${code}`);
  expect(again.text).toContain('王小明');
  expect(again.text).not.toMatch(/没有相关规定|没有找到/);
  expect(await deps.store.cases.list()).toHaveLength(1);

  // The lost answer still arrives too, as a push.
  deps.clock.advance(retryDelayMs(1));
  await worker.drainOnce();
  expect(pushesTo(server, 'lisi').some((f) => (f.body?.markdown?.content ?? '').includes(`已保存个案 ${code}`))).toBe(true);

  // Anything else said ends it: a later 确认 is no longer taken for this case.
  await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '留守儿童归哪个单位管')));
  const later = await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '确认')));
  expect(later.text).not.toContain(ALREADY_SAVED_TEXT);
  expect(await deps.store.cases.list()).toHaveLength(1);
  expect(server.refusals).toEqual([]);
});

it('cards outlive a restart: a current one is taken, a stale one refused politely with the question shown again, an expired one refused', async () => {
  const { server, deps } = await setup();
  let bot = await startBot(server, deps);
  const started = await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '新增个案')));
  const categories = started.card;
  expect(categories.card_type).toBe('vote_interaction');
  expect(categories.checkbox.mode).toBe(1);

  // Restart, which took a while; the card sent before it still asks the current question, and a
  // tap on it is an answer even after the pause that would make a typed message wait for 继续.
  await bot.stop();
  deps.clock.advance(PAUSE_AFTER_MS + 60_000);
  bot = await startBot(server, deps);
  const before = pushesTo(server, 'lisi').length;
  const submit = server.deliverEvent(cardSubmit({ userid: 'lisi' }, categories, { q: [categories.checkbox.option_list[1].id] }));
  const taken = await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === submit);
  expect(taken.body!.template_card.sub_title_text).toMatch(/^已选择：/);
  await expect.poll(() => pushesTo(server, 'lisi').slice(before).some((f) => /孩子的姓名/.test(f.body?.markdown?.content ?? ''))).toBe(true);
  const picked = (await draft(deps)).answers.categories;
  expect(picked).toHaveLength(1);

  expect((await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '王小明')))).text).toContain('身份证号');

  // Restart again; the old category card no longer asks what is being asked.
  await bot.stop();
  bot = await startBot(server, deps);
  const mark = pushesTo(server, 'lisi').length;
  const stale = server.deliverEvent(cardSubmit({ userid: 'lisi' }, categories, { q: [categories.checkbox.option_list[0].id] }));
  const refused = await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === stale);
  expect(refused.body!.template_card).toMatchObject({ card_type: 'text_notice', task_id: categories.task_id });
  expect(refused.body!.template_card.sub_title_text).toMatch(/已过期/);
  await expect.poll(() => pushesTo(server, 'lisi').length).toBeGreaterThanOrEqual(mark + 2);
  const shown = pushesTo(server, 'lisi').slice(mark).map((f) => f.body?.markdown?.content ?? '').join('\n');
  expect(shown).toContain('已过期，刚才的点击没有记录');
  expect(shown).toContain('身份证号');
  expect((await draft(deps)).answers.categories).toEqual(picked);
  expect((await draft(deps)).answers.fullName).toBe('王小明');

  // A card past its life is refused even when nothing came after it (the welcome's quick actions).
  const opened = server.deliverEvent(enterChat({ userid: 'lisi' }));
  const welcome = (await server.waitFrame((f) => f.cmd === 'aibot_respond_welcome_msg' && f.headers.req_id === opened)).body!.template_card;
  deps.clock.advance(CARD_LIFE_MS + 1000);
  const late = server.deliverEvent(cardClick({ userid: 'lisi' }, welcome.task_id, '我的个案'));
  const lateUpdate = await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === late);
  expect(lateUpdate.body!.template_card.sub_title_text).toMatch(/已过期/);
  expect(server.refusals).toEqual([]);
});

it('a tap on a card of another question, or of the form before an update, records nothing; the current question is asked again', async () => {
  const { server, deps } = await setup();
  const { worker } = await startBot(server, deps);
  const first = (await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '新增个案')))).card;
  // A reminder pushed meanwhile asks nothing: the category card still asks the current question.
  await deps.store.outbox.enqueue({ target: { kind: 'user', id: 'lisi' }, reply: { text: '【提醒】本月还有个案尚未走访，请及时联系。' }, reason: 'job.overdue' }, deps.clock.now());
  expect(await worker.drainOnce()).toBe(1);

  // A deploy bumps the form version while the card is out: the dialog itself refuses the tap.
  const form = caseForm as { version: number };
  form.version += 1;
  let second: any;
  try {
    const mark = pushesTo(server, 'lisi').length;
    const tap = server.deliverEvent(cardSubmit({ userid: 'lisi' }, first, { q: [first.checkbox.option_list[1].id] }));
    const update = await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === tap);
    expect(update.body!.template_card.sub_title_text).toMatch(/已过期/);
    await expect.poll(() => pushesTo(server, 'lisi').length).toBeGreaterThanOrEqual(mark + 2);
    const pushed = pushesTo(server, 'lisi').slice(mark);
    expect(pushed[0]!.body!.markdown.content).toContain('登记表已更新');
    expect(pushed[0]!.body!.markdown.content).toContain('属于哪一类重点青少年？');
    second = pushed[1]!.body!.template_card;
    expect(second.main_title.title).toBe('属于哪一类重点青少年？');
    expect((await draft(deps)).answers.categories).toBeUndefined();

    // The card asked again under the new form is taken.
    const ok = server.deliverEvent(cardSubmit({ userid: 'lisi' }, second, { q: [second.checkbox.option_list[1].id] }));
    const answered = await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === ok);
    expect(answered.body!.template_card.sub_title_text).toMatch(/^已选择：/);
    await expect.poll(async () => (await draft(deps)).answers.categories).toHaveLength(1);
  } finally {
    form.version -= 1;
  }

  // The name is asked now. The cadre types it; the category card tapped after that is refused.
  await expect.poll(() => pushesTo(server, 'lisi').some((f) => /孩子的姓名/.test(f.body?.markdown?.content ?? ''))).toBe(true);
  expect((await answerTo(server, server.deliver(textMsg({ userid: 'lisi' }, '王小明')))).text).toContain('身份证号');
  const answers = { ...(await draft(deps)).answers };
  const mark = pushesTo(server, 'lisi').length;
  const old = server.deliverEvent(cardSubmit({ userid: 'lisi' }, second, { q: [second.checkbox.option_list[0].id] }));
  const expired = await server.waitFrame((f) => f.cmd === 'aibot_respond_update_msg' && f.headers.req_id === old);
  expect(expired.body!.template_card.sub_title_text).toMatch(/已过期/);
  await expect.poll(() => pushesTo(server, 'lisi').length).toBeGreaterThanOrEqual(mark + 2);
  expect(pushesTo(server, 'lisi').slice(mark).map((f) => f.body?.markdown?.content ?? '').join('\n')).toContain('身份证号');
  expect((await draft(deps)).answers).toEqual(answers);
  expect(server.refusals).toEqual([]);
});
