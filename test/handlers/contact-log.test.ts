import { describe, expect, it } from 'vitest';
import { BAD_DATE_TEXT, FUTURE_DATE_TEXT } from '../../handlers/contact-log.js';

const REFUSED_0001 = '没有找到您可以记录走访的个案 DJ-2026-0001。请核对编号（形如 DJ-2026-0001）；只有帮扶责任人、牵头单位成员和管理员可以记录走访。';
import { NOT_MEMBER_TEXT } from '../../handlers/followup-shared.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { addCase, followupHarness } from '../helpers/followup-fixtures.js';

const NOV20 = fromLocal(2026, 11, 20, 10);

async function setup() {
  const h = await followupHarness({ start: NOV20 });
  await addCase(h.store, { code: 'DJ-2026-0001', createdAt: fromLocal(2026, 9, 1), categories: ['05'], mentor: 'wangwu' });
  await addCase(h.store, { code: 'DJ-2026-0002', createdAt: fromLocal(2026, 9, 1), categories: ['02'], mentor: 'zhaoliu', name: '李大壮', village: '霸王村' });
  return h;
}

describe('contact log in one message', () => {
  it('logs the mentor’s contact with today as the default date', async () => {
    const h = await setup();
    expect(await h.say('wangwu', '走访 DJ-2026-0001 电话联系，情况稳定')).toBe('已记录 DJ-2026-0001 11月20日电话联系。');
    const [c] = await h.store.followup.contacts();
    expect(c).toMatchObject({ date: '2026-11-20', method: '电话', notes: '情况稳定', riskLevel: null, loggedBy: 'wangwu' });
    expect(await h.store.audit.list({ caseCode: 'DJ-2026-0001' })).toMatchObject([{ actor: 'wangwu', action: 'change', detail: 'contact logged' }]);
  });

  it('reads relative dates and a new risk level, and writes the level to the case', async () => {
    const h = await setup();
    expect(await h.say('wangwu', '走访 dj-2026-1 昨天上门，家中无人，风险调为高')).toContain('风险等级：低 → 高');
    await h.say('wangwu', '走访 DJ-2026-0001 前天 微信 在苏州');
    await h.say('wangwu', '走访 DJ-2026-0001 11月3日 在校谈心 学习进步');
    await h.say('wangwu', '走访 DJ-2026-0001 5号 电话 平稳');
    expect((await h.store.followup.contacts()).map((c) => c.date)).toEqual(['2026-11-03', '2026-11-05', '2026-11-18', '2026-11-19']);
    expect((await h.store.cases.getByCode('DJ-2026-0001'))!.riskLevel).toBe('高');
  });

  it('refuses a date in the future or an impossible date and changes nothing', async () => {
    const h = await setup();
    expect(await h.say('wangwu', '走访 DJ-2026-0001 25号 电话 平稳')).toBe(FUTURE_DATE_TEXT);
    expect(await h.say('wangwu', '走访 DJ-2026-0001 12月1日 电话 平稳')).toBe(FUTURE_DATE_TEXT);
    expect(await h.say('wangwu', '走访 DJ-2026-0001 2月30日 电话 平稳')).toBe(BAD_DATE_TEXT);
    expect(await h.store.followup.contacts()).toEqual([]);
    expect(await h.store.sessions.get('wangwu', 'wangwu')).toBeUndefined();
  });

  it('lets the mentor, lead-unit members and admins log, and no one else', async () => {
    const h = await setup();
    expect(await h.say('zhangsan', '走访 DJ-2026-0001 电话 平稳')).toBe(REFUSED_0001); // 派出所 does not lead 留守
    expect(await h.say('zhaoliu', '走访 DJ-2026-0001 电话 平稳')).toBe(REFUSED_0001);
    expect(await h.say('stranger', '走访 DJ-2026-0001 电话 平稳')).toBe(NOT_MEMBER_TEXT);
    expect(await h.store.followup.contacts()).toEqual([]);
    expect(await h.say('qianjiu', '走访 DJ-2026-0001 电话 平稳')).toContain('已记录'); // 民政所 leads 留守
    expect(await h.say('lisi', '走访 DJ-2026-0002 上门 平稳')).toContain('已记录'); // admin
    expect(await h.say('zhangsan', '走访 DJ-2026-0002 上门 平稳')).toContain('已记录'); // 派出所 leads 不良
    expect(await h.store.followup.contacts()).toHaveLength(3);
  });

  it('answers an unknown or closed case clearly', async () => {
    const h = await setup();
    // A missing code gets the very answer a forbidden one gets, and both are audited.
    expect(await h.say('wangwu', '走访 DJ-2026-0099 电话 平稳')).toBe(REFUSED_0001.replace('DJ-2026-0001。', 'DJ-2026-0099。'));
    expect((await h.store.audit.list()).filter((e) => e.action === 'denied').at(-1)).toMatchObject({ actor: 'wangwu', caseCode: 'DJ-2026-0099', detail: '记录走访: not found' });
    await h.store.followup.close((await h.store.cases.getByCode('DJ-2026-0001'))!.id, 'C02 已入学(复学)', NOV20);
    expect(await h.say('wangwu', '走访 DJ-2026-0001 电话 平稳')).toContain('已结案');
    expect(await h.store.followup.contacts()).toEqual([]);
  });
});

describe('contact log as a guided form', () => {
  it('asks for the code, the method and the note in turn', async () => {
    const h = await setup();
    const first = await h.say('wangwu', '走访');
    expect(first).toContain('请选择要记录的个案');
    expect(first).toContain('1. DJ-2026-0001');
    expect(await h.say('wangwu', 'DJ-2026-0001')).toContain('怎么联系');
    expect(await h.say('wangwu', '不知道')).toContain('请选择联系方式');
    expect(await h.say('wangwu', '2')).toContain('请简要写下联系情况');
    expect(await h.say('wangwu', '昨天 孩子情况稳定')).toBe('已记录 DJ-2026-0001 11月19日电话联系。');
    expect((await h.store.followup.contacts())[0]).toMatchObject({ method: '电话', notes: '孩子情况稳定', date: '2026-11-19' });
    expect(await h.store.sessions.get('wangwu', 'wangwu')).toBeUndefined();
  });

  it('picks the offered case by its number, with buttons that tell the cases apart', async () => {
    const h = await setup();
    await addCase(h.store, { code: 'DJ-2026-0003', createdAt: fromLocal(2026, 9, 2), categories: ['05'], mentor: 'wangwu', name: '王小二', village: '霸王村' });
    const list = (await h.replies('wangwu', '走访'))[0]!;
    expect(list.choices).toHaveLength(2);
    const labels = list.choices!.map((c) => c.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const c of list.choices!) expect(c.value).toMatch(/^DJ-\d{4}-\d{4}$/);
    expect(await h.say('wangwu', String(list.choices!.length))).toContain(`${list.choices!.at(-1)!.value}：这次是怎么联系的`);
  });

  it('keeps the form unchanged on a bad date, and cancels on 取消', async () => {
    const h = await setup();
    await h.say('wangwu', '走访 DJ-2026-0001 电话');
    // The refusal is followed by the open question, so the user sees what is still asked.
    expect(await h.say('wangwu', '30号 很好')).toBe(`${FUTURE_DATE_TEXT}\nDJ-2026-0001：请简要写下联系情况（不写他人姓名、电话）。如需调整风险等级，可一并写「风险高/中/低」。`);
    expect((await h.store.sessions.get('wangwu', 'wangwu'))!.state).toMatchObject({ answers: { code: 'DJ-2026-0001', method: '电话' } });
    expect(await h.say('wangwu', '取消')).toContain('已取消');
    expect(await h.store.followup.contacts()).toEqual([]);
  });

  it('refuses at once a code the user may not log for, without starting a form', async () => {
    const h = await setup();
    expect(await h.say('zhaoliu', '走访 DJ-2026-0001')).toBe(REFUSED_0001);
    expect(await h.store.sessions.get('zhaoliu', 'zhaoliu')).toBeUndefined();
    await h.say('zhaoliu', '走访');
    // Inside the form the refusal is followed by the case question again.
    const refused = await h.say('zhaoliu', 'DJ-2026-0001');
    expect(refused.startsWith(`${REFUSED_0001}\n请选择要记录的个案`)).toBe(true);
    expect((await h.store.sessions.get('zhaoliu', 'zhaoliu'))!.state).toMatchObject({ current: 'code', answers: {} });
  });

  it('takes a note that begins with 走访 as an answer; a one-message command in between keeps the form', async () => {
    const h = await setup();
    await h.say('wangwu', '走访 DJ-2026-0001 电话');
    expect(await h.say('wangwu', '走访很顺利，孩子在家')).toContain('已记录 DJ-2026-0001');
    expect((await h.store.followup.contacts())[0]!.notes).toBe('走访很顺利,孩子在家');
    await h.say('wangwu', '走访 DJ-2026-0001 上门');
    // 我的个案 is answered and the open question asked again; the half-done contact is not lost.
    const mine = await h.say('wangwu', '我的个案');
    expect(mine).toContain('您帮扶的在册个案');
    expect(mine).toContain('—— 继续走访记录 ——\nDJ-2026-0001：请简要写下联系情况');
    expect(await h.say('wangwu', '孩子在家写作业')).toBe('已记录 DJ-2026-0001 11月20日上门联系。');
    expect(await h.store.sessions.get('wangwu', 'wangwu')).toBeUndefined();
  });

  it('drops a form left alone for 30 minutes and passes the message on', async () => {
    const h = await setup();
    await h.say('wangwu', '走访 DJ-2026-0001');
    h.clock.advance(31 * 60_000);
    expect(await h.say('wangwu', '留守儿童归谁管')).toBe('[Q&A]');
    expect(await h.store.sessions.get('wangwu', 'wangwu')).toBeUndefined();
  });

  it('in a group replies with the case code only', async () => {
    const h = await setup();
    const r = await h.say('wangwu', '走访 DJ-2026-0001 电话联系，情况稳定', 'wrkGroup1');
    expect(r).toBe('已记录 DJ-2026-0001 11月20日电话联系。');
    expect(r).not.toContain('王');
  });
});

describe('走访 and the duty to report', () => {
  it('runs the intake signs on the notes, records them against the case and prompts the report', async () => {
    const h = await setup();
    const r = await h.say('wangwu', '走访 DJ-2026-0001 上门 孩子身上有伤痕说被父亲殴打，还说想自杀，最近一个人住');
    expect(r).toContain('已记录');
    expect(r).toContain('强制报告提醒');
    const c = (await h.store.cases.getByCode('DJ-2026-0001'))!;
    expect((await h.store.cases.mandatoryReports(c.id)).map((m) => m.sign).sort()).toEqual(['SELF_HARM', 'SUSPECTED_ABUSE', 'UNDER16_ALONE']);
    expect(await h.say('wangwu', '走访 DJ-2026-0001 电话 没有发现伤痕，情绪平稳')).not.toContain('强制报告');
    expect(await h.store.cases.mandatoryReports(c.id)).toHaveLength(3);
  });

  it('in a group says only that a report is due, and sends the notice privately', async () => {
    const h = await setup();
    const r = await h.say('wangwu', '走访 DJ-2026-0001 上门 孩子说想自杀', 'wrkGroup1');
    expect(r).toContain('已私信提醒');
    expect(r).not.toMatch(/自杀|轻生|自伤/);
    const dm = (await h.store.outbox.list(10)).filter((o) => o.target.kind === 'user' && o.target.id === 'wangwu');
    expect(dm[0]!.reply.text).toContain('强制报告提醒');
  });
});
