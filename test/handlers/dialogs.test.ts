import { describe, expect, it } from 'vitest';
import { buildHandlers } from '../../src/app.js';
import { fixedClock } from '../../src/core/clock.js';
import { FORM_GONE_TEXT } from '../../src/core/dialogs.js';
import { dropExpiredDrafts } from '../../src/domain/intake/session-policy.js';
import { Router } from '../../src/core/router.js';
import { silentLogger } from '../../src/core/log.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import type { EngineState } from '../../src/domain/intake/engine.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';
import { testConfig } from '../helpers/deps.js';
import { addCase, FOLLOWUP_CONFIG } from '../helpers/followup-fixtures.js';
import { plan } from '../helpers/intake-harness.js';

const NOV20 = fromLocal(2026, 11, 20, 10);

/** The handler list the bot runs, with two open cases: 0001 (留守, mentor 王五) and 0002 (不良). */
async function bot() {
  const store = await openSqliteStore(':memory:');
  const clock = fixedClock(NOV20);
  await addCase(store, { code: 'DJ-2026-0001', createdAt: fromLocal(2026, 9, 1), categories: ['05'], mentor: 'wangwu' });
  await addCase(store, { code: 'DJ-2026-0002', createdAt: fromLocal(2026, 9, 1), categories: ['02'], mentor: 'zhaoliu', name: '李大壮', village: '霸王村' });
  const router = new Router({ config: testConfig(FOLLOWUP_CONFIG), store, lookup: plainLookupKeys, plan, clock, log: silentLogger }, buildHandlers());
  let n = 0;
  const say = async (userId: string, text: string, group?: string) =>
    (await router
      .dispatch({ id: `d${++n}`, channel: 'test', userId, chatId: group ?? userId, chatType: group ? 'group' : 'single', kind: 'text', text, receivedAt: clock.now() }))
      .replies.map((r) => r.text)
      .join('\n');
  const open = async (userId: string) =>
    (await router
      .dispatch({ id: `d${++n}`, channel: 'test', userId, chatId: userId, chatType: 'single', kind: 'enter_chat', text: '', receivedAt: clock.now() }))
      .replies.map((r) => r.text)
      .join('\n');
  const session = (userId: string, chatId = userId) => store.sessions.get(userId, chatId);
  const state = async (userId: string) => (await session(userId))?.state as EngineState | undefined;
  return { store, clock, say, open, session, state };
}

describe('one dialog per (user, chat), one precedence rule', () => {
  it('a contact logged in one message mid-registration is saved, and the registration question asked again', async () => {
    const b = await bot();
    await b.say('wangwu', '我要登记个留守儿童');
    const before = (await b.state('wangwu'))!;
    const r = await b.say('wangwu', '走访 DJ-2026-0001 电话 情况稳定');
    expect(r).toMatch(/^已记录 DJ-2026-0001 11月20日电话联系。\n—— 继续登记 ——\n/);
    expect(await b.store.followup.contacts()).toHaveLength(1);
    expect((await b.session('wangwu'))!.formId).toBe('case-intake');
    expect(await b.state('wangwu')).toEqual(before);
  });

  it('a command that needs a dialog of its own is not started next to a registration, and nothing is lost', async () => {
    const b = await bot();
    await b.say('lisi', '我要登记个留守儿童');
    const answers = (await b.state('lisi'))!.answers;
    const r = await b.say('lisi', '走访');
    expect(r).toMatch(/^您有一份未完成的个案登记，请先完成或回复「取消」放弃，再记录走访。\n—— 继续登记 ——\n/);
    expect(await b.say('lisi', '结案 DJ-2026-0002 已入学')).toContain('请先完成或回复「取消」放弃，再办理结案');
    expect((await b.store.cases.getByCode('DJ-2026-0002'))!.status).toBe('open');
    expect((await b.session('lisi'))!.formId).toBe('case-intake');
    expect((await b.state('lisi'))!.answers).toEqual(answers);
  });

  it('a registration asked for while a contact form is open replaces the contact form', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001 电话');
    expect((await b.session('wangwu'))!.formId).toBe('contact-log');
    expect(await b.say('wangwu', '我要登记个留守儿童')).toContain('开始新增个案登记');
    expect((await b.session('wangwu'))!.formId).toBe('case-intake');
    expect(await b.store.followup.contacts()).toEqual([]);
  });

  it('a closing asked for while a contact form is open replaces it; 确认 then closes', async () => {
    const b = await bot();
    await b.say('lisi', '走访 DJ-2026-0002');
    expect(await b.say('lisi', '结案 DJ-2026-0002 复学了')).toContain('确认将个案 DJ-2026-0002 结案？原因：已入学(复学)');
    expect((await b.session('lisi'))!.formId).toBe('close-case');
    expect(await b.say('lisi', '确认')).toContain('已结案');
    expect(await b.store.followup.contacts()).toEqual([]);
    expect(await b.session('lisi')).toBeUndefined();
  });

  it('a one-shot command while closing is answered and the confirmation asked again', async () => {
    const b = await bot();
    await b.say('lisi', '结案 DJ-2026-0002 复学了');
    const r = await b.say('lisi', '逾期');
    expect(r).toContain('逾期');
    expect(r).toContain('—— 继续结案 ——\n确认将个案 DJ-2026-0002 结案？');
    expect(await b.say('lisi', '确认')).toContain('已结案');
  });

  it('a plan question mid-contact is answered and the contact question repeated', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001');
    const r = await b.say('wangwu', '对了，留守儿童归哪个单位牵头？');
    expect(r).toContain('民政');
    expect(r).toContain('—— 继续走访记录 ——\nDJ-2026-0001：这次是怎么联系的？');
    expect(await b.state('wangwu')).toMatchObject({ current: 'method', answers: { code: 'DJ-2026-0001' } });
  });

  it('the second miss lists the options by number with a way out, and the form never gets stuck', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001');
    expect(await b.say('wangwu', '不知道')).toContain('请选择联系方式');
    const second = await b.say('wangwu', '骑车去的吧');
    expect(second).toContain('1. 上门\n2. 电话\n3. 微信\n4. 在校\n5. 其他');
    expect(second).toContain('不记录了请回复「取消」。');
    expect(await b.say('wangwu', '3')).toContain('请简要写下联系情况');
    expect(await b.say('wangwu', '视频里孩子精神不错')).toBe('已记录 DJ-2026-0001 11月20日微信联系。');
  });

  it('opening the private chat shows the open question of any dialog', async () => {
    const b = await bot();
    await b.say('lisi', '结案 DJ-2026-0002');
    expect(await b.open('lisi')).toMatch(/^您有一份未完成的结案，接着回答：\n请选择结案原因/);
    await b.say('lisi', '取消');
    expect(await b.open('lisi')).toContain('护苗助手');
  });

  it('「菜单」 mid-contact shows the menu and asks the contact question again', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001 电话');
    const r = await b.say('wangwu', '菜单');
    expect(r).toContain('护苗助手，可以');
    expect(r).toContain('—— 继续走访记录 ——\nDJ-2026-0001：请简要写下联系情况');
    expect(await b.store.followup.contacts()).toEqual([]);
  });

  it('a short dialog left for 30 minutes is dropped and the message read as if none were open', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001 孩子在家');
    b.clock.advance(31 * 60_000);
    // 「2」 would have picked 电话 and saved the contact; the form is gone, so it is not an answer.
    expect(await b.say('wangwu', '2')).not.toContain('已记录');
    expect(await b.store.followup.contacts()).toEqual([]);
    expect(await b.session('wangwu')).toBeUndefined();
  });

  it('the daily sweep drops week-old dialogs of every kind and tells only registration drafts', async () => {
    const b = await bot();
    await b.say('wangwu', '我要登记个留守儿童');
    await b.say('lisi', '结案 DJ-2026-0002');
    b.clock.advance(7 * 24 * 3600_000 + 60_000);
    expect(await b.store.transaction(() => dropExpiredDrafts(b.store, b.clock.now()))).toBe(2);
    expect(await b.session('wangwu')).toBeUndefined();
    expect(await b.session('lisi')).toBeUndefined();
    const told = (await b.store.outbox.list(100)).filter((o) => o.reason === 'intake.draft-dropped').map((o) => o.target.id);
    expect(told).toEqual(['wangwu']);
  });

  it('「修改」 offers the contact’s fields, and 「修改 日期」 changes the day', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001 电话');
    const fields = await b.say('wangwu', '修改');
    expect(fields).toContain('联系方式');
    expect(fields).not.toContain('引用提醒');
    expect(await b.say('wangwu', '修改 日期')).toContain('哪天联系的？');
    expect(await b.say('wangwu', '前天')).toContain('请简要写下联系情况');
    expect(await b.say('wangwu', '孩子在家')).toBe('已记录 DJ-2026-0001 11月18日电话联系。');
  });

  it('in a group, 查看 and 修改 never show the note back', async () => {
    const b = await bot();
    await b.say('wangwu', '走访 DJ-2026-0001 孩子说王小明欺负他', 'wrkGroup1');
    const view = await b.say('wangwu', '查看', 'wrkGroup1');
    expect(view).toContain('（已填写）');
    expect(view).not.toContain('王小明');
    expect(await b.say('wangwu', '修改 情况', 'wrkGroup1')).not.toContain('王小明');
  });
});

describe('drafts across a deploy', () => {
  it('a contact dialog left by the old state machine is carried over and its next answer read as before', async () => {
    const b = await bot();
    await b.store.followup.saveDialog('wangwu', 'wangwu', { kind: 'contact', code: 'DJ-2026-0001', date: '2026-11-19', method: '上门' }, NOV20);
    expect(await b.say('wangwu', '孩子在家写作业')).toBe('已记录 DJ-2026-0001 11月19日上门联系。');
    expect(await b.store.followup.dialog('wangwu', 'wangwu')).toBeUndefined();
  });

  it('a closing left at its confirmation by the old state machine closes on 确认', async () => {
    const b = await bot();
    await b.store.followup.saveDialog('lisi', 'lisi', { kind: 'close', code: 'DJ-2026-0002', step: 'confirm', reason: 'C02 已入学(复学)' }, NOV20);
    expect(await b.say('lisi', '确认')).toContain('个案 DJ-2026-0002 已结案（已入学(复学)）');
    expect((await b.store.cases.getByCode('DJ-2026-0002'))!.closeReason).toBe('C02 已入学(复学)');
  });

  it('a contact draft whose step was renamed by a deploy is migrated and asks the open question', async () => {
    const b = await bot();
    const old = { formId: 'contact-log', version: 0, answers: { code: 'DJ-2026-0001', how: '电话' }, prefilled: [], derived: {}, history: [], current: 'how', signsSaid: [], reportIds: [] };
    await b.store.sessions.save({ userId: 'wangwu', chatId: 'wangwu', formId: 'contact-log', status: 'active', state: old, startedIn: 'wangwu', createdAt: NOV20, lastActiveAt: NOV20 });
    const r = await b.say('wangwu', '电话');
    expect(r).toMatch(/^走访记录的问题已更新，已填内容都保留了；请接着回答下面的问题。\nDJ-2026-0001：请简要写下联系情况/);
    expect(await b.say('wangwu', '情况稳定')).toBe('已记录 DJ-2026-0001 11月20日电话联系。');
  });

  it('a draft of a form a deploy removed is ended with a notice, never answered into nothing', async () => {
    const b = await bot();
    await b.store.sessions.save({ userId: 'wangwu', chatId: 'wangwu', formId: 'old-form', status: 'active', state: {}, startedIn: 'wangwu', createdAt: NOV20, lastActiveAt: NOV20 });
    expect(await b.say('wangwu', '好的')).toBe(FORM_GONE_TEXT);
    expect(await b.session('wangwu')).toBeUndefined();
    expect(await b.say('wangwu', '走访 DJ-2026-0001 电话 平稳')).toContain('已记录');
  });
});
