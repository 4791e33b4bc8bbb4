import { afterEach, expect, it } from 'vitest';
import { followupHandlers } from '../../../handlers/followup.js';
import { createWecomChannel } from '../../../src/channels/wecom/wecom-channel.js';
import { Router } from '../../../src/core/router.js';
import { silentLogger } from '../../../src/core/log.js';
import { fromLocal } from '../../../src/domain/calendar/shanghai.js';
import { addCase, followupHarness } from '../../helpers/followup-fixtures.js';
import { cardClick, FakeWecomServer, mixedMsg, quotedText, type Frame } from './fake-wecom-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const h = await followupHarness({ start: fromLocal(2026, 11, 20, 10) });
  await addCase(h.store, { code: 'DJ-2026-0001', createdAt: fromLocal(2026, 9, 1), categories: ['05'], mentor: 'wangwu' });
  await addCase(h.store, { code: 'DJ-2026-0002', createdAt: fromLocal(2026, 9, 1), categories: ['02'], mentor: 'wangwu' });
  const server = await FakeWecomServer.start({ botId: 'B', secret: 'S' });
  cleanups.push(() => server.close());
  const router = new Router(h.deps, [...followupHandlers, { name: 'qa-stand-in', handle: () => [{ text: '[Q&A]' }] }]);
  const channel = createWecomChannel({ botId: 'B', secret: 'S', wsUrl: server.url, log: silentLogger, clock: h.clock, sdk: { heartbeatInterval: 60_000 } });
  cleanups.push(() => channel.stop());
  await channel.start(async (m) => router.dispatch(m));
  const answer = async (reqId: string) => {
    await server.waitFrame((f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId && f.body?.msgtype === 'stream');
    await new Promise((r) => setTimeout(r, 50));
    return server.repliesTo(reqId);
  };
  return { h, server, answer };
}

it('an answer quoting a reminder logs the contact for the case it named, after a tap on 是', async () => {
  const { h, server, answer } = await setup();
  const reminder = '个案 DJ-2026-0001 本月还没有联系记录，请在 11月30日 前走访。';
  const got = await answer(server.deliver(quotedText({ userid: 'wangwu' }, '已走访，情况稳定', reminder)));
  const text = got.find((f) => f.body?.msgtype === 'stream')!.body!.stream.content as string;
  expect(text).toMatch(/要为个案 DJ-2026-0001 记录 11月20日.*「.*情况稳定」吗/);
  expect(await h.store.followup.contacts()).toEqual([]);
  const card = got.find((f) => f.body?.msgtype === 'template_card')!.body!.template_card;
  expect(card.button_list.map((b: { key: string }) => b.key)).toEqual(['是', '否']);
  server.deliverEvent(cardClick({ userid: 'wangwu' }, card.task_id, '是'));
  // The contact method was not said, so the form asks it; a tap on 上门 saves.
  const ask = await server.waitFrame((f) => f.cmd === 'aibot_send_msg' && f.body?.msgtype === 'template_card' && /怎么联系/.test(f.body?.template_card?.main_title?.title ?? ''));
  server.deliverEvent(cardClick({ userid: 'wangwu' }, ask.body!.template_card.task_id, '上门'));
  await expect.poll(async () => (await h.store.followup.contacts()).length).toBe(1);
  expect((await h.store.followup.contacts())[0]).toMatchObject({ method: '上门', loggedBy: 'wangwu' });
  expect((await h.store.cases.getByCode('DJ-2026-0001'))!.id).toBe((await h.store.followup.contacts())[0]!.caseId);
  expect(server.refusals).toEqual([]);
});

it('a 否 records nothing; a quote naming two cases asks which; text with a picture is read as its text', async () => {
  const { h, server, answer } = await setup();
  const got = await answer(server.deliver(quotedText({ userid: 'wangwu' }, '电话联系了，情况稳定', '个案 DJ-2026-0001 待走访')));
  expect(got.find((f) => f.body?.msgtype === 'stream')!.body!.stream.content).toMatch(/电话联系/);
  const no = await answer(server.deliver(quotedText({ userid: 'wangwu' }, '否', '')));
  expect(no[0]!.body!.stream.content).toMatch(/没有记录/);
  expect(await h.store.followup.contacts()).toEqual([]);

  const two = await answer(server.deliver(quotedText({ userid: 'wangwu' }, '已走访', '您有 2 件待走访：DJ-2026-0001、DJ-2026-0002')));
  expect(two[0]!.body!.stream.content).toMatch(/有 2 个个案，请写明是哪一个/);

  const mixed = await answer(server.deliver(mixedMsg({ userid: 'wangwu' }, '走访 DJ-2026-0002 上门，情况稳定')));
  expect(mixed[0]!.body!.stream.content).toMatch(/^已记录 DJ-2026-0002/);
});
