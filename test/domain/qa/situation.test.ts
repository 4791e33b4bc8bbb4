import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledPlanPath } from '../../../src/config/load.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { attachPlanText, QaEngine } from '../../../src/domain/qa/answer.js';
import { INTAKE_OFFER, NO_RULE } from '../../../src/domain/qa/compose.js';

const text = readFileSync(bundledPlanPath, 'utf8');
const plan = parsePlan(text);
attachPlanText(plan, text);
const engine = new QaEngine(plan);
const ask = (q: string) => engine.answer(q);
const fits = (q: string) => ask(q).situation?.fits.map((f) => f.name) ?? [];

describe('a described child is classified against the plan’s definitions', () => {
  it('names the category and why, then the lead unit, then what to do next, and offers to register', () => {
    const a = ask('这孩子15岁，初中没读完就不上了，在家也不干活，归谁管');
    expect(a.situation?.fits.map((f) => f.name)).toEqual(['闲散青少年']);
    const lines = a.text.split('\n');
    const why = lines.findIndex((l) => l.includes('不在学、无职业 → 闲散青少年'));
    const lead = lines.findIndex((l) => l.includes('牵头单位：墩集中学、墩集中心校、镇社保所'));
    const next = lines.findIndex((l) => l.startsWith('下一步'));
    expect(why).toBeGreaterThanOrEqual(0);
    expect(lead).toBeGreaterThan(why);
    expect(next).toBeGreaterThan(lead);
    expect(a.text).toContain(INTAKE_OFFER);
    expect(a.text).not.toContain(NO_RULE);
  });

  it('reads parents away with the age limit the definition states', () => {
    const a = ask('俺村有个娃12岁 爹妈都去上海打工了 跟着奶奶过');
    expect(a.situation?.fits.map((f) => f.name)).toEqual(['农村留守儿童']);
    expect(a.text).toContain('父母都外出务工、12岁未满16周岁 → 农村留守儿童');
    expect(a.text).toContain('镇民政所');
  });

  it('a parent in detox, in prison, under community correction or sentenced to death', () => {
    expect(fits('他妈在戒毒所')).toEqual(['服刑人员未成年子女']);
    expect(fits('孩子爸爸蹲监狱呢 孩子7岁 妈妈在家')).toEqual(['服刑人员未成年子女']);
    expect(fits('她爸在社区矫正，她14岁')).toEqual(['服刑人员未成年子女']);
    expect(fits('娃他爹判了死刑 娃6岁 娘在家种地')).toEqual(['服刑人员未成年子女']);
  });

  it('offences and police measures', () => {
    for (const q of ['偷东西被拘留了', '16岁 打架被训诫了', '这小子17 判了缓刑', '15岁 附条件不起诉', '13岁 没到刑事责任年龄 不予刑事处罚']) {
      expect(fits(q), q).toEqual(['有不良行为或严重不良行为青少年']);
    }
    // The plan's own 包括 item is quoted whole.
    expect(ask('17岁男孩偷东西被行政拘留 属于哪类').text).toContain('多次违法，尚不构成犯罪的青少年（含行政拘留人员）');
  });

  it('begging, and 流浪 alone when both it and 闲散 fit a minor', () => {
    expect(fits('集上有个小孩要饭 看着也就十来岁 不是俺们镇的')).toEqual(['流浪乞讨未成年人']);
    expect(fits('19岁 在路边乞讨 不上学也没工作')).toEqual(['闲散青少年']);
  });

  it('names both categories when two fit', () => {
    expect(fits('娃14岁 爹妈都在外地打工 初一就辍学了 在家待着').sort()).toEqual(['农村留守儿童', '闲散青少年'].sort());
    expect(fits('娃他爹在监狱 娃他娘去杭州打工了 娃10岁跟爷爷').sort()).toEqual(['农村留守儿童', '服刑人员未成年子女'].sort());
  });

  it('says so when an age or a fact rules the child out', () => {
    const a = ask('我班上有个学生今年17岁，父母都在外地打工，他跟外婆住，算留守儿童吗');
    expect(a.situation?.fits).toEqual([]);
    expect(a.text).toContain('不属于农村留守儿童');
    expect(a.text).toContain('未满16周岁');
    expect(a.text).not.toContain(INTAKE_OFFER);
    expect(fits('邻居家孩子8岁，爸爸在苏州打工，妈妈在家带他')).toEqual([]);
    expect(fits('娃他叔在坐牢 娃跟他爹妈住 算服刑人员子女不')).toEqual([]);
    expect(fits('娃他爹去戒毒了 是自己去医院戒的 不是强制的 娃8岁')).toEqual([]);
    expect(fits('一个15岁的孩子爸爸被行政拘留了15天，算服刑人员未成年子女吗')).toEqual([]);
  });

  it('reads who a fact is about across cadres’ spaces and possessives', () => {
    expect(fits('俺们庄有个小闺女九岁 她爹她娘都在深圳进厂 平时她姥姥看着')).toEqual(['农村留守儿童']);
    expect(fits('爸爸和妈妈都在外地打工 孩子10岁')).toEqual(['农村留守儿童']);
    expect(fits('孩子10岁 跟着爸爸和妈妈在外地住')).toEqual([]);
    // An adult drinking is the father's state, not the child's misconduct.
    expect(fits('学生小王12岁 妈妈在外地打工 爸爸在家 但爸爸常年喝酒 也不管孩子')).toEqual(['农村留守儿童']);
    // 「被判了缓刑 在社区矫正」 goes on about the mother.
    expect(fits('孩子的妈妈被判了缓刑 在社区矫正 孩子13岁')).toEqual(['服刑人员未成年子女']);
    expect(fits('有个孩子他妈刚从戒毒所出来 孩子9岁')).toEqual([]);
    expect(fits('街上有个要饭的 看着有二十多岁了')).toEqual(['闲散青少年']);
  });

  it('leaves questions about a group, not a child, to the plan answers', () => {
    expect(ask('派出所在流浪娃那块干啥').situation).toBeUndefined();
    expect(ask('青少年犯罪率要下降百分之多少').situation).toBeUndefined();
    expect(ask('坐牢人家的娃 多大以内才算').text).toContain('未成年人');
  });
});

describe('classification follows another town’s definitions, not Dunji’s', () => {
  // The same layout with other definitions and units: 留守 under 18, 服刑 without 社区矫正.
  const other = text
    .replaceAll('墩集', '柳河')
    .replace('无法与父母共同生活的未满16周岁的未成年人', '无法与父母共同生活的未满18周岁的未成年人')
    .replace('在监狱服刑在押、社区矫正、被强制戒毒', '在监狱服刑在押、被强制戒毒')
    .replace('牵头单位：镇司法所', '牵头单位：镇派出所');
  const p2 = parsePlan(other);
  const e2 = new QaEngine(p2);
  const fits2 = (q: string) => e2.answer(q).situation?.fits.map((f) => f.name) ?? [];

  it('uses that plan’s age limit', () => {
    expect(fits2('娃17岁 爹妈都在外地打工')).toEqual(['农村留守儿童']);
    expect(fits('娃17岁 爹妈都在外地打工')).toEqual([]);
  });

  it('classifies only by the states that plan lists, and names its lead unit', () => {
    expect(fits2('她爸在社区矫正，她14岁')).toEqual([]);
    const a = e2.answer('孩子爸爸在监狱服刑 孩子9岁 归谁管');
    expect(a.situation?.fits.map((f) => f.name)).toEqual(['服刑人员未成年子女']);
    expect(a.text).toContain('牵头单位：镇派出所');
  });
});
