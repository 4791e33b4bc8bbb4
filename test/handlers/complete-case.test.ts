import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHandlers } from '../../src/app.js';
import { fixedClock } from '../../src/core/clock.js';
import { Router } from '../../src/core/router.js';
import { silentLogger } from '../../src/core/log.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { casePending } from '../../src/domain/intake/pending-fields.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';
import { FOLLOWUP_CONFIG, LEAD } from '../helpers/followup-fixtures.js';
import { plan } from '../helpers/intake-harness.js';
import { loadExample } from '../helpers/example-plans.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';
import { parseConfig, type LoadedConfig } from '../../src/config/load.js';
import { mayActOn } from '../../src/domain/followup/access.js';
import { UNKNOWN_VILLAGE } from '../../src/domain/intake/submit.js';
import { expandGenericUnits, townUnitsOf } from '../../src/domain/plan/generic-units.js';
import type { PlanMatrix } from '../../src/domain/plan/types.js';

const NOV20 = fromLocal(2026, 11, 20, 10);
const CODE = 'DJ-2026-0009';

/** The real handler list, with one 留守 case (mentor 王五) saved with its guardian's phone, the parents' workplace and the assessments unknown. */
async function bot(cipher: FieldCipher | null = null) {
  const store = await openSqliteStore(':memory:', { cipher });
  const clock = fixedClock(NOV20);
  await store.cases.insert({
    code: CODE, categories: [{ code: '05', leadUnits: LEAD['05'] }], primaryCategory: '05', fullName: '王小明', gender: '男',
    birthDate: '2014-05', idNumber: null, idHash: null, dupKey: 'k9', village: '王庄村', schoolStatus: '小学', schoolDetail: null,
    guardianName: '张桂兰', guardianRelation: '祖母', guardianPhone: null, guardianshipMode: '祖辈监护', riskLevel: null,
    mentorUserId: 'wangwu', mentorName: '王五', reporterUserId: 'zhouba', bangjiaoName: null, bangjiaoPhone: null, notes: null,
    details: { parentsAway: '父母双方外出务工', pendingFields: ['监护人姓名和手机（手机）', '父母务工地', '监护情况评估'] },
    inferredFields: [], createdAt: fromLocal(2026, 9, 1),
  });
  const router = new Router({ config: testConfig(FOLLOWUP_CONFIG), store, lookup: plainLookupKeys, plan, clock, log: silentLogger }, buildHandlers());
  let n = 0;
  const say = async (userId: string, text: string, group?: string) =>
    (await router
      .dispatch({ id: `c${++n}`, channel: 'test', userId, chatId: group ?? userId, chatType: group ? 'group' : 'single', kind: 'text', text, receivedAt: clock.now() }))
      .replies.map((r) => r.text)
      .join('\n');
  const theCase = async () => (await store.cases.getByCode(CODE))!;
  return { store, say, theCase };
}

describe('「补充 DJ-…」 completes the fields a case was saved without', () => {
  it('asks only the pending fields with registration\'s own questions; 不知道 keeps one pending, a wrong answer is asked again', async () => {
    const b = await bot();
    const first = await b.say('wangwu', `补充 ${CODE}`);
    expect(first).toContain('监护人手机？');
    expect(first).not.toContain('孩子的姓名');
    expect(await b.say('wangwu', '13912345678')).toMatch(/已保存：监护人姓名和手机（手机）。\n父母各在哪里务工/);
    expect((await b.theCase()).guardianPhone).toBe('13912345678');
    expect((await b.theCase()).guardianName).toBe('张桂兰');
    expect(await b.say('wangwu', '不知道')).toContain('监护情况评估？');
    const wrong = await b.say('wangwu', '蓝色');
    expect(wrong).toContain('监护情况评估');
    expect((await b.theCase()).details.guardianshipRating).toBeUndefined();
    expect(await b.say('wangwu', '一般')).toContain('风险等级？');
    const done = await b.say('wangwu', '中');
    expect(done).toContain(`已补充个案 ${CODE}：监护人姓名和手机（手机）、监护情况评估、风险等级。`);
    expect(done).toContain('仍待补充：父母务工地。');
    const c = await b.theCase();
    expect(c.details.guardianshipRating).toBe('一般');
    expect(c.riskLevel).toBe('中');
    expect(casePending(c)).toEqual(['父母务工地']);
    expect(await b.store.sessions.get('wangwu', 'wangwu')).toBeUndefined();
    const changes = (await b.store.audit.list({ caseCode: CODE })).filter((e) => e.action === 'change');
    expect(changes.map((e) => e.detail)).toEqual(['completed: guardianContact', 'completed: guardianshipRating', 'completed: riskLevel']);
    expect(JSON.stringify(changes)).not.toContain('13912345678');
    // 我的个案 lists only what is still missing.
    expect(await b.say('wangwu', '我的个案')).toContain('待补充：父母务工地');
  });

  it('takes the value in the same message, and is reached by 「DJ-… 补充信息」 too', async () => {
    const b = await bot();
    const r = await b.say('wangwu', `补充 ${CODE} 父母务工地 江苏苏州`);
    expect(r).toContain('已保存：父母务工地。');
    expect((await b.theCase()).details.parentsWorkplace).toBe('江苏苏州');
    expect(await b.say('wangwu', '取消')).toContain('已答的内容都已保存');
    expect((await b.theCase()).details.parentsWorkplace).toBe('江苏苏州');
    expect(await b.say('lisi', `${CODE} 补充信息`)).toContain('监护人手机？');
  });

  it('a field that is not pending is not changed, and what was typed is not repeated', async () => {
    const b = await bot();
    const r = await b.say('wangwu', `补充 ${CODE} 姓名 刘大勇`);
    expect(r).toContain(`「姓名」不是个案 ${CODE} 的待补充项`);
    expect(r).not.toContain('刘大勇');
    expect(r).toContain('监护人手机？');
    expect((await b.theCase()).fullName).toBe('王小明');
  });

  it('next to an open registration it is not started, and neither the draft nor the case changes', async () => {
    const b = await bot();
    await b.say('wangwu', '我要登记个留守儿童');
    const draft = (await b.store.sessions.get('wangwu', 'wangwu'))!.state;
    const r = await b.say('wangwu', `补充 ${CODE} 父母务工地 江苏苏州`);
    expect(r).toContain('您有一份未完成的个案登记，请先完成或回复「取消」放弃，再补充个案信息。');
    expect((await b.store.sessions.get('wangwu', 'wangwu'))!.state).toEqual(draft);
    expect((await b.theCase()).details.parentsWorkplace).toBeUndefined();
  });

  it('a plan question about 补充 is not taken for the command', async () => {
    const b = await bot();
    await b.say('wangwu', '留守儿童需要补充哪些信息？');
    await b.say('wangwu', '补充说明怎么写');
    expect(await b.store.sessions.get('wangwu', 'wangwu')).toBeUndefined();
  });

  it('refuses a member who may not act on the case exactly as a code that does not exist, both audited', async () => {
    const b = await bot();
    const forbidden = await b.say('zhangsan', `补充 ${CODE} 父母务工地 江苏苏州`);
    const missing = await b.say('zhangsan', '补充 DJ-2026-0999 父母务工地 江苏苏州');
    expect(forbidden.replace(CODE, 'X')).toBe(missing.replace('DJ-2026-0999', 'X'));
    expect(forbidden).toContain('没有找到您可以补充个案信息的个案');
    expect((await b.theCase()).details.parentsWorkplace).toBeUndefined();
    expect((await b.store.audit.list({ caseCode: CODE })).some((e) => e.action === 'denied' && e.actor === 'zhangsan')).toBe(true);
    expect((await b.store.audit.list({ caseCode: 'DJ-2026-0999' })).some((e) => e.action === 'denied')).toBe(true);
    // A lead-unit member who is not the mentor may.
    expect(await b.say('qianjiu', `补充 ${CODE} 父母务工地 江苏苏州`)).toContain('已保存：父母务工地');
  });

  it('in a group asks nothing and repeats nothing typed: it points to the private chat', async () => {
    const b = await bot();
    const r = await b.say('wangwu', `补充 ${CODE} 监护人电话 13912345678`, 'wrkGroup');
    expect(r).toContain('私聊');
    expect(r).not.toContain('13912345678');
    expect(r).not.toContain('监护人');
    expect((await b.theCase()).guardianPhone).toBeNull();
    expect(await b.store.sessions.get('wangwu', 'wrkGroup')).toBeUndefined();
  });

  it('with a data key the completed values are encrypted at rest and the row stays sealed', async () => {
    const b = await bot(new FieldCipher(randomBytes(32)));
    expect(await b.say('wangwu', `补充 ${CODE} 监护人电话 13912345678`)).toContain('已保存');
    await b.say('wangwu', '江苏苏州');
    expect((await b.theCase()).guardianPhone).toBe('13912345678');
    expect((await b.theCase()).details.parentsWorkplace).toBe('江苏苏州');
    const raw = JSON.stringify(b.store.db.prepare('SELECT * FROM cases').all()) + JSON.stringify(b.store.db.prepare('SELECT * FROM form_sessions').all());
    for (const secret of ['13912345678', '江苏苏州', '张桂兰']) expect(raw).not.toContain(secret);
    expect((await b.store.caseSeals!.firstBroken()).code).toBeNull();
  });
});

/**
 * The lead units follow a village filled in later: a plan whose 留守 work the villages lead (the
 * messy example, as a town might write it) assigns the case to its own village, the bundled plan
 * (led by 镇民政所 whatever the village) leaves them as they were.
 */
describe.each(storeKinds)('「补充」 of the village recomputes the lead units ($name)', (kind: StoreKind) => {
  afterEach(cleanupStores);

  const messy = loadExample('messy-plan').plan;
  const villageLed: PlanMatrix = { ...messy, categories: messy.categories.map((c) => (c.code === '05' ? { ...c, leadUnits: ['各村(社区)'] } : c)) };
  const qiaotou = parseConfig(
    ['town: 桥头镇', 'casePrefix: QT', 'villages: [幸福村, 和平村]', 'members:', '  - { userid: admin1, name: 李四, unit: 镇综治中心, role: admin }',
      '  - { userid: cadre1, name: 周八, unit: 村委会, role: staff, village: 幸福村 }', '  - { userid: cadre2, name: 吴九, unit: 村委会, role: staff, village: 和平村 }'].join('\n'),
    '/tmp/humiao.config.yaml',
  );

  /** A 留守 case saved with the village unknown, with `leads` as registration then stored them. */
  async function townBot(opts: { plan: PlanMatrix; config: LoadedConfig; code: string; leads: string[]; cipher?: FieldCipher }) {
    const store = await kind.open({ cipher: opts.cipher ?? null });
    const clock = fixedClock(NOV20);
    await store.cases.insert({
      code: opts.code, categories: [{ code: '05', leadUnits: opts.leads }], primaryCategory: '05', fullName: '王小明', gender: '男',
      birthDate: '2014-05', idNumber: null, idHash: null, dupKey: 'k9', village: UNKNOWN_VILLAGE, schoolStatus: '小学', schoolDetail: null,
      guardianName: '张桂兰', guardianRelation: '祖母', guardianPhone: '13812345678', guardianshipMode: '祖辈监护', riskLevel: '低',
      mentorUserId: 'admin1', mentorName: '李四', reporterUserId: 'admin1', bangjiaoName: null, bangjiaoPhone: null, notes: null,
      details: { parentsAway: '父母双方外出务工', parentsWorkplace: '江苏苏州', guardianshipRating: '一般', pendingFields: ['户籍村'] },
      inferredFields: [], createdAt: fromLocal(2026, 9, 1),
    });
    const router = new Router({ config: opts.config, store, lookup: plainLookupKeys, plan: opts.plan, clock, log: silentLogger }, buildHandlers());
    let n = 0;
    const say = async (userId: string, text: string, group?: string) =>
      (await router.dispatch({ id: `v${++n}`, channel: 'test', userId, chatId: group ?? userId, chatType: group ? 'group' : 'single', kind: 'text', text, receivedAt: clock.now() }))
        .replies.map((r) => r.text).join('\n');
    const theCase = async () => (await store.cases.getByCode(opts.code))!;
    return { store, say, theCase };
  }

  it('a plan led by 各村: the case is led by its own village from then on, and the confirmation says so', async () => {
    const plan = expandGenericUnits(villageLed, townUnitsOf(qiaotou));
    const b = await townBot({ plan, config: qiaotou, code: 'QT-2026-0001', leads: ['幸福村', '和平村'], cipher: new FieldCipher(randomBytes(32)) });
    const cadre2 = qiaotou.members.find((m) => m.userid === 'cadre2');
    expect(mayActOn(await b.theCase(), cadre2)).toBe(true);
    const before = await b.theCase();
    const r = await b.say('admin1', '补充 QT-2026-0001 户籍村 幸福村');
    expect(r).toContain('已补充个案 QT-2026-0001：户籍村。');
    expect(r).toContain('个案 QT-2026-0001 的牵头单位已随户籍村更新为：幸福村。');
    const c = await b.theCase();
    expect(c.village).toBe('幸福村');
    expect(c.categories).toEqual([{ code: '05', leadUnits: ['幸福村'] }]);
    // The rest of the case is as it was, but for the village, its lookup key and the pending list.
    const { village: _v, dupKey: _k, categories: _c, details, updatedAt: _u, ...rest } = c;
    const { village: _v0, dupKey: _k0, categories: _c0, details: details0, updatedAt: _u0, ...rest0 } = before;
    expect(rest).toEqual(rest0);
    expect(details).toEqual({ ...details0, pendingFields: undefined });
    // Who may act on it, and the scans by lead unit (逾期, 督办), follow the new lead.
    expect(mayActOn(c, cadre2)).toBe(false);
    expect(await b.store.cases.anyLedBy('和平村')).toBe(false);
    expect(await b.store.cases.anyLedBy('幸福村')).toBe(true);
    expect((await b.store.cases.openSummaries({ leadUnit: '和平村' })).map((s) => s.code)).toEqual([]);
    expect((await b.store.cases.openSummaries({ leadUnit: '幸福村' })).map((s) => s.code)).toEqual(['QT-2026-0001']);
    expect((await b.store.cases.openSummaries()).find((s) => s.code === 'QT-2026-0001')!.categories).toEqual([{ code: '05', leadUnits: ['幸福村'] }]);
    expect((await b.store.caseSeals!.firstBroken()).code).toBeNull();
    const changes = (await b.store.audit.list({ caseCode: 'QT-2026-0001' })).filter((e) => e.action === 'change');
    expect(changes.map((e) => e.detail)).toEqual(['completed: village; lead units']);
  });

  it('a case registered while the plan still said 各村 gets its village once the config lists the villages', async () => {
    const plan = expandGenericUnits(villageLed, townUnitsOf(qiaotou));
    const b = await townBot({ plan, config: qiaotou, code: 'QT-2026-0002', leads: ['各村(社区)'] });
    expect(await b.say('admin1', '补充 QT-2026-0002 户籍村 和平村')).toContain('牵头单位已随户籍村更新为：和平村。');
    expect((await b.theCase()).categories).toEqual([{ code: '05', leadUnits: ['和平村'] }]);
    expect(await b.store.cases.anyLedBy('各村(社区)')).toBe(false);
  });

  it('a village from outside the town keeps every village as lead: nothing but the village changes and nothing is said of leads', async () => {
    const plan = expandGenericUnits(villageLed, townUnitsOf(qiaotou));
    const b = await townBot({ plan, config: qiaotou, code: 'QT-2026-0003', leads: ['幸福村', '和平村'] });
    const r = await b.say('admin1', '补充 QT-2026-0003 户籍村 外地');
    expect(r).toContain('已补充个案 QT-2026-0003：户籍村。');
    expect(r).not.toContain('牵头单位');
    expect((await b.theCase()).categories).toEqual([{ code: '05', leadUnits: ['幸福村', '和平村'] }]);
    expect(await b.store.cases.anyLedBy('和平村')).toBe(true);
  });

  it('the bundled plan (留守 led by 镇民政所): the village is saved, the lead units and everything else stay', async () => {
    const config = testConfig(FOLLOWUP_CONFIG);
    const b = await townBot({ plan: expandGenericUnits(plan, townUnitsOf(config)), config, code: CODE, leads: LEAD['05'] });
    const before = await b.theCase();
    const r = await b.say('lisi', `补充 ${CODE}`);
    expect(r).toContain('户籍在哪个村');
    const done = await b.say('lisi', '王庄村');
    expect(done).toContain(`已补充个案 ${CODE}：户籍村。`);
    expect(done).not.toContain('牵头单位');
    const c = await b.theCase();
    expect(c.village).toBe('王庄村');
    expect(c.categories).toEqual(before.categories);
    const { village: _v, dupKey: _k, details, updatedAt: _u, ...rest } = c;
    const { village: _v0, dupKey: _k0, details: details0, updatedAt: _u0, ...rest0 } = before;
    expect(rest).toEqual(rest0);
    expect(details).toEqual({ ...details0, pendingFields: undefined });
    expect((await b.store.audit.list({ caseCode: CODE })).filter((e) => e.action === 'change').map((e) => e.detail)).toEqual(['completed: village']);
  });

  it('in a group nothing is changed and neither village nor lead unit is shown', async () => {
    const plan = expandGenericUnits(villageLed, townUnitsOf(qiaotou));
    const b = await townBot({ plan, config: qiaotou, code: 'QT-2026-0004', leads: ['幸福村', '和平村'] });
    const r = await b.say('admin1', '补充 QT-2026-0004 户籍村 幸福村', 'wrkGroup');
    expect(r).toContain('私聊');
    for (const word of ['幸福村', '和平村', '牵头', '留守']) expect(r).not.toContain(word);
    expect((await b.theCase()).categories).toEqual([{ code: '05', leadUnits: ['幸福村', '和平村'] }]);
  });
});
