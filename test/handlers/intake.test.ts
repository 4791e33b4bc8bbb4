import { canViewCase } from '../../src/domain/security/access.js';
import { describe, expect, it } from 'vitest';
import { dropExpiredDrafts } from '../../src/domain/intake/session-policy.js';
import { MOVED_TO_PRIVATE_TEXT, NOT_ENABLED_TEXT } from '../../handlers/intake.js';
import { GROUP, harness, makeId, type Harness } from '../helpers/intake-harness.js';

const PREFILL = '新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工，由奶奶照顾';
const MIN = 60_000;

/** Sends answers in order; returns the last reply. */
async function run(h: Harness, user: string, answers: string[]): Promise<string> {
  let last = '';
  for (const a of answers) last = await h.say(user, a);
  return last;
}

async function outboxTo(h: Harness, kind: 'user' | 'chat', id: string) {
  return (await h.store.outbox.list(1000)).filter((o) => o.target.kind === kind && o.target.id === id);
}

describe('intake: the prefill message', () => {
  it('turns the one-message description into a confirmed 留守 case in at most 8 turns', async () => {
    const h = await harness();
    const first = await h.say('zhouba', PREFILL);
    expect(first).toContain('已从您的消息识别');
    expect(first).toContain('就学或就业情况');
    // Neither the assessments (监护情况评估, 风险等级) nor the mentor are asked: see docs/intake.md.
    await run(h, 'zhouba', ['小学，墩集中心校三年级', '张桂兰 13812345678']);
    const summary = await h.say('zhouba', '父亲江苏苏州，母亲浙江杭州');
    expect(summary).toContain('请核对');
    expect(summary).toMatch(/姓名：王小明（自动识别，请核对）/);
    expect(summary).toMatch(/监护方式：祖辈监护（推断）/);
    expect(summary).toContain('身份证号未填；出生日期 2013年5月');
    expect(summary).toContain('帮扶责任人：周八（村委会）（默认为登记人');
    expect(summary).toContain('可补充：监护情况评估、风险等级');
    expect(await h.say('zhouba', '修改 帮扶责任人')).toContain('帮扶责任人是谁');
    expect(await h.say('zhouba', '李四')).toContain('帮扶责任人：李四（镇团委）\n');
    const saved = await h.say('zhouba', '确认');
    expect(h.turns('zhouba')).toBeLessThanOrEqual(8);
    expect(saved).toContain('已保存个案 DJ-2026-0001');

    const c = (await h.store.cases.getByCode('DJ-2026-0001'))!;
    expect(c).toMatchObject({
      fullName: '王小明', gender: '男', birthDate: '2013-05', village: '王庄村', guardianRelation: '祖母',
      guardianName: '张桂兰', guardianPhone: '13812345678', guardianshipMode: '祖辈监护', riskLevel: null,
      mentorUserId: 'lisi', reporterUserId: 'zhouba', schoolStatus: '小学', schoolDetail: '墩集中心校三年级', primaryCategory: '05',
    });
    expect(c.categories).toEqual([{ code: '05', leadUnits: ['镇民政所'] }]);
    expect(c.details).toMatchObject({ parentsAway: '父母均外出务工', pendingFields: ['监护情况评估'] });
    expect(c.details).not.toHaveProperty('guardianshipRating');
    expect(c.inferredFields).toEqual(expect.arrayContaining(['fullName', 'gender', 'village', 'categories', 'guardianshipMode']));

    expect((await outboxTo(h, 'chat', 'wrkGroup1')).map((o) => o.reply.text)).toEqual([
      '新增个案 DJ-2026-0001，帮扶责任人：李四。详情请帮扶责任人私聊机器人查看。',
    ]);
    expect(await outboxTo(h, 'chat', 'wrkPolice')).toEqual([]);
    const mentor = await outboxTo(h, 'user', 'lisi');
    expect(mentor).toHaveLength(1);
    expect(mentor[0]!.reply.text).toContain('DJ-2026-0001');
    expect(mentor[0]!.reply.text).not.toContain('王小明');
    // The mentor is told what is still to complete, the risk level first among it.
    expect(mentor[0]!.reply.text).toContain('待补充：监护情况评估、风险等级。风险等级请在首次走访后写上');
    expect(await h.store.sessions.get('zhouba', 'zhouba')).toBeUndefined();
  });

  it('numbers cases per year', async () => {
    const h = await harness();
    for (const name of ['王小明', '王小刚']) {
      await h.say('zhouba', PREFILL.replace('王小明', name));
      await run(h, 'zhouba', ['小学', '张桂兰 13812345678', '不详', '确认']);
    }
    expect((await h.store.cases.list()).map((c) => c.code)).toEqual(['DJ-2026-0001', 'DJ-2026-0002']);
  });
});

describe('intake: one dialog per category', () => {
  it('闲散青少年', async () => {
    const h = await harness();
    await h.say('wangwu', '新增个案');
    const last = await run(h, 'wangwu', ['闲散', '赵大伟', makeId('34132420090101123'), '墩集', '辍学', '赵强 13700001111', '爸爸', '2025年6月']);
    expect(last).toContain('请核对');
    expect(last).toContain('性别：男（推断）');
    // 本人意愿 is asked of the young person by the mentor; it can still be given before saving.
    expect(last).toContain('可补充：本人意愿、风险等级');
    await h.say('wangwu', '修改 意愿');
    await h.say('wangwu', '职业培训');
    await h.say('wangwu', '修改 风险');
    expect(await h.say('wangwu', '中')).toContain('风险等级：中');
    expect(await h.say('wangwu', '确认')).toContain('已保存个案');
    const c = (await h.store.cases.list())[0]!;
    expect(c.categories[0]).toEqual({ code: '01', leadUnits: ['墩集中学', '墩集中心校', '镇社保所'] });
    expect(c.details).toMatchObject({ idleSince: '2025-06', wishes: '职业培训' });
    expect(c).toMatchObject({ riskLevel: '中', mentorUserId: 'wangwu' });
    expect(c.details).not.toHaveProperty('pendingFields');
    expect(c.idNumber).toBe(makeId('34132420090101123'));
    expect(c.idHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('有不良行为或严重不良行为青少年, with an 「其他」 behaviour needing a note', async () => {
    const h = await harness();
    await h.say('zhangsan', '上报个案');
    const last = await run(h, 'zhangsan', [
      '2', '刘小东', '2010.3.4', '男', '李庄村', '初中', '陈梅 13600002222', '母亲',
      '逃学、网瘾、9', '多次在校外向低年级学生索要零花钱', '学校管理教育措施', '无', '否',
    ]);
    expect(last).toContain('行为类型：多次旷课、逃学、沉迷网络、其他不良行为');
    await h.say('zhangsan', '确认');
    const c = (await h.store.cases.list())[0]!;
    expect(c.categories).toEqual([{ code: '02', leadUnits: ['镇派出所'] }]);
    expect(c.details).toMatchObject({ behaviors: ['BL02', 'BL04', 'BL09'], disposition: '学校管理教育措施', justiceInvolvement: '无', incitedByAdult: false });
  });

  it('流浪乞讨未成年人: begging with an adult is a must-report sign', async () => {
    const h = await harness();
    await h.say('wangwu', '新增个案');
    // No guardian known: neither the relation nor the mode is asked; where it was found is next.
    await run(h, 'wangwu', ['流浪', '马小飞', '2014年8月', '男', '汴河新村', '辍学']);
    expect(await h.say('wangwu', '跳过')).toContain('在哪里发现的');
    await run(h, 'wangwu', ['墩集镇汽车站附近']);
    const warn = await h.say('wangwu', '其他成年人');
    expect(warn).toContain('强制报告提醒');
    expect(warn).toContain('镇派出所');
    expect(await h.say('wangwu', '救助站')).not.toContain('监护方式');
    expect(await h.say('wangwu', '确认')).toContain('已保存个案');
    const c = (await h.store.cases.list())[0]!;
    expect(c.guardianName).toBeNull();
    expect(c.guardianshipMode).toBeNull();
    expect(c.details).toMatchObject({ accompaniedBy: '其他成年人', referredTo: '救助管理站' });
    const reports = await h.store.cases.mandatoryReports(c.id);
    expect(reports.map((r) => r.sign)).toEqual(['BEGGING_WITH_ADULT']);
    expect(reports.every((r) => r.userId === 'wangwu' && r.reportTo === '镇派出所')).toBe(true);
  });

  it('服刑人员未成年子女, gender taken from the ID number', async () => {
    const h = await harness();
    await h.say('sunqi', '登记');
    const last = await run(h, 'sunqi', ['服刑子女', '李小红', makeId('34132420100304122'), '霸王', '小学', '王桂芳 13912345678', '外婆', '父亲', '1']);
    expect(last).toContain('性别：女（推断）');
    // The 司法所 appoints the 帮教联系人 after the case exists (服刑 task 2): not asked, listed to complete.
    expect(last).toContain('可补充：帮教联系人、风险等级');
    await h.say('sunqi', '确认');
    const c = (await h.store.cases.list())[0]!;
    expect(c).toMatchObject({ gender: '女', birthDate: '2010-03-04', village: '霸王村', bangjiaoName: null, mentorUserId: 'sunqi' });
    expect(c.categories).toEqual([{ code: '04', leadUnits: ['镇司法所'] }]);
    expect(c.details).toMatchObject({ imprisonedParent: '父亲', custodyType: '服刑在押' });
    expect(c.details).not.toHaveProperty('bangjiaoContact');
    expect(c.details).toMatchObject({ pendingFields: ['帮教联系人'] });
    // The mentor is the reporter: no separate notice.
    expect(await outboxTo(h, 'user', 'sunqi')).toEqual([]);
  });

  it('a child in two categories gets both blocks and both lead units', async () => {
    const h = await harness();
    await h.say('zhouba', '新增个案');
    const last = await run(h, 'zhouba', [
      '2、5', '周小雨', '2012年1月', '女', '王庄村', '小学', '刘芳 13512345678', '奶奶',
      '1', '上海', '吸烟', '家长管教', '不详', '否', '修改 帮扶责任人', '赵六',
    ]);
    expect(last).toContain('类别：有不良行为或严重不良行为青少年、农村留守儿童');
    await h.say('zhouba', '确认');
    const c = (await h.store.cases.list())[0]!;
    expect(c.categories).toEqual([{ code: '02', leadUnits: ['镇派出所'] }, { code: '05', leadUnits: ['镇民政所'] }]);
    // The group learns the code and the mentor only: no category, lead unit, name or village.
    const notice = (await outboxTo(h, 'chat', 'wrkGroup1'))[0]!.reply.text;
    expect(notice).toMatch(/^新增个案 DJ-2026-\d{4}，帮扶责任人：赵六。/);
    for (const word of ['派出所', '民政所', '不良', '留守', '王庄村', '周', '*']) expect(notice).not.toContain(word);
  });
});

describe('intake: commands', () => {
  it('上一步 goes back and re-asks the previous question', async () => {
    const h = await harness();
    await h.say('wangwu', '新增个案');
    await h.say('wangwu', '闲散');
    expect(await h.say('wangwu', '赵大伟')).toContain('身份证号');
    expect(await h.say('wangwu', '上一步')).toContain('姓名');
    expect(await h.say('wangwu', '赵小伟')).toContain('身份证号');
    await h.say('wangwu', '上一步');
    await h.say('wangwu', '上一步');
    expect(await h.say('wangwu', '上一步')).toContain('已经是第一个问题了');
  });

  it('跳过 works only on optional fields', async () => {
    const h = await harness();
    await h.say('wangwu', '新增个案');
    expect(await h.say('wangwu', '跳过')).toContain('「类别」是必填项，不能跳过');
  });

  it('修改 <字段> changes one answer and returns to the summary', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    await run(h, 'zhouba', ['小学', '张桂兰 13812345678', '不详']);
    expect(await h.say('zhouba', '修改 村')).toContain('户籍在哪个村');
    const back = await h.say('zhouba', '李庄');
    expect(back).toContain('请核对');
    expect(back).toContain('户籍村：李庄村');
    expect(await h.say('zhouba', '修改 情况说明')).toContain('简要说明情况');
    expect(await h.say('zhouba', "父母春节返乡'); DROP TABLE cases;-- 😀")).toContain('请核对');
    await h.say('zhouba', '确认');
    expect((await h.store.cases.list())[0]).toMatchObject({ village: '李庄村', notes: "父母春节返乡'); DROP TABLE cases;-- 😀" });
    expect(await h.say('zhouba', '修改 不存在的字段')).toBe('[Q&A]');
  });

  it('修改 with an unknown field lists what can be changed', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    expect(await h.say('zhouba', '修改 鞋码')).toContain('没有找到「鞋码」这一项');
  });

  it('取消 asks first; 否 continues, 是 deletes the draft', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    expect(await h.say('zhouba', '取消')).toContain('确定放弃');
    expect(await h.say('zhouba', '否')).toContain('就学或就业情况');
    await h.say('zhouba', '取消');
    expect(await h.say('zhouba', '是')).toContain('已取消');
    expect(await h.store.sessions.get('zhouba', 'zhouba')).toBeUndefined();
    expect(await h.say('zhouba', '小学')).toBe('[Q&A]');
  });

  it('查看 shows the answers so far and 帮助 the commands, both then re-ask', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    const view = await h.say('zhouba', '查看');
    expect(view).toContain('姓名：王小明');
    expect(view).toContain('就学/就业情况：（待填）');
    expect(view.trim().endsWith('就学或就业情况？可在后面附上学校和年级，如「小学，墩集中心校三年级」。\n' + view.split('。\n').pop())).toBe(true);
    expect(await h.say('zhouba', '帮助')).toContain('「修改 字段名」');
  });
});

describe('intake: time', () => {
  it('pauses after 30 idle minutes, lets other messages through, resumes on 继续', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    h.clock.advance(31 * MIN);
    expect(await h.say('zhouba', '小学')).toContain('已暂停');
    expect((await h.store.sessions.get('zhouba', 'zhouba'))!.status).toBe('paused');
    expect(await h.say('zhouba', '留守儿童归哪个单位管？')).toBe('[Q&A]');
    expect(await h.say('zhouba', '新增个案')).toContain('未完成的个案登记');
    const resumed = await h.say('zhouba', '继续');
    expect(resumed).toContain('继续登记');
    expect(resumed).toContain('就学或就业情况');
    expect(await h.say('zhouba', '小学')).toContain('监护人的姓名和手机号');
  });

  it('drops a draft after 7 days and tells the user', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    h.clock.advance(7 * 24 * 60 * MIN + MIN);
    expect(await h.say('zhouba', '小学')).toContain('已超过 7 天未继续');
    expect(await h.store.sessions.get('zhouba', 'zhouba')).toBeUndefined();
  });

  it('the daily sweep drops old drafts and tells their users privately', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    await h.say('wangwu', '新增个案');
    h.clock.advance(6 * 24 * 60 * MIN);
    await h.say('wangwu', '继续');
    await h.say('wangwu', '闲散');
    h.clock.advance(1 * 24 * 60 * MIN + MIN);
    const n = await h.store.transaction(() => dropExpiredDrafts(h.store, h.clock.now()));
    expect(n).toBe(1);
    expect(await h.store.sessions.get('zhouba', 'zhouba')).toBeUndefined();
    expect(await h.store.sessions.get('wangwu', 'wangwu')).toBeDefined();
    expect((await outboxTo(h, 'user', 'zhouba')).map((o) => o.reply.text)).toEqual([expect.stringContaining('已超过 7 天')]);
  });

  it('continues where it stopped after a restart', async () => {
    const h = await harness({ file: true });
    await h.say('zhouba', PREFILL);
    await h.say('zhouba', '小学');
    await h.reopen();
    expect(await h.say('zhouba', '张桂兰 13812345678')).toContain('务工');
    await run(h, 'zhouba', ['苏州']);
    await h.reopen();
    expect(await h.say('zhouba', '确认')).toContain('已保存个案 DJ-2026-0001');
    await h.store.close();
  });
});

describe('intake: groups and people', () => {
  it('two cadres starting in the same group each continue privately, without sharing a form', async () => {
    const h = await harness();
    expect(await h.say('zhouba', PREFILL, GROUP)).toBe(MOVED_TO_PRIVATE_TEXT);
    expect(await h.say('wangwu', '新增个案：马小飞，男，2014年8月出生，汴河新村，流浪乞讨', GROUP)).toBe(MOVED_TO_PRIVATE_TEXT);
    expect((await outboxTo(h, 'user', 'zhouba'))[0]!.reply.text).toContain('就学或就业情况');
    expect((await outboxTo(h, 'user', 'wangwu'))[0]!.reply.text).toContain('就学或就业情况');
    expect(await h.store.sessions.get('zhouba', GROUP.id)).toBeUndefined();
    // Group chatter from either of them is not taken as an answer.
    expect(await h.say('zhouba', '小学', GROUP)).toBe('[Q&A]');
    await h.say('zhouba', '小学');
    await h.say('wangwu', '辍学');
    expect(await h.say('zhouba', '张桂兰 13812345678')).toContain('务工');
    expect(await h.say('wangwu', '跳过')).toContain('在哪里发现的');
    await run(h, 'zhouba', ['苏州', '确认']);
    await run(h, 'wangwu', ['汽车站', '无', '救助站', '确认']);
    expect((await h.store.cases.list()).map((c) => [c.fullName, c.reporterUserId])).toEqual([['王小明', 'zhouba'], ['马小飞', 'wangwu']]);
  });

  it('a second start in a group while a private draft is open points to the private chat', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL, GROUP);
    expect(await h.say('zhouba', '新增个案', GROUP)).toContain('私聊中还有一份未完成');
  });

  it('refuses intake to people not in members; other messages pass on', async () => {
    const h = await harness();
    expect(await h.say('stranger', '新增个案：王小明，男')).toBe(NOT_ENABLED_TEXT);
    expect(await h.say('stranger', '新增个案', GROUP)).toBe(NOT_ENABLED_TEXT);
    expect(await h.say('stranger', '留守儿童归谁管')).toBe('[Q&A]');
    expect(await h.store.sessions.get('stranger', 'stranger')).toBeUndefined();
  });

  it('never puts the full name, ID number or phone into a group', async () => {
    const h = await harness();
    const id = makeId('34132420130506123');
    await h.say('zhouba', PREFILL + '，身份证' + id, GROUP);
    await run(h, 'zhouba', ['小学', '张桂兰 13812345678', '苏州', '修改 帮扶责任人', '李四', '确认']);
    await h.say('wangwu', '新增个案', GROUP);
    await run(h, 'wangwu', ['流浪', '马小飞', '2014年8月', '男', '汴河新村', '辍学', '不详', '汽车站', '其他成年人', '救助站', '确认']);
    expect(await h.store.cases.list()).toHaveLength(2);
    const texts = await h.groupTexts();
    expect(texts.length).toBeGreaterThanOrEqual(4);
    for (const t of texts) {
      for (const secret of ['王小明', '马小飞', id, id.slice(0, 14), '13812345678', '张桂兰']) expect(t).not.toContain(secret);
    }
  });
});

describe('intake: checks', () => {
  it('warns about a likely duplicate and asks before creating another', async () => {
    const h = await harness();
    const id = makeId('34132420130506123');
    const answers = ['小学', '张桂兰 13812345678', '苏州'];
    await h.say('zhouba', `${PREFILL}，${id}`);
    await run(h, 'zhouba', [...answers, '确认']);
    // Same ID number, different name: asked at once, before anything else is typed.
    const warn = await h.say('zhouba', `${PREFILL.replace('王小明', '王晓明')}，${id}`);
    expect(warn).toContain('可能已经登记过：DJ-2026-0001');
    expect(await h.say('zhouba', '否')).toContain('已放弃新建');
    expect(await h.store.cases.list()).toHaveLength(1);
    // A homophone (王晓明 for 王小明), same village and birth month, no ID: asked; 是 goes on.
    expect(await h.say('zhouba', PREFILL.replace('王小明', '王晓明'))).toContain('DJ-2026-0001');
    expect(await h.say('zhouba', '是')).toContain('就学');
    await run(h, 'zhouba', answers);
    expect(await h.say('zhouba', '确认')).toContain('已保存个案 DJ-2026-0002');
    // A different child of the same village is not flagged.
    expect(await h.say('zhouba', PREFILL.replace('王小明', '赵大勇'))).not.toContain('可能已经登记过');
  });

  it('names an existing case in the duplicate warning only to someone who may see it, and audits the match', async () => {
    const h = await harness();
    const id = makeId('34132420130506123');
    const answers = ['小学', '张桂兰 13812345678', '苏州'];
    await h.say('zhouba', `${PREFILL}，${id}`);
    await run(h, 'zhouba', [...answers, '确认']);
    const existing = (await h.store.cases.getByCode('DJ-2026-0001'))!;
    const outsider = h.deps.config.members.find((m) => !canViewCase(m, existing, h.deps.plan))!;
    expect(outsider).toBeDefined();
    // The same ID number is asked about at once, before anything else is typed.
    const warn = await h.say(outsider.userid, `${PREFILL.replace('王小明', '王晓明')}，${id}`);
    expect(warn).toContain('可能已经登记过');
    expect(warn).toContain('请向该类别的牵头单位核实');
    expect(warn).not.toContain('DJ-2026-0001');
    expect((await h.store.audit.list()).filter((e) => e.action === 'denied')).toMatchObject([{ actor: outsider.userid, caseCode: 'DJ-2026-0001' }]);
    // Going on registers a new case; the existing code is not named later either, nor the match audited again.
    expect(await h.say(outsider.userid, '是')).toContain('就学');
    const later: string[] = [];
    for (const a of [...answers, '确认']) later.push(await h.say(outsider.userid, a));
    expect(later.at(-1)).toContain('已保存个案 DJ-2026-0002');
    for (const t of later) expect(t).not.toContain('DJ-2026-0001');
    expect((await h.store.audit.list()).filter((e) => e.action === 'denied')).toHaveLength(1);
  });

  it('asks about an ID number that contradicts the birth month given earlier', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    await h.say('zhouba', '修改 身份证号');
    const other = makeId('34132420120101123');
    const q = await h.say('zhouba', other);
    expect(q).toContain('2012年1月1日');
    expect(q).toContain('2013年5月');
    expect(await h.say('zhouba', '否')).toContain('保留原来的');
    expect(await h.say('zhouba', '查看')).toContain('出生日期 2013年5月');
    await h.say('zhouba', other);
    await h.say('zhouba', '是');
    expect(await h.say('zhouba', '查看')).toContain(`${other}（出生日期 2012年1月1日）`);
  });

  it('asks about an ID number whose gender contradicts the gender given', async () => {
    const h = await harness();
    await h.say('zhouba', PREFILL);
    await h.say('zhouba', '修改 身份证');
    const q = await h.say('zhouba', makeId('34132420130506122'));
    expect(q).toContain('性别为「女」');
    await h.say('zhouba', '是');
    expect(await h.say('zhouba', '查看')).toContain('性别：女');
  });

  it('refuses a category the child is too old for', async () => {
    const h = await harness();
    const r = await h.say('zhouba', '新增个案：王大明，男，2008年5月出生，王庄村，留守');
    expect(r).toContain('不属于「农村留守儿童」');
    expect(r).toContain('属于哪一类');
    expect(await h.say('zhouba', '留守')).toContain('不属于「农村留守儿童」（未满 16 周岁）');
    expect(await h.say('zhouba', '闲散')).toContain('就学或就业情况');
  });

  it('says at once that a sign must be reported, and records that it said so', async () => {
    const h = await harness();
    const r = await h.say('zhouba', '新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工，孩子一个人在家住');
    expect(r).toContain('强制报告提醒');
    expect(r).toContain('未满16周岁独自生活');
    expect(r).toContain('镇派出所');
    const rows = await h.store.cases.mandatoryReports();
    expect(rows).toMatchObject([{ sign: 'UNDER16_ALONE', caseId: null, userId: 'zhouba', reportTo: '镇派出所' }]);
    // Said once per draft, not on every turn.
    expect(await h.say('zhouba', '修改 情况说明')).not.toContain('强制报告提醒');
    expect(await h.say('zhouba', '孩子一个人在家住，身上有伤痕')).toContain('疑似遭受虐待或伤害');
    expect(await h.store.cases.mandatoryReports()).toHaveLength(2);
  });

  it('answers bad input with what is expected, an example, and the same question', async () => {
    const h = await harness();
    await h.say('zhangsan', '新增个案');
    const bad = async (input: string, expected: string, again: string) => {
      const r = await h.say('zhangsan', input);
      expect(r).toContain(expected);
      expect(r).toContain('例如');
      expect(r).toContain(again);
    };
    await bad('九', '没有「九」这个选项', '属于哪一类');
    // The second miss lists the options by number.
    const second = await h.say('zhangsan', '1、9');
    expect(second).toContain('没有「9」这个选项');
    expect(second).toContain('5. 农村留守儿童');
    await h.say('zhangsan', '2');
    await bad('Tom', '姓名应为 2–30 个汉字', '孩子的姓名');
    await h.say('zhangsan', '刘小东');
    await bad('110105194912310021', '校验位不对', '身份证号');
    await h.say('zhangsan', '2010年3月');
    await h.say('zhangsan', '男');
    await bad('北京村', '没有「北京村」这个村', '哪个村');
    await h.say('zhangsan', '李庄');
    await h.say('zhangsan', '初中');
    // The name is kept and only the phone asked again.
    expect(await h.say('zhangsan', '陈梅 12600002222')).toContain('不是有效的手机号');
    await h.say('zhangsan', '13600002222');
    await h.say('zhangsan', '妈妈');
    await h.say('zhangsan', '9');
    await bad('很'.repeat(2001), '内容过长', '「其他」行为');
    await h.say('zhangsan', '多次索要零花钱');
    await h.say('zhangsan', '家长管教');
    await h.say('zhangsan', '无');
    await bad('也许', '请回答「是」「否」或「不知道」', '教唆');
    expect(await h.say('zhangsan', '否')).toContain('请核对');
    await h.say('zhangsan', '修改 风险等级');
    await bad('看情况', '没有「看情况」这个选项', '风险等级');
    await h.say('zhangsan', '高');
    await h.say('zhangsan', '修改 帮扶责任人');
    await bad('路人甲', '工作人员名单里没有「路人甲」', '帮扶责任人');
    expect(await h.say('zhangsan', '张三')).toContain('请核对');
    expect(await h.say('zhangsan', '随便')).toContain('请回复「确认」保存');
    expect(await h.store.cases.list()).toHaveLength(0);
  });

  it('reads dates, ages and unknowns as people say them', async () => {
    const h = await harness({ start: new Date('2026-12-01T02:00:00Z') });
    await h.say('zhangsan', '新增个案');
    await h.say('zhangsan', '流浪');
    await h.say('zhangsan', '不知道叫啥');
    expect(await h.say('zhangsan', '看着十一二岁')).toContain('性别');
    await h.say('zhangsan', '男');
    expect(await h.say('zhangsan', '外地的，不是我们镇的')).toContain('就学');
    await h.say('zhangsan', '问他上没上学 他摇头');
    await h.say('zhangsan', '李长贵 电话不知道');
    await h.say('zhangsan', '不知道');
    const view = await h.say('zhangsan', '查看');
    expect(view).toContain('姓名：待补充');
    expect(view).toContain('出生日期 2014年（估计）');
    expect(view).toContain('户籍村：非本镇');
    expect(view).toContain('李长贵 手机待补充');
  });

  it('never refuses a third time: the field is recorded as 待补充 and the form moves on', async () => {
    const h = await harness();
    await h.say('zhangsan', '新增个案');
    await h.say('zhangsan', '流浪');
    await h.say('zhangsan', '刘小东');
    await h.say('zhangsan', '2012年5月');
    await h.say('zhangsan', '男');
    await h.say('zhangsan', '火星村');
    const second = await h.say('zhangsan', '月亮村');
    expect(second).toContain('1. 墩集村');
    expect(second).toContain('稍后补充');
    const third = await h.say('zhangsan', '太阳村');
    expect(third).toContain('先记为「待补充」');
    expect(third).toContain('就学');
  });

  it('checks dates typed for 闲散 start', async () => {
    const h = await harness();
    await h.say('wangwu', '新增个案');
    await run(h, 'wangwu', ['闲散', '赵大伟', '2009年1月', '男', '墩集', '辍学', '赵强 13700001111', '爸爸']);
    const r = await h.say('wangwu', '下个月');
    expect(r).toContain('没能识别这个日期');
    expect(r).toContain('例如：2025年6月');
  });
});
