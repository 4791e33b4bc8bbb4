import { describe, expect, it } from 'vitest';
import { NOT_MEMBER_TEXT } from '../../handlers/followup-shared.js';
import { HELP_SECTIONS } from '../../handlers/help-sections.js';
import { NOT_ALLOWED_OVERDUE_TEXT } from '../../handlers/overdue-list.js';
import { SCREENING_FORMAT_TEXT } from '../../handlers/screening-report.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { addCase, followupHarness } from '../helpers/followup-fixtures.js';

const NOV20 = fromLocal(2026, 11, 20, 10);

async function setup() {
  const h = await followupHarness({ start: NOV20 });
  // 0001 contacted this month; 0002 missed October; 0003 registered this month; 0004 不良, mentor 赵六, missed Sep and Oct.
  const a = await addCase(h.store, { code: 'DJ-2026-0001', createdAt: fromLocal(2026, 9, 1), mentor: 'wangwu', name: '王小明' });
  await addCase(h.store, { code: 'DJ-2026-0002', createdAt: fromLocal(2026, 9, 1), mentor: 'wangwu', name: '李大壮', village: '霸王村' });
  await addCase(h.store, { code: 'DJ-2026-0003', createdAt: fromLocal(2026, 11, 5), mentor: 'wangwu', name: '赵小花' });
  await addCase(h.store, { code: 'DJ-2026-0004', createdAt: fromLocal(2026, 8, 1), mentor: 'zhaoliu', categories: ['02'], name: '孙二狗' });
  await h.store.followup.addContact({ caseId: a.id, date: '2026-11-03', method: '上门', notes: '平稳', riskLevel: null, loggedBy: 'wangwu', createdAt: NOV20 });
  await h.store.followup.addContact({ caseId: a.id, date: '2026-10-03', method: '上门', notes: '平稳', riskLevel: null, loggedBy: 'wangwu', createdAt: NOV20 });
  return h;
}

const outboxTo = async (h: Awaited<ReturnType<typeof setup>>, id: string) => (await h.store.outbox.list(100)).filter((o) => o.target.id === id).map((o) => o.reply.text);

describe('我的个案', () => {
  it('lists the mentor’s cases with last contact and due state in private', async () => {
    const h = await setup();
    const r = await h.say('wangwu', '我的个案');
    expect(r).toContain('在册个案 3 件（逾期 1，待联系 0，已联系 1）');
    expect(r).toContain('DJ-2026-0002 李*壮（霸王村）最近联系：无记录，逾期（上期未联系）');
    expect(r).toContain('DJ-2026-0001 王*明（王庄村）最近联系：11月3日，本月已联系');
    expect(r).toContain('DJ-2026-0003 赵*花（王庄村）最近联系：无记录，本期新建档');
    expect(r.indexOf('DJ-2026-0002')).toBeLessThan(r.indexOf('DJ-2026-0001'));
  });

  it('gives only suppressed counts in a group', async () => {
    const h = await setup();
    const r = await h.say('wangwu', '我的个案', 'wrkGroup1');
    expect(r).toContain('在册个案 3 件');
    expect(r).toContain('逾期 <3');
    expect(r).not.toMatch(/DJ-|王\*明|霸王村/);
  });

  it('is for configured members only', async () => {
    expect(await (await setup()).say('stranger', '我的个案')).toBe(NOT_MEMBER_TEXT);
  });
});

describe('逾期', () => {
  it('shows admins every overdue case, lead units only theirs, and others nothing', async () => {
    const h = await setup();
    const admin = await h.say('lisi', '逾期');
    expect(admin).toContain('全镇逾期未联系个案 2 件');
    expect(admin.indexOf('DJ-2026-0004')).toBeLessThan(admin.indexOf('DJ-2026-0002')); // two months missed first
    expect(admin).toContain('连续 2 个月未联系');
    const police = await h.say('zhangsan', '逾期');
    expect(police).toContain('镇派出所牵头的逾期未联系个案 1 件');
    expect(police).not.toContain('DJ-2026-0002');
    expect(await h.say('zhouba', '逾期')).toBe(NOT_ALLOWED_OVERDUE_TEXT);
  });

  it('in a group gives the count only', async () => {
    const r = await (await setup()).say('lisi', '逾期', 'wrkGroup1');
    expect(r).toBe('全镇逾期未联系个案 <3 件。清单请私聊我发送「逾期」查看。');
  });
});

describe('结案', () => {
  it('closes after confirmation with a coded reason and tells the mentor and lead unit privately', async () => {
    const h = await setup();
    const ask = await h.say('qianjiu', '结案 DJ-2026-0002 复学了');
    expect(ask).toContain('确认将个案 DJ-2026-0002 结案？原因：已入学(复学)');
    expect((await h.store.cases.getByCode('DJ-2026-0002'))!.status).toBe('open');
    expect(await h.say('qianjiu', '确认')).toContain('已结案（已入学(复学)）');
    const c = (await h.store.cases.getByCode('DJ-2026-0002'))!;
    expect(c).toMatchObject({ status: 'closed', closeReason: 'C02 已入学(复学)' });
    expect(await outboxTo(h, 'wangwu')).toEqual(['个案 DJ-2026-0002（李*壮，霸王村）已由 钱九 结案，原因：已入学(复学)。今后不再提醒走访。']);
    expect(await outboxTo(h, 'qianjiu')).toEqual([]); // the actor is not told what they just did
    expect(await h.say('wangwu', '我的个案')).not.toContain('DJ-2026-0002');
    expect(await h.store.audit.list({ caseCode: 'DJ-2026-0002' })).toMatchObject([{ actor: 'qianjiu', action: 'close', detail: 'C02' }]);
  });

  it('asks for a reason, requires text for 其他, and cancels without change', async () => {
    const h = await setup();
    expect(await h.say('lisi', '结案 DJ-2026-0001')).toContain('请选择结案原因');
    expect(await h.say('lisi', '乱写一通')).toContain('没有识别出结案原因');
    expect(await h.say('lisi', '其他')).toContain('请写明「其他」的具体原因');
    expect(await h.say('lisi', '随亲属定居外省')).toContain('原因：其他：随亲属定居外省');
    expect(await h.say('lisi', '取消')).toContain('未结案');
    expect((await h.store.cases.getByCode('DJ-2026-0001'))!.status).toBe('open');
    await h.say('lisi', '结案 DJ-2026-0001 其他 随亲属定居外省');
    await h.say('lisi', '确认');
    expect((await h.store.cases.getByCode('DJ-2026-0001'))!.closeReason).toBe('C99 其他：随亲属定居外省');
  });

  it('refuses a mentor who is not in the lead unit, an unknown code and a closed case', async () => {
    const h = await setup();
    const forbidden = await h.say('zhaoliu', '结案 DJ-2026-0004 已入学');
    expect(forbidden).toMatch(/^没有找到您可以结案的个案 DJ-2026-0004。/);
    // Missing and forbidden codes get one answer, so codes cannot be probed; both are audited.
    expect(await h.say('zhaoliu', '结案 DJ-2026-0099 已入学')).toBe(forbidden.replace('0004', '0099'));
    expect((await h.store.audit.list()).filter((e) => e.action === 'denied').map((e) => e.detail)).toEqual(['结案: not allowed', '结案: not found']);
    await h.say('lisi', '结案 DJ-2026-0004 已入学');
    await h.say('lisi', '确认');
    expect(await h.say('lisi', '结案 DJ-2026-0004 已入学')).toContain('已经结案');
    expect(await h.store.sessions.get('zhaoliu', 'zhaoliu')).toBeUndefined();
  });
});

describe('结案 and the duty to report', () => {
  it('the words written for 其他 run the intake signs, in one message or as the answer', async () => {
    const h = await setup();
    const c = (await h.store.cases.getByCode('DJ-2026-0001'))!;
    const ask = await h.say('lisi', '结案 DJ-2026-0001 其他 孩子被继父打伤后离家，现在下落不明');
    expect(ask).toContain('确认将个案 DJ-2026-0001 结案');
    expect(ask).toContain('强制报告提醒');
    expect((await h.store.cases.mandatoryReports(c.id)).map((m) => m.sign).sort()).toEqual(['MISSING', 'SUSPECTED_ABUSE']);
    expect(await h.say('lisi', '取消')).toContain('未结案');
    // Asked for separately, the detail is checked the same way.
    await h.say('lisi', '结案 DJ-2026-0001 其他');
    expect(await h.say('lisi', '孩子说想自杀，已转学外地')).toContain('强制报告提醒');
    expect((await h.store.cases.mandatoryReports(c.id)).map((m) => m.sign)).toContain('SELF_HARM');
    expect((await h.store.cases.mandatoryReports(c.id)).every((m) => m.userId === 'lisi' && m.reportTo === '镇派出所')).toBe(true);
  });

  it('a coded reason or harmless words prompt nothing', async () => {
    const h = await setup();
    const c = (await h.store.cases.getByCode('DJ-2026-0002'))!;
    expect(await h.say('qianjiu', '结案 DJ-2026-0002 复学了')).not.toContain('强制报告');
    await h.say('qianjiu', '取消');
    expect(await h.say('qianjiu', '结案 DJ-2026-0002 其他 随亲属定居外省，没有发现伤痕')).not.toContain('强制报告');
    expect(await h.store.cases.mandatoryReports(c.id)).toEqual([]);
  });

  it('in a group says only that a report is due and sends the notice privately', async () => {
    const h = await setup();
    const r = await h.say('lisi', '结案 DJ-2026-0004 其他 孩子身上有伤痕，说被打', 'wrkGroup1');
    expect(r).toContain('已私信提醒');
    expect(r).not.toMatch(/伤痕|被打|虐待/);
    expect((await outboxTo(h, 'lisi')).some((t) => t.includes('强制报告提醒') && t.includes('DJ-2026-0004'))).toBe(true);
  });
});

describe('更换帮扶人', () => {
  it('reassigns to a member named loosely and tells both mentors privately', async () => {
    const h = await setup();
    expect(await h.say('qianjiu', '更换帮扶人 DJ-2026-0002 周八')).toContain('帮扶责任人已改为 周八');
    expect(await h.store.cases.getByCode('DJ-2026-0002')).toMatchObject({ mentorUserId: 'zhouba', mentorName: '周八' });
    expect((await outboxTo(h, 'zhouba'))[0]).toContain('钱九 将个案 DJ-2026-0002（李*壮，霸王村）交由您帮扶');
    expect((await outboxTo(h, 'wangwu'))[0]).toContain('改由 周八 帮扶');
    expect(await h.store.audit.list({ caseCode: 'DJ-2026-0002' })).toMatchObject([{ actor: 'qianjiu', action: 'change', detail: 'mentor' }]);
    expect(await h.say('lisi', '更换帮扶人 DJ-2026-0002 周巴')).toContain('周八 已经是'); // homophone typo still finds 周八
  });

  it('asks for the new mentor when the name is missing or not found, and then takes the name alone', async () => {
    const h = await setup();
    expect(await h.say('qianjiu', '更换帮扶人 DJ-2026-0002')).toContain('请写明个案 DJ-2026-0002 新的帮扶责任人姓名');
    expect(await h.say('qianjiu', '诸葛亮')).toContain('没有找到唯一的「诸葛亮」');
    const second = await h.say('qianjiu', '诸葛孔明');
    expect(second).toMatch(/\n1\. \S+\n2\. /); // the staff by number
    expect(second).toContain('不更换了请回复「取消」。');
    expect(await h.say('qianjiu', '周八')).toContain('帮扶责任人已改为 周八');
    expect(await h.store.cases.getByCode('DJ-2026-0002')).toMatchObject({ mentorUserId: 'zhouba' });
    expect(await h.store.sessions.get('qianjiu', 'qianjiu')).toBeUndefined();
  });

  it('refuses unknown people and people without the right', async () => {
    const h = await setup();
    expect(await h.say('qianjiu', '更换帮扶人 DJ-2026-0002 诸葛亮')).toContain('没有找到唯一的「诸葛亮」');
    const refused = await h.say('wangwu', '更换帮扶人 DJ-2026-0004 王五');
    expect(refused).toMatch(/^没有找到您可以更换帮扶人的个案 DJ-2026-0004。/);
    expect(await h.say('wangwu', '更换帮扶人 DJ-2026-0098 王五')).toBe(refused.replace('0004', '0098'));
    expect((await h.store.cases.getByCode('DJ-2026-0004'))!.mentorUserId).toBe('zhaoliu');
    expect(await h.store.outbox.list(10)).toEqual([]);
  });
});

describe('排查上报', () => {
  it('records the sender’s unit for the month and replaces an earlier report', async () => {
    const h = await setup();
    expect(await h.say('zhangsan', '排查上报 本月无新增风险')).toBe('已记录 镇派出所 2026年11月风险隐患排查上报：本月无新增风险。');
    expect(await h.say('zhangsan', '排查上报 新增2 高风险1', 'wrkPolice')).toBe('已更新 镇派出所 2026年11月风险隐患排查上报：新增风险 <3 人，其中高风险 <3 人。');
    expect(await h.store.followup.screenings('2026-11')).toMatchObject([{ unit: '镇派出所', newRisks: 2, highRisks: 1, userId: 'zhangsan' }]);
  });

  it('explains the format on bad input and records nothing', async () => {
    const h = await setup();
    expect(await h.say('zhangsan', '排查上报 都挺好')).toBe(SCREENING_FORMAT_TEXT);
    expect(await h.say('zhangsan', '排查上报 新增1 高风险3')).toBe(SCREENING_FORMAT_TEXT);
    expect(await h.store.followup.screenings('2026-11')).toEqual([]);
  });
});

describe('help menu', () => {
  it('every example in the follow-up section is taken by a follow-up handler', async () => {
    const h = await setup();
    const section = HELP_SECTIONS.find((s) => s.title.startsWith('个案跟进'))!;
    const examples = section.lines.flatMap((l) => [...l.matchAll(/「([^」]+)」/g)].map((m) => m[1]!)).filter((e) => !e.includes('编号') && e !== '风险高');
    expect(examples.length).toBeGreaterThanOrEqual(6);
    await addCase(h.store, { code: 'DJ-2026-0005', createdAt: fromLocal(2026, 10, 1), mentor: 'lisi' });
    for (const e of examples) {
      const r = await h.say('lisi', e.replace('DJ-2026-0001', 'DJ-2026-0005'));
      expect(r, e).not.toBe('[Q&A]');
      await h.say('lisi', '取消');
    }
  });
});

describe('nothing typed is repeated in a group', () => {
  it('结案 with an unrecognised reason, and 其他 with words, echo nothing in a group', async () => {
    const h = await setup();
    const r = await h.say('lisi', '结案 DJ-2026-0004 李小华偷东西被派出所训诫了', 'wrkGroup1');
    expect(r).toContain('没有识别出结案原因');
    expect(r).not.toMatch(/李小华|偷东西|训诫/);
    const other = await h.say('lisi', '结案 DJ-2026-0004 其他 孙二狗随父亲去外省', 'wrkGroup1');
    expect(other).toContain('原因：其他');
    expect(other).not.toMatch(/孙二狗|外省/);
    expect(await h.say('lisi', '确认', 'wrkGroup1')).not.toMatch(/孙二狗|外省/);
    // In private the words may be checked back.
    expect(await h.say('lisi', '结案 DJ-2026-0001 张三偷东西了')).toContain('「张三偷东西了」');
  });

  it('更换帮扶人 to a name not on the staff list does not repeat it in a group', async () => {
    const h = await setup();
    const r = await h.say('lisi', '更换帮扶人 DJ-2026-0004 孙二狗', 'wrkGroup1');
    expect(r).toContain('没有找到唯一的');
    expect(r).not.toContain('孙二狗');
  });

  it('a stranger trying case commands is on record', async () => {
    const h = await setup();
    expect(await h.say('stranger', '结案 DJ-2026-0004 已入学')).toBe(NOT_MEMBER_TEXT);
    expect((await h.store.audit.list()).at(-1)).toMatchObject({ actor: 'stranger', action: 'denied', caseCode: 'DJ-2026-0004' });
  });
});
