import { describe, expect, it } from 'vitest';
import { caseViewHandler, parseViewCommand, VIEW_IN_PRIVATE_TEXT, VIEW_NOT_ENABLED_TEXT } from '../../handlers/case-view.js';
import { Router } from '../../src/core/router.js';
import { fixedClock } from '../../src/core/clock.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import { silentLogger } from '../../src/core/log.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { NewCase } from '../../src/domain/model/records.js';
import { testConfig } from '../helpers/deps.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

const plan = loadPlanFile(new URL('../../plans/dunji-2023.txt', import.meta.url).pathname);

async function setup(cases: NewCase[] = [sampleCase]) {
  const store = await openSqliteStore(':memory:');
  for (const c of cases) await store.cases.insert(c);
  const router = new Router({ config: testConfig(), store, lookup: plainLookupKeys, plan, clock: fixedClock(new Date('2026-11-29T02:00:00Z')), log: silentLogger }, [caseViewHandler]);
  let n = 0;
  const say = async (userId: string, text: string, chat?: string) =>
    (await router
      .dispatch({ id: `v${++n}`, channel: 'test', userId, chatId: chat ?? userId, chatType: chat ? 'group' : 'single', kind: 'text', text, receivedAt: new Date() }))
      .replies.map((r) => r.text)
      .join('\n');
  return { store, say };
}

describe('viewing a case', () => {
  it('reads the command with spaces, lower case and a short serial', () => {
    expect(parseViewCommand('查看 DJ-2026-0001')).toEqual({ code: 'DJ-2026-0001', full: false, reason: '' });
    expect(parseViewCommand('查看个案 dj-2026-1 完整 核实监护人联系方式')).toEqual({ code: 'DJ-2026-0001', full: true, reason: '核实监护人联系方式' });
    expect(parseViewCommand('查看')).toBeUndefined();
    expect(parseViewCommand('查看一下政策')).toBeUndefined();
  });

  it('refuses in a group without saying anything about the case, and refuses people not in members', async () => {
    const { say, store } = await setup();
    const g = await say('lisi', '查看 DJ-2026-0001', 'wrkGroup1');
    expect(g).toBe(VIEW_IN_PRIVATE_TEXT);
    expect(await store.audit.list()).toEqual([]);
    expect(await say('stranger', '查看 DJ-2026-0001')).toBe(VIEW_NOT_ENABLED_TEXT);
    // Someone not in the config is refused and the attempt is on record.
    expect(await store.audit.list()).toMatchObject([{ actor: 'stranger', action: 'denied', caseCode: 'DJ-2026-0001' }]);
  });

  it('shows the lead unit a masked view with sealed fields hidden, and audits it', async () => {
    const { say, store } = await setup();
    const t = await say('zhangsan', '查看 DJ-2026-0001');
    expect(t).toContain('王*明');
    expect(t).toContain('**************1234');
    expect(t).toContain('138****5678');
    expect(t).toContain('处置情况：该记录已依法封存');
    for (const secret of ['王小明', '341324201305061234', '13812345678', '王大山', '初二', '村东头', '公安机关矫治']) expect(t).not.toContain(secret);
    expect(await store.audit.list()).toMatchObject([{ actor: 'zhangsan', action: 'view', caseCode: 'DJ-2026-0001', reason: null }]);
  });

  it('asks for a reason before the full identity, then shows it and audits the reason', async () => {
    const { say, store } = await setup();
    expect(await say('lisi', '查看 DJ-2026-0001 完整')).toContain('需要说明原因');
    // A word or two is not a purpose: refused like no reason, and both refusals are on record.
    const vague = await say('lisi', '查看 DJ-2026-0001 完整 看看情况');
    expect(vague).toContain('需要说明原因');
    expect(vague).not.toContain('王小明');
    expect((await store.audit.list()).map((e) => e.action)).toEqual(['denied', 'denied']);
    expect(await say('lisi', '查看 DJ-2026-0001 完整 2')).toContain('王小明');
    expect((await store.audit.list()).at(-1)).toMatchObject({ action: 'view-full', reason: '走访前核对身份' });
    expect(await say('lisi', '查看 DJ-2026-0001 完整 下周协调民政救助金需要核对户主')).toContain('王小明');
    const t = await say('lisi', '查看 DJ-2026-0001 完整 核实监护人联系方式');
    expect(t).toContain('王小明');
    expect(t).toContain('341324201305061234');
    expect(t).toContain('13812345678');
    // An admin outside sealedAccess still does not see the sealed details.
    expect(t).toContain('处置情况：该记录已依法封存');
    expect(t).not.toContain('公安机关矫治');
    expect((await store.audit.list()).at(-1)).toMatchObject({ actor: 'lisi', action: 'view-full', reason: '核实监护人联系方式', detail: 'identity' });
  });

  it('opens sealed details only to a sealedAccess unit that gave a reason', async () => {
    const { say, store } = await setup();
    expect(await say('zhangsan', '查看 DJ-2026-0001')).toContain('贵单位可在说明原因后查看封存信息');
    const t = await say('zhangsan', '查看 DJ-2026-0001 完整 办理矫治教育回访');
    expect(t).toContain('处置情况：公安机关矫治教育措施');
    expect(t).toContain('是否涉及司法程序：有');
    expect((await store.audit.list()).at(-1)).toMatchObject({ action: 'view-sealed', reason: '办理矫治教育回访', detail: 'identity,sealed' });
  });

  it('seals an age-exempt offence: others see the sealed notice, a school nothing, export leaves it out', async () => {
    const exempt: NewCase = {
      ...sampleCase,
      details: { behaviors: ['BL02', 'YZ00'], disposition: '家长管教', justiceInvolvement: '无' },
      categories: [{ code: '02', leadUnits: ['镇派出所', '墩集中心校'] }],
      schoolDetail: '墩集中心校五年级',
    };
    const { say, store } = await setup([exempt]);
    expect((await store.cases.list())[0]!.sealed).toBe(true);
    const staff = await say('wangwu', '查看 DJ-2026-0001');
    const school = await say('zhaoliu', '查看 DJ-2026-0001');
    for (const t of [staff, school]) {
      expect(t).toContain('多次旷课、逃学');
      expect(t).not.toContain('因年龄不予处罚');
    }
    expect(school).not.toContain('封存');
    const police = await say('zhangsan', '查看 DJ-2026-0001 完整 办理矫治教育回访');
    expect(police).toContain('实施刑法规定的行为但因年龄不予处罚');
  });

  it('a school sees only its own pupils', async () => {
    const other: NewCase = { ...sampleCase, categories: [{ code: '01', leadUnits: ['墩集中心校'] }], primaryCategory: '01', schoolDetail: '墩集中学初一' };
    const mine: NewCase = { ...other, code: 'DJ-2026-0002', schoolDetail: '墩集中心校 四年级' };
    const { say } = await setup([other, mine]);
    expect(await say('zhaoliu', '查看 DJ-2026-0001')).toContain('没有找到您可以查看的个案');
    expect(await say('zhaoliu', '查看 DJ-2026-0002')).toContain('王*明');
  });

  it('never shows justice fields to a school, not even that they are sealed', async () => {
    const both: NewCase = {
      ...sampleCase,
      categories: [{ code: '01', leadUnits: ['墩集中学', '墩集中心校'] }, { code: '02', leadUnits: ['镇派出所'] }],
      primaryCategory: '01',
      schoolDetail: '墩集中心校三年级',
    };
    const { say } = await setup([both]);
    const t = await say('zhaoliu', '查看 DJ-2026-0001 完整 走访前核对身份');
    expect(t).toContain('王小明');
    expect(t).not.toMatch(/处置|司法|封存/);
  });

  it('gives the same answer for a case that is not yours as for one that does not exist, and audits the attempt', async () => {
    const other: NewCase = { ...sampleCase, village: '李庄村', reporterUserId: 'lisi', mentorUserId: 'lisi' };
    const { say, store } = await setup([other]);
    const notYours = await say('zhouba', '查看 DJ-2026-0001');
    const missing = await say('zhouba', '查看 DJ-2026-0099');
    expect(notYours.replace('0001', 'X')).toBe(missing.replace('0099', 'X'));
    expect(notYours).not.toContain('王');
    expect((await store.audit.list()).map((e) => e.detail)).toEqual(['denied', 'not-found']);
  });

  it('lets the reporter and the mentor see their case, and a village cadre the cases of their village', async () => {
    const { say } = await setup([{ ...sampleCase, reporterUserId: 'lisi', mentorUserId: 'wangwu', categories: [{ code: '02', leadUnits: ['镇派出所'] }] }]);
    expect(await say('wangwu', '查看 DJ-2026-0001')).toContain('王*明');
    expect(await say('zhouba', '查看 DJ-2026-0001')).toContain('王*明');
  });
});
