import { describe, expect, it } from 'vitest';
import { buildHandlers } from '../../src/app.js';
import type { InboundMessage, Reply } from '../../src/domain/model/message.js';
import type { Handler } from '../../src/core/context.js';
import type { PlanMatrix } from '../../src/domain/plan/types.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import { helpHandler, isHelpRequest } from '../../handlers/help.js';
import { qaHandler } from '../../handlers/qa.js';
import { emptyPlan, testConfig } from '../helpers/deps.js';
import { fixedClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { Store } from '../../src/domain/ports/store.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

const plan = loadPlanFile(new URL('../../plans/dunji-2023.txt', import.meta.url).pathname);
let seq = 0;

/** The first handler that takes the message, as the router would pick it (without the store). */
async function dispatch(p: PlanMatrix, handlers: Handler[], m: InboundMessage): Promise<Reply[]> {
  // Q&A and help never touch the store; a store that throws on use proves it.
  const store = new Proxy({}, { get: () => { throw new Error('store used'); } }) as Store;
  const deps = { config: testConfig(), store, lookup: plainLookupKeys, plan: p, clock: fixedClock(new Date('2026-11-29T02:00:00Z')), log: silentLogger };
  for (const h of handlers) {
    const r = await h.handle({ ...deps, msg: m, member: deps.config.members.find((x) => x.userid === m.userId) });
    if (r) return r;
  }
  return [];
}
const msg = (text: string, over: Partial<InboundMessage> = {}): InboundMessage => ({
  id: `m${++seq}`,
  channel: 'test',
  userId: 'lisi',
  chatId: 'wrkGroup1',
  chatType: 'group',
  kind: 'text',
  text,
  receivedAt: new Date(),
  ...over,
});

describe('qa handler', () => {
  it('answers the acceptance question', async () => {
    const r = { replies: await dispatch(plan, [helpHandler, qaHandler], msg('流浪乞讨未成年人由哪个单位牵头？')) };
    expect(r.replies).toHaveLength(1);
    expect(r.replies[0]!.text).toContain('镇民政所');
    expect(r.replies[0]!.text).toContain('依据：三（三）');
  });

  it('always answers, even what the plan does not cover', async () => {
    const r = { replies: await dispatch(plan, [qaHandler], msg('今天天气怎么样')) };
    expect(r.replies[0]!.text).toContain('实施方案中没有相关规定');
  });

  it('answers honestly from an empty plan instead of inventing a unit', async () => {
    const r = { replies: await dispatch(emptyPlan, [qaHandler], msg('总牵头单位是谁')) };
    expect(r.replies[0]!.text).toContain('实施方案中没有相关规定');
  });

  it('answers the notice’s date and issuers from the configured plan file', async () => {
    const text = (await dispatch(plan, [qaHandler], msg('这个方案是什么时候印发的 谁发的')))[0]!.text;
    expect(text).toContain('2023年1月31日');
    expect(text).toContain('中共墩集镇委员会');
  });

  it('classifies a described child and offers to start an intake with those facts', async () => {
    const text = (await dispatch(plan, [qaHandler], msg('娃他爹坐牢了 娃才9岁 跟着他妈在家 归谁管', { chatType: 'single', chatId: 'lisi' })))[0]!.text;
    expect(text).toContain('→ 服刑人员未成年子女');
    expect(text).toContain('镇司法所');
    expect(text).toContain('回复“登记”');
  });

  it('in a group, a described child is not analysed: no category, unit, offence or echo', async () => {
    const typed = '14岁学生偷东西被派出所训诫了 爹妈都在外地打工';
    const text = (await dispatch(plan, [qaHandler], msg(typed, { chatType: 'group' })))[0]!.text;
    expect(text).toContain('私聊');
    for (const leak of ['不良', '留守', '镇派出所', '镇民政所', '偷', '训诫', '打工', '14']) expect(text).not.toContain(leak);
  });

  it('in a group, a kind of child (no particular one) is still answered', async () => {
    const text = (await dispatch(plan, [qaHandler], msg('父母坐牢的孩子归谁管', { chatType: 'group' })))[0]!.text;
    expect(text).toContain('镇司法所');
  });

  it('is the last handler of the app', () => {
    expect(buildHandlers().at(-1)).toBe(qaHandler);
  });
});

describe('help handler', () => {
  it('recognises requests for the menu only when that is the whole message', () => {
    for (const t of ['帮助', '菜单', '你能做什么？', '请问你能做什么呢', 'HELP']) expect(isHelpRequest(t), t).toBe(true);
    for (const t of ['帮助留守儿童的任务谁负责', '民政所', '']) expect(isHelpRequest(t), t).toBe(false);
  });

  it('lists the Q&A capabilities with examples', async () => {
    const r = { replies: await dispatch(plan, [helpHandler, qaHandler], msg('帮助')) };
    const text = r.replies[0]!.text;
    expect(text).toContain('流浪乞讨未成年人由哪个单位牵头');
    expect(text).toContain('回归安置谁负责');
  });

  it('leaves questions to Q&A', async () => {
    const r = { replies: await dispatch(plan, [helpHandler, qaHandler], msg('帮助留守儿童的任务谁负责')) };
    expect(r.replies[0]!.text).toContain('依据：三（五）');
  });
});
