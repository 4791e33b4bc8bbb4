import { afterEach, expect, it } from 'vitest';
import { intakeHandler, MOVED_TO_PRIVATE_TEXT } from '../../../handlers/intake.js';
import { unsupportedHandler } from '../../../handlers/unsupported.js';
import { startWecom, type WecomTuning } from '../../../src/channels/wecom/start.js';
import { townChannelPorts } from '../../../src/town-runtime.js';
import { bundledPlanPath } from '../../../src/config/load.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { OutboxWorker, retryDelayMs } from '../../../src/core/outbox-worker.js';
import { Router } from '../../../src/core/router.js';
import { silentLogger } from '../../../src/core/log.js';
import { testDeps } from '../../helpers/deps.js';
import { cardClick, cardSubmit, FakeWecomServer, textMsg, type Frame } from './fake-wecom-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The intake handler behind a WeCom channel on the loopback server, with its pacer and outbox worker. */
async function intakeBot(server: FakeWecomServer, tuning: WecomTuning = {}) {
  const deps = await testDeps({ plan: loadPlanFile(bundledPlanPath) });
  const router = new Router(deps, [unsupportedHandler, intakeHandler]);
  const { channel, pacer } = startWecom(townChannelPorts(deps), { platform: 'wecom', botId: 'B', secret: 'S', wsUrl: server.url, reconnectMs: 20 }, { heartbeatMs: 60_000, ...tuning });
  cleanups.push(() => channel.stop());
  await channel.start(async (m) => router.dispatch(m));
  return { deps, channel, worker: new OutboxWorker(deps.store, channel, deps.clock, silentLogger, { pacer }) };
}

/**
 * The real intake handler over the WeCom channel: a case started in a group moves to the private
 * chat through the outbox; the connection drops before that push is delivered; after the
 * reconnect it arrives once, its card is clicked, and the form goes on.
 */
it('an intake survives a dropped connection: the outbox push arrives once and the form goes on', async () => {
  // lisi wrote to the bot privately before (WeCom remembers it; so does the store, below).
  const server = await FakeWecomServer.start({ botId: 'B', secret: 'S', reachable: ['lisi'] });
  cleanups.push(() => server.close());
  const { deps, channel, worker } = await intakeBot(server, { pushConnectTimeoutMs: 100 });
  const sendsTo = (id: string) => server.sent('aibot_send_msg').filter((f) => f.body?.chatid === id);
  const reply = async (reqId: string) =>
    (await server.waitFrame((f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId)).body!;

  // lisi has written to the bot privately before, so he can be reached there.
  await deps.store.chats.touch('lisi', 'single', 'lisi', deps.clock.now());
  const inGroup = server.deliver(textMsg({ userid: 'lisi', chatid: 'wrkGroup1' }, '@护苗助手 新增个案'));
  expect((await reply(inGroup)).stream.content).toBe(MOVED_TO_PRIVATE_TEXT);
  expect(await deps.store.outbox.pending()).toBe(1);

  server.hold();
  server.drop();
  await expect.poll(() => channel.connected).toBe(false);
  expect(await worker.drainOnce()).toBe(0);
  server.release();
  await expect.poll(() => channel.connected).toBe(true);
  deps.clock.advance(retryDelayMs(1));
  expect(await worker.drainOnce()).toBe(1);
  expect(await worker.drainOnce()).toBe(0);

  const pushed = sendsTo('lisi');
  const prompts = pushed.filter((f) => f.body?.msgtype === 'markdown');
  expect(prompts).toHaveLength(1);
  expect(prompts[0]!.body!.markdown.content).toContain('属于哪一类重点青少年？');
  const card = pushed.find((f) => f.body?.msgtype === 'template_card')!.body!.template_card;
  // The category step may take several; its card is a multiple-choice vote card titled with the question.
  expect(card.main_title.title).toBe('属于哪一类重点青少年？');
  const options = card.card_type === 'vote_interaction' ? card.checkbox.option_list : card.button_list;
  expect(options.length).toBeGreaterThanOrEqual(2);

  // Choosing the second category is the same as typing it; the next question follows.
  server.deliverEvent(
    card.card_type === 'vote_interaction'
      ? cardSubmit({ userid: 'lisi' }, card, { q: [options[1].id] })
      : cardClick({ userid: 'lisi' }, card.task_id, options[1].key),
  );
  const next = await server.waitFrame(
    (f) => f.cmd === 'aibot_send_msg' && f.body?.chatid === 'lisi' && /孩子的姓名/.test(f.body?.markdown?.content ?? ''),
  );
  expect(next.body!.markdown.content).toContain('孩子的姓名？');
  const named = server.deliver(textMsg({ userid: 'lisi' }, '王小明'));
  expect((await reply(named)).stream.content).toContain('身份证号');
  expect(await deps.store.outbox.pending()).toBe(0);
  expect(sendsTo('lisi').filter((f) => /属于哪一类/.test(f.body?.markdown?.content ?? ''))).toHaveLength(1);
});

it('the summary offers 确认 / 修改 / 取消 as buttons; a confirmation whose answer was lost on the callback still arrives, as a push', async () => {
  let dropRespond = false;
  const server = await FakeWecomServer.start({
    botId: 'B',
    secret: 'S',
    reachable: ['lisi'],
    // The answer to 「确认」 does not make it on its callback (WeCom refuses, as after a reconnect).
    refuse: (f) => (dropRespond && f.cmd === 'aibot_respond_msg' ? 846605 : undefined),
  });
  cleanups.push(() => server.close());
  const { deps, worker } = await intakeBot(server);
  const frames = async (reqId: string) => {
    const stream = await server.waitFrame((f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId && f.body?.msgtype === 'stream');
    // A reply that offers choices is followed by its card; wait for it rather than for a guess of time.
    if (/\n1\. |「是」或「否」|回复「确认」/.test(stream.body!.stream.content)) {
      await server.waitFrame((f: Frame) => f.headers.req_id === reqId && f.body?.msgtype === 'template_card');
    }
    await new Promise((r) => setTimeout(r, 20));
    return server.repliesTo(reqId);
  };
  // Answer every question by typing until the summary asks for a confirmation.
  let reqId = server.deliver(textMsg({ userid: 'lisi' }, '新增个案 闲散 王小明 男 2012年3月5日 前刘村 在校 父母在家 监护人王大 13800000000 无不良行为'));
  let summary: Frame[] = [];
  for (let i = 0; i < 30; i++) {
    const got = await frames(reqId);
    const text = got.map((f) => f.body?.stream?.content ?? '').join('\n');
    if (/回复「确认」/.test(text)) {
      summary = got;
      break;
    }
    const card = got.find((f) => f.body?.msgtype === 'template_card')?.body?.template_card;
    const answer = /手机号/.test(text)
      ? '王大 13812345678'
      : /月份|年月/.test(text)
        ? '2025年6月'
        : /是否|「是」或「否」/.test(text)
          ? '否'
          : card
            ? '1'
            : /跳过/.test(text)
              ? '跳过'
              : '不清楚';
    reqId = server.deliver(textMsg({ userid: 'lisi' }, answer));
  }
  const card = summary.find((f) => f.body?.msgtype === 'template_card')?.body?.template_card;
  expect(card?.button_list.map((b: { key: string }) => b.key)).toEqual(['确认', '修改', '取消']);
  expect(server.refusals).toEqual([]);

  dropRespond = true;
  server.deliver(textMsg({ userid: 'lisi' }, '确认'));
  await expect.poll(() => deps.store.outbox.pending()).toBeGreaterThan(0);
  await worker.drainOnce();
  const saved = server.accepted('aibot_send_msg').filter((f) => f.body?.chatid === 'lisi' && /已保存|已登记|DJ-/.test(f.body?.markdown?.content ?? ''));
  expect(saved.length).toBeGreaterThan(0);
});
