import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { mayManage } from '../../../src/domain/followup/access.js';
import { expandGenericUnits, genericKind, townUnitsOf } from '../../../src/domain/plan/generic-units.js';
import type { PlanMatrix } from '../../../src/domain/plan/types.js';
import { answerQuestion } from '../../../src/domain/qa/answer.js';
import { fromLocal } from '../../../src/domain/calendar/shanghai.js';
import { harness } from '../../helpers/intake-harness.js';
import { loadExample } from '../../helpers/example-plans.js';

/**
 * 中小学校, 各社区居委会, 各村(社区): generic in answers and task assignment unless the town's
 * config lists the members (its villages, the schools its members and groups belong to).
 */

const jiedao = loadExample('jiedao-plan').plan;
const messy = loadExample('messy-plan').plan;
const flat = (s: string) => s.replace(/\s+/g, '');

function config(extra: string[] = [], villages = '[东湖社区, 西湖社区]') {
  return parseConfig(
    ['town: 城南街道', 'casePrefix: CN', `villages: ${villages}`, 'members:', '  - { userid: admin1, name: 李四, unit: 街道团工委, role: admin }', ...extra].join('\n'),
    '/tmp/humiao.config.yaml',
  );
}
const withSchools = config(['  - { userid: t1, name: 王老师, unit: 城南第一中学, role: staff }', '  - { userid: t2, name: 赵老师, unit: 城南实验小学, role: staff }']);

describe('generic unit phrases', () => {
  it('tells the phrases for several units apart from named units', () => {
    expect(['辖区中小学校', '中小学校', '各社区居委会', '各村(社区)', '各村'].map(genericKind)).toEqual(['school', 'school', 'village', 'village', 'village']);
    expect(['城南第一中学', '街道团工委', '各乡镇人民政府', '社区儿童主任'].map(genericKind)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('stays generic when the config lists no schools: answers say 辖区中小学校 and name no school', () => {
    const plan = expandGenericUnits(jiedao, townUnitsOf(config([], '[幸福村]')));
    // Villages are always listed; no school is.
    expect(plan.units).toContain('辖区中小学校');
    const a = flat(answerQuestion(plan, '谁负责劝返复学？').text);
    expect(a).toContain('辖区中小学校');
    expect(a).not.toContain('城南第一中学');
  });

  it('names the listed schools and villages in answers, and finds them all by the phrase', () => {
    const plan = expandGenericUnits(jiedao, townUnitsOf(withSchools));
    expect(plan.units).not.toContain('辖区中小学校');
    expect(plan.units).not.toContain('各社区居委会');
    const who = answerQuestion(plan, '谁负责劝返复学？').text;
    for (const u of ['城南第一中学', '城南实验小学', '东湖社区', '西湖社区']) expect(who).toContain(u);
    expect(who).toContain('原文：辖区中小学校要落实控辍保学责任');
    const resp = answerQuestion(plan, '留守儿童有哪些配合单位').text;
    expect(resp).toContain('城南第一中学、城南实验小学');
    const bySchool = answerQuestion(plan, '城南实验小学有哪些任务').text;
    expect(bySchool).toContain('法治副校长');
    // The schools the phrase stands for share its duties: answered once, for both.
    const byPhrase = answerQuestion(plan, '中小学校要做什么').text;
    expect(byPhrase).toContain('城南第一中学、城南实验小学的职责：');
    expect(byPhrase.match(/的职责：/g)).toHaveLength(1);
    expect(byPhrase.match(/法治副校长/g)).toHaveLength(1);
    // Units with different duties are still answered each on its own.
    const two = answerQuestion(plan, '城南实验小学和街道团工委要做什么').text;
    expect(two).toContain('城南实验小学的职责：');
    expect(two).toContain('街道团工委的职责：');
    // The unexpanded plan, asked the same, knows no such school.
    expect(answerQuestion(jiedao, '城南实验小学有哪些任务').text).toContain('实施方案中没有相关规定');
  });

  it('assigns a category led by 各村(社区) to the case’s own village and lets that village’s cadre manage it', async () => {
    // The messy plan with its 留守 work led by the villages, as a town might write it.
    const led: PlanMatrix = { ...messy, categories: messy.categories.map((c) => (c.code === '05' ? { ...c, leadUnits: ['各村(社区)'] } : c)) };
    const cfg = parseConfig(
      ['town: 桥头镇', 'casePrefix: QT', 'villages: [幸福村, 和平村]', 'members:', '  - { userid: admin1, name: 李四, unit: 镇综治中心, role: admin }',
        '  - { userid: cadre1, name: 周八, unit: 村委会, role: staff, village: 幸福村 }', '  - { userid: cadre2, name: 吴九, unit: 村委会, role: staff, village: 和平村 }'].join('\n'),
      '/tmp/humiao.config.yaml',
    );
    const plan = expandGenericUnits(led, townUnitsOf(cfg));
    expect(plan.categories.find((c) => c.code === '05')!.leadUnits).toEqual(['幸福村', '和平村']);
    const h = await harness({ plan, config: cfg, start: fromLocal(2026, 3, 10, 10) });
    await h.say('cadre1', '新增个案：王小明，男，2013年5月出生，幸福村，父母都在外地打工，由奶奶照顾');
    for (const a of ['小学三年级', '张桂兰 13812345678', '父亲江苏苏州，母亲浙江杭州', '一般', '低', '李四']) await h.say('cadre1', a);
    expect(await h.say('cadre1', '确认')).toContain('已保存个案 QT-2026-0001');
    const c = (await h.store.cases.getByCode('QT-2026-0001'))!;
    expect(c.categories).toEqual([{ code: '05', leadUnits: ['幸福村'] }]);
    expect(mayManage(c, cfg.members.find((m) => m.userid === 'cadre1'))).toBe(true);
    expect(mayManage(c, cfg.members.find((m) => m.userid === 'cadre2'))).toBe(false);
  });
});
