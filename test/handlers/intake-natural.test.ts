import { describe, expect, it } from 'vitest';
import { isIntakeTrigger } from '../../handlers/intake.js';
import { buildHandlers } from '../../src/app.js';
import { fixedClock } from '../../src/core/clock.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { Router } from '../../src/core/router.js';
import { caseForm } from '../../src/domain/intake/case-form.js';
import { migrateState, type EngineState } from '../../src/domain/intake/engine.js';
import { silentLogger } from '../../src/core/log.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';
import { plan } from '../helpers/intake-harness.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

/** The real handler list (Q&A included), as the bot runs it, on 2026-12-01. */
async function bot() {
  const store = await openSqliteStore(':memory:');
  const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));
  const router = new Router({ config: testConfig(), store, lookup: plainLookupKeys, plan, clock, log: silentLogger }, buildHandlers());
  let n = 0;
  const send = async (userId: string, text: string, chat: 'single' | 'group' = 'single', kind: InboundMessage['kind'] = 'text') =>
    (await router
      .dispatch({ id: `n${++n}`, channel: 'test', userId, chatId: chat === 'group' ? 'wrkGroup1' : userId, chatType: chat, kind, text, receivedAt: clock.now() }))
      .replies.map((r) => r.text)
      .join('\n');
  const current = async (userId: string) => ((await store.sessions.get(userId, userId))?.state as EngineState | undefined)?.current;
  return { store, send, current };
}

describe('starting a registration in one’s own words', () => {
  it('takes messages that ask to register, wherever the verb is, and leaves plan questions to Q&A', () => {
    for (const t of ['我们村有个留守娃要登记一下，叫李小花，女的，爸妈都去江苏打工了，爷爷带着', '我要登记个留守儿童', '报个案', '录入 戴鹏 男 项沟村', '有个闲散娃要登 叫朱明']) {
      expect(isIntakeTrigger(t), t).toBe(true);
    }
    for (const t of ['留守儿童谁牵头', '留守儿童登记由谁负责', '什么是闲散青少年', '算了 不好登记', '普查登记是哪个单位的事', '排查上报归哪个部门']) expect(isIntakeTrigger(t), t).toBe(false);
  });

  it('prefills from the whole first message, using the reporter’s own village for 我们村', async () => {
    const b = await bot();
    // zhouba is the 王庄村 cadre in the example config.
    const r = await b.send('zhouba', '我们村有个留守娃要登记一下，叫李小花，女的，爸妈都去江苏打工了，爷爷带着');
    expect(r).toContain('姓名：李小花');
    expect(r).toContain('户籍村：王庄村');
    expect(r).toContain('监护人与孩子关系：祖父');
    expect(await b.current('zhouba')).toBe('identity');
  });

  it('never takes a doubtful phrase as a name', async () => {
    const b = await bot();
    await b.send('zhangsan', '登记流浪 外地口音 男孩 奶奶刘桂英带着');
    expect(await b.current('zhangsan')).toBe('fullName');
    expect(await b.send('zhangsan', '不知道叫啥')).toContain('身份证号');
  });

  it('shows the pending question when the private chat is opened after a group start, and on 你好', async () => {
    const b = await bot();
    expect(await b.send('zhouba', '报个案', 'group')).toContain('私聊');
    const opened = await b.send('zhouba', '', 'single', 'enter_chat');
    expect(opened).toContain('未完成的个案登记');
    expect(opened).toContain('属于哪一类');
    expect(await b.send('zhouba', '你好')).toContain('属于哪一类');
    expect(await b.current('zhouba')).toBe('categories');
  });

  it('answers a plan question typed mid-form and asks the form question again', async () => {
    const b = await bot();
    await b.send('zhouba', '我要登记个留守儿童');
    const r = await b.send('zhouba', '对了留守儿童是哪个单位牵头来着');
    expect(r).toContain('镇民政所');
    expect(r).toContain('孩子的姓名');
    expect(await b.current('zhouba')).toBe('fullName');
  });

  it('answers a 「算不算」 question typed mid-form, with no question mark, and asks the form question again', async () => {
    const b = await bot();
    await b.send('zhouba', '我要登记个孩子');
    const asked = await b.current('zhouba');
    const r = await b.send('zhouba', '判了缓刑的算不算重点青少年');
    expect(r).not.toContain('这个选项');
    expect(r).toContain('缓刑');
    expect(r).toContain('属于哪一类');
    // A described child, asked about mid-form: answered, but with no offer to start a registration
    // (the person is already in one).
    const described = await b.send('zhouba', '这娃判了缓刑 今年15岁 算哪类？');
    expect(described).toContain('有不良行为');
    expect(described).not.toContain('开始登记。');
    expect(described).toContain('属于哪一类');
    expect(await b.current('zhouba')).toBe(asked);
  });

  it('in a group answers a question about a kind of young person, and sends a described child to private chat', async () => {
    const b = await bot();
    // 「判了缓刑的」 is one fact about the young person, not a parent in prison as well.
    const kind = await b.send('zhouba', '判了缓刑的算不算重点青少年', 'group');
    expect(kind).toContain('缓刑');
    expect(kind).not.toContain('私聊');
    const child = await b.send('zhouba', '俺村有个娃判了缓刑 今年15岁', 'group');
    expect(child).toContain('私聊');
    expect(child).not.toContain('有不良行为');
  });

  it('shows how to register under 帮助', async () => {
    expect(await (await bot()).send('zhouba', '帮助')).toContain('登记个案');
  });
});

describe('answers as people give them', () => {
  const upTo = async (b: Awaited<ReturnType<typeof bot>>, key: string, answers: string[]) => {
    await b.send('zhangsan', '新增个案');
    for (const a of answers) if (await b.current('zhangsan') !== key) await b.send('zhangsan', a);
    expect(await b.current('zhangsan')).toBe(key);
  };

  it('dates with tails, lunar months and years relative to today', async () => {
    for (const [said, stored] of [
      ['2017年12月生的', '2017-12'],
      ['去年腊月生的', '2026-01'],
      ['去年3月', '2025-03'],
    ] as const) {
      const b = await bot();
      await upTo(b, 'identity', ['留守', '王小明']);
      await b.send('zhangsan', said);
      const d = (await b.store.sessions.get('zhangsan', 'zhangsan'))!.state as EngineState;
      expect((d.answers.identity as { birthDate: string }).birthDate, said).toBe(stored);
    }
  });

  it('a bare number at the birth date is not taken as an age: it is asked again; with 岁 it is an age', async () => {
    const b = await bot();
    await upTo(b, 'identity', ['留守', '王小明']);
    // 「2」 here is likelier a menu number sent a question late, or a slip, than a two-year-old.
    for (const bare of ['2', '十二']) {
      const r = await b.send('zhangsan', bare);
      expect(r, bare).toContain(`「${bare}」看不出是年龄还是选项序号`);
      const d = (await b.store.sessions.get('zhangsan', 'zhangsan'))!.state as EngineState;
      expect(d.current, bare).toBe('identity');
      expect(d.answers, bare).not.toHaveProperty('identity');
      expect(d.unknown ?? [], bare).not.toContain('identity');
    }
    const b2 = await bot();
    await upTo(b2, 'identity', ['留守', '王小明']);
    expect(await b2.send('zhangsan', '12')).toContain('孩子几岁请写「12岁」');
    await b2.send('zhangsan', '2岁');
    const d = (await b2.store.sessions.get('zhangsan', 'zhangsan'))!.state as EngineState;
    expect(d.answers.identity).toEqual({ idNumber: null, birthDate: '2024' });
    expect(d.estimated).toEqual(['identity']);
    // A bare year is a year: its month is asked, and 「2」 then is that month.
    const b3 = await bot();
    await upTo(b3, 'identity', ['留守', '王小明']);
    expect(await b3.send('zhangsan', '2014')).toContain('几月份出生');
    await b3.send('zhangsan', '2');
    expect(((await b3.store.sessions.get('zhangsan', 'zhangsan'))!.state as EngineState).answers.identity).toEqual({ idNumber: null, birthDate: '2014-02' });
  });

  it('a grade gives the school level', async () => {
    for (const [said, level] of [
      ['初一', '初中'],
      ['墩集中学初三', '初中'],
      ['中心校四年级', '小学'],
    ] as const) {
      const b = await bot();
      await upTo(b, 'schoolStatus', ['留守', '王小明', '2014年3月', '男', '王庄村']);
      await b.send('zhangsan', said);
      const d = (await b.store.sessions.get('zhangsan', 'zhangsan'))!.state as EngineState;
      expect((d.answers.schoolStatus as { choice: string }).choice, said).toBe(level);
    }
  });

  it('a mentor named in the first message is taken; otherwise the reporter is the mentor', async () => {
    const b = await bot();
    await b.send('zhouba', '我们村有个留守娃要登记一下，叫李小花，女的，爸妈都去江苏打工了，让王五帮扶吧');
    expect(((await b.store.sessions.get('zhouba', 'zhouba'))!.state as EngineState).answers.mentor).toBe('wangwu');
    const b2 = await bot();
    await b2.send('zhouba', '我们村有个留守娃要登记一下，叫李小花，女的，爸妈都去江苏打工了');
    const d = (await b2.store.sessions.get('zhouba', 'zhouba'))!.state as EngineState;
    expect(d.answers.mentor).toBe('zhouba');
    expect(d.derived.mentor).toBe('reporter');
  });

  it('a situation maps to its option, and 我自己 is the reporter as mentor', async () => {
    const b = await bot();
    await upTo(b, 'guardianshipMode', ['留守', '王小明', '2014年3月', '男', '王庄村', '小学', '不知道', '不详']);
    await b.send('zhangsan', '单亲，他爸早跑了');
    const d = (await b.store.sessions.get('zhangsan', 'zhangsan'))!.state as EngineState;
    expect(d.answers.guardianshipMode).toBe('单亲监护');
  });
});

describe('form versions', () => {
  it('migrates a draft whose current step was removed: the answers stay, the first open question is asked', () => {
    const state = { formId: caseForm.id, version: 1, answers: { categories: ['05'], fullName: '王小明', oldStep: 'x' }, prefilled: [], derived: {}, history: ['oldStep'], current: 'oldStep', signsSaid: [], reportIds: [] } as EngineState;
    const note = migrateState(caseForm, state);
    expect(note).toContain('已填内容都保留了');
    expect(state.answers).toEqual({ categories: ['05'], fullName: '王小明' });
    expect(state.current).toBe('identity');
    expect(state.version).toBe(caseForm.version);
  });

  it('a stored draft of an old version is answered, never stuck', async () => {
    const b = await bot();
    await b.send('zhangsan', '新增个案');
    const s = (await b.store.sessions.get('zhangsan', 'zhangsan'))!;
    await b.store.sessions.save({ ...s, state: { ...(s.state as EngineState), version: 0, current: 'removedStep' } });
    const r = await b.send('zhangsan', '留守');
    expect(r).toContain('登记表已更新');
    expect(await b.current('zhangsan')).toBe('fullName');
  });
});

describe('what is not known at registration', () => {
  it('is saved as 待补充, shown in 我的个案 and in the reminder to the mentor', async () => {
    const b = await bot();
    await b.send('zhangsan', '新增个案');
    // A begging child's guardian is not known: no relation and no 监护方式 are asked.
    for (const a of ['流浪', '不知道叫啥', '看着十一二岁', '男', '外地的', '不知道', '不知道', '汽车站', '就他自己', '救助站']) await b.send('zhangsan', a);
    const saved = await b.send('zhangsan', '确认');
    expect(saved).toContain('待补充：姓名、就学/就业情况、监护人姓名和手机、风险等级');
    expect(saved).toMatch(/请私聊我发送「补充 DJ-2026-\d{4}」/);
    const c = (await b.store.cases.list())[0]!;
    expect(c.details.pendingFields).toEqual(['姓名', '就学/就业情况', '监护人姓名和手机']);
    expect(c.details.estimatedFields).toEqual(['identity']);
    expect(c.birthDate).toBe('2014');
    expect(c).toMatchObject({ riskLevel: null, mentorUserId: 'zhangsan', guardianshipMode: null });
    expect(await b.send('zhangsan', '我的个案')).toContain('待补充：风险等级、姓名、就学/就业情况、监护人姓名和手机');
    expect(await b.send('zhangsan', `查看 ${c.code}`)).toContain('风险等级：待补充');
    // A contact that assesses the risk level ends that item.
    await b.send('zhangsan', `走访 ${c.code} 上门 在救助站见到孩子 风险高`);
    expect((await b.store.cases.getByCode(c.code))!.riskLevel).toBe('高');
    const mine = await b.send('zhangsan', '我的个案');
    expect(mine).toContain('待补充：姓名、就学/就业情况、监护人姓名和手机');
    expect(mine).not.toContain('风险等级');
    // 「补充」 asks exactly those, read as at registration; what is still not known stays listed.
    expect(await b.send('zhangsan', `补充 ${c.code}`)).toContain('孩子的姓名？');
    expect(await b.send('zhangsan', '张小虎')).toContain('目前的就学或就业情况');
    expect(await b.send('zhangsan', '不知道')).toContain('监护人的姓名和手机号');
    const done = await b.send('zhangsan', '李长贵 电话不知道');
    expect(done).toContain(`已补充个案 ${c.code}：姓名、监护人姓名和手机（姓名）。`);
    expect(done).toContain('仍待补充：就学/就业情况、监护人姓名和手机（手机）。');
    const after = (await b.store.cases.getByCode(c.code))!;
    expect(after).toMatchObject({ fullName: '张小虎', guardianName: '李长贵', guardianPhone: null });
    expect(await b.send('zhangsan', '我的个案')).toContain('待补充：就学/就业情况、监护人姓名和手机（手机）');
  });
});

describe('the summary shows every answer as a person reads it', () => {
  it('names a school with its detail and a yes/no as 是/否, never an object or a boolean', async () => {
    const b = await bot();
    let last = '';
    for (const t of ['上报个案', '2', '刘小东', '2010.3.4', '男', '李庄村', '初中，墩集中学初二', '陈梅 13600002222', '母亲', '逃学、网瘾', '家长管教', '无', '否']) last = await b.send('zhangsan', t);
    expect(last).toContain('请核对');
    expect(last).not.toMatch(/\[object Object\]|：(true|false)/);
    expect(last).toMatch(/就学\/就业情况：初中/);
    expect(last).toMatch(/受成年人教唆或胁迫：否/);
  });
});
