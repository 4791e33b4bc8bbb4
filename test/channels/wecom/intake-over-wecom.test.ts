import { afterEach, expect, it } from 'vitest';
import { intakeHandler, MOVED_TO_PRIVATE_TEXT } from '../../../handlers/intake.js';
import { unsupportedHandler } from '../../../handlers/unsupported.js';
import { WecomPacer } from '../../../src/channels/wecom/pacing.js';
import { resolvePushTarget } from '../../../src/channels/shared/push-target.js';
import { createWecomChannel } from '../../../src/channels/wecom/wecom-channel.js';
import { bundledPlanPath } from '../../../src/config/load.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { OutboxWorker, retryDelayMs } from '../../../src/core/outbox-worker.js';
import { Router } from '../../../src/core/router.js';
import { silentLogger } from '../../../src/log.js';
import { testDeps } from '../../helpers/deps.js';
import { cardClick, FakeWecomServer, textMsg, type Frame } from './fake-wecom-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The real intake handler over the WeCom channel: a case started in a group moves to the private
 * chat through the outbox; the connection drops before that push is delivered; after the
 * reconnect it arrives once, its card is clicked, and the form goes on.
 */
it('an intake survives a dropped connection: the outbox push arrives once and the form goes on', async () => {
  const server = await FakeWecomServer.start({ botId: 'B', secret: 'S' });
  cleanups.push(() => server.close());
  const deps = testDeps({ plan: loadPlanFile(bundledPlanPath) });
  const router = new Router(deps, [unsupportedHandler, intakeHandler]);
  const pacer = new WecomPacer();
  const channel = createWecomChannel({
    botId: 'B',
    secret: 'S',
    wsUrl: server.url,
    log: silentLogger,
    clock: deps.clock,
    resolveTarget: (t) => resolvePushTarget(t, deps.store, deps.config),
    pacer,
    pushConnectTimeoutMs: 100,
    sdk: { reconnectInterval: 20, heartbeatInterval: 60_000 },
  });
  cleanups.push(() => channel.stop());
  await channel.start(async (m) => router.dispatch(m));
  const worker = new OutboxWorker(deps.store, channel, deps.clock, silentLogger, { pacer });
  const sendsTo = (id: string) => server.sent('aibot_send_msg').filter((f) => f.body?.chatid === id);
  const reply = async (reqId: string) =>
    (await server.waitFrame((f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId)).body!;

  // lisi has written to the bot privately before, so he can be reached there.
  deps.store.chats.touch('lisi', 'single', 'lisi', deps.clock.now());
  const inGroup = server.deliver(textMsg({ userid: 'lisi', chatid: 'wrkGroup1' }, '@护苗助手 新增个案'));
  expect((await reply(inGroup)).stream.content).toBe(MOVED_TO_PRIVATE_TEXT);
  expect(deps.store.outbox.pending()).toBe(1);

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
  expect(card.button_list.length).toBeGreaterThanOrEqual(2);

  // Clicking the second category is the same as typing it; the next question follows.
  const chosen = card.button_list[1];
  server.deliverEvent(cardClick({ userid: 'lisi' }, card.task_id, chosen.key));
  const next = await server.waitFrame(
    (f) => f.cmd === 'aibot_send_msg' && f.body?.chatid === 'lisi' && /孩子的姓名/.test(f.body?.markdown?.content ?? ''),
  );
  expect(next.body!.markdown.content).toContain('孩子的姓名？');
  const named = server.deliver(textMsg({ userid: 'lisi' }, '王小明'));
  expect((await reply(named)).stream.content).toContain('身份证号');
  expect(deps.store.outbox.pending()).toBe(0);
  expect(sendsTo('lisi').filter((f) => /属于哪一类/.test(f.body?.markdown?.content ?? ''))).toHaveLength(1);
});
