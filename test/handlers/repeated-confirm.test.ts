import { describe, expect, it } from 'vitest';
import { followupHandlers } from '../../handlers/followup.js';
import { ALREADY_DONE_TEXT, repeatedConfirmHandler } from '../../handlers/repeated-confirm.js';
import { Router } from '../../src/core/router.js';
import { OUTCOME_LIFE_MS } from '../../src/domain/ports/store.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { addCase, followupHarness } from '../helpers/followup-fixtures.js';

/** The follow-up handlers behind the repeated-confirm check, as the app orders them, with Q&A stood in for. */
async function setup() {
  const h = await followupHarness({ start: fromLocal(2026, 11, 20, 10) });
  await addCase(h.store, { code: 'DJ-2026-0001', createdAt: fromLocal(2026, 9, 1), categories: ['05'], mentor: 'wangwu' });
  const router = new Router(h.deps, [repeatedConfirmHandler, ...followupHandlers, { name: 'qa', handle: () => [{ text: '[Q&A]' }] }]);
  let n = 0;
  const say = async (userId: string, text: string) =>
    (await router
      .dispatch({ id: `r${++n}`, channel: 'test', userId, chatId: userId, chatType: 'single', kind: 'text', text, receivedAt: h.clock.now() }))
      .replies.map((r) => r.text)
      .join('\n');
  return { h, say };
}

describe('a confirmation typed again after the answer was lost', () => {
  it('a closing: the same answer again, the case closed once', async () => {
    const { h, say } = await setup();
    await say('lisi', '结案 DJ-2026-0001 已入学');
    const closed = await say('lisi', '确认');
    expect(closed).toContain('已结案');
    const again = await say('lisi', '确认');
    expect(again).toBe(`${ALREADY_DONE_TEXT['case.closed']}\n${closed}`);
    expect((await h.store.audit.list({ caseCode: 'DJ-2026-0001' })).filter((e) => e.action === 'close')).toHaveLength(1);
  });

  it('a contact: 是 again repeats 已记录 and records no second contact', async () => {
    const { h, say } = await setup();
    expect(await say('wangwu', '走访 DJ-2026-0001')).toContain('怎么联系');
    await say('wangwu', '电话');
    const logged = await say('wangwu', '情况稳定');
    expect(logged).toContain('已记录 DJ-2026-0001');
    expect(await say('wangwu', '是')).toBe(`${ALREADY_DONE_TEXT['contact.logged']}\n${logged}`);
    expect(await h.store.followup.contacts()).toHaveLength(1);
  });

  it('only the very next message, and only within its time: otherwise 确认 goes on as before', async () => {
    const { h, say } = await setup();
    await say('lisi', '结案 DJ-2026-0001 已入学');
    await say('lisi', '确认');
    expect(await say('lisi', '谢谢')).toBe('[Q&A]');
    expect(await say('lisi', '确认')).toBe('[Q&A]');

    await addCase(h.store, { code: 'DJ-2026-0002', createdAt: fromLocal(2026, 9, 1), categories: ['05'], mentor: 'wangwu' });
    await say('lisi', '结案 DJ-2026-0002 已入学');
    await say('lisi', '确认');
    h.clock.advance(OUTCOME_LIFE_MS + 1000);
    expect(await say('lisi', '确认')).toBe('[Q&A]');
    // Someone else's 确认 never gets it.
    expect(await say('wangwu', '确认')).toBe('[Q&A]');
  });
});
