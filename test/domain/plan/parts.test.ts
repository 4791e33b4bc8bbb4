import { describe, expect, it } from 'vitest';
import { defaultAliases } from '../../../src/domain/plan/aliases.js';
import { cleanDefinition, definedName, nameFromHeading, statedAges, ageLimitOf } from '../../../src/domain/plan/definitions.js';
import { frequenciesIn, reportTarget } from '../../../src/domain/plan/frequencies.js';
import { buildTree, clauseOf, headingOf, titleOf } from '../../../src/domain/plan/headings.js';
import { findLabels, leadSentence, memberLists, overallLeadIn } from '../../../src/domain/plan/labels.js';
import { toParagraphs } from '../../../src/domain/plan/paragraphs.js';
import { bracketUnits, proseUnits } from '../../../src/domain/plan/task-units.js';
import { PlanUnits, splitUnitList } from '../../../src/domain/plan/units.js';
import { planUnitTerms } from '../../../src/domain/plan/aliases.js';

describe('paragraphs', () => {
  it('rejoins words broken across lines, drops page footers and keeps each line number', () => {
    const ps = toParagraphs(['(四)服刑人员未成年子女', '是指被强制隔离戒', '毒的子女。牵头单位:镇司法所 责任单位:镇民政办,中小学', '校,镇妇联', '', '    - 3 -', '', '司法所负责摸排(镇司法所)', '附件:1.名单'].join('\n'));
    expect(ps.map((p) => p.text)).toEqual(['(四)服刑人员未成年子女', '是指被强制隔离戒毒的子女。牵头单位:镇司法所 责任单位:镇民政办,中小学校,镇妇联', '司法所负责摸排(镇司法所)']);
    expect(ps[1]!.parts.map((x) => x.line)).toEqual([2, 3, 4]);
  });
});

describe('headings', () => {
  it('reads every marker kind and nests them as the plan does', () => {
    expect(['第四部分　工作任务', '一、指导思想', '（二）工作目标', '1．留守儿童', '1、县人社局', '（1）各社区', '③中小学校', '2023.6月'].map((l) => headingOf(l)?.kind)).toEqual([
      'part', 'cn', 'paren-cn', 'num', 'num', 'paren-num', 'circled', undefined,
    ]);
    const tree = buildTree(toParagraphs(['第四部分 任务', '1．留守儿童关爱', '（1）甲', '（2）乙', '2．服刑人员子女', '（1）丙', '第五部分 要求', '一、机制'].join('\n')));
    const [four, five] = tree.roots;
    expect(four!.children.map((c) => clauseOf(c))).toEqual(['第四部分1.', '第四部分2.']);
    expect(four!.children[0]!.children).toHaveLength(2);
    expect(clauseOf(five!.children[0]!)).toBe('第五部分一、');
  });
  it('takes a title up to its stop, space, or a definition comma', () => {
    expect(titleOf('指导思想。坚持…')).toEqual({ title: '指导思想', after: '坚持…' });
    expect(titleOf('流浪乞讨未成年人 由镇民政办负责').title).toBe('流浪乞讨未成年人');
    expect(titleOf('有不良行为青少年,是指有…').after).toBe('有不良行为青少年是指有…');
  });
});

describe('labels and lead sentences', () => {
  it('finds several labels on one line, but not one inside a task bracket', () => {
    expect(findLabels('牵头单位:镇人社所、镇团委 责任单位:派出所,中小学校 工作措施:建立台账').map((l) => [l.kind, l.value])).toEqual([
      ['lead', '镇人社所、镇团委'], ['responsible', '派出所,中小学校'], ['work', '建立台账'],
    ]);
    expect(findLabels('报告街道民政办。（责任单位：各社区居委会）')).toEqual([]);
  });
  it('reads who leads from a sentence', () => {
    expect(leadSentence('此项工作由街道民政办和街道妇联共同牵头，街道团工委、辖区中小学校配合。')).toEqual({ leads: '街道民政办和街道妇联', helpers: '街道团工委、辖区中小学校' });
    expect(leadSentence('由镇民政办负责,派出所配合.')).toEqual({ leads: '镇民政办', helpers: '派出所' });
    expect(leadSentence('由户籍所在社区负责联系，并与现居住地做好信息衔接。')).toBeUndefined();
  });
  it('reads member lists and the overall lead in order of strength', () => {
    expect(memberLists('成　员：街道团工委、街道综治办、各社区居委会主要负责人。')).toEqual(['街道团工委、街道综治办、各社区居委会主要负责人']);
    expect(overallLeadIn('工作由县委政法委牵头总负责，统筹协调。').map((h) => [h.kind, h.unit])).toEqual([['overall', '县委政法委']]);
    expect(overallLeadIn('领导小组办公室设在镇综治中心,负责…')[0]).toMatchObject({ kind: 'office', unit: '镇综治中心' });
  });
});

describe('task units', () => {
  it('reads nested and labelled trailing brackets, not a bracket that is prose', () => {
    const known = () => false;
    expect(bracketUnits('每季度更新一次(各村(社区),镇人社所);', known)).toEqual({ text: '每季度更新一次', names: ['各村(社区)', '镇人社所'] });
    expect(bracketUnits('…报告街道民政办。（责任单位：各社区居委会、街道民政办）', known)?.names).toEqual(['各社区居委会', '街道民政办']);
    expect(bracketUnits('多次违法的青少年（含行政拘留人员）等。', known)).toBeUndefined();
  });
  it('takes units the prose names as doing the task, not those it reports to', () => {
    const forms = ['县人社局', '县团委', '县民政局', '各乡镇人民政府', '城南派出所', '街道司法所', '街道综治办'].map((u) => ({ text: u, unit: u }));
    expect(proseUnits('县人社局负责培训，县团委协助组织见习。', forms)).toEqual(['县人社局', '县团委']);
    expect(proseUnits('各乡镇人民政府要每季度入户探访一次，发现问题及时报告县民政局。', forms)).toEqual(['各乡镇人民政府']);
    expect(proseUnits('街道综治办要建立机制，会同城南派出所、街道司法所逐人评估。', forms)).toEqual(['街道综治办', '城南派出所', '街道司法所']);
  });
  it('splits unit lists, keeping brackets inside a name', () => {
    expect(splitUnitList('镇民政办,中小学校、各村(社区)和镇妇联')).toEqual(['镇民政办', '中小学校', '各村(社区)', '镇妇联']);
  });
});

describe('definitions and ages', () => {
  it('drops 本方案所称 and reads the defined name', () => {
    expect(cleanDefinition('本方案所称留守儿童，是指父母…')).toBe('留守儿童是指父母…');
    expect(definedName('本方案所称闲散青少年，是指…')).toBe('闲散青少年');
    expect(nameFromHeading('农村留守儿童和困境儿童的关爱保护')).toBe('农村留守儿童和困境儿童');
  });
  it('reads the ages a plan states, and not one from a law’s title', () => {
    expect(statedAges('辖区内6周岁至25周岁、不在学')).toMatchObject({ min: 6, max: 25, maxInclusive: true, text: '6周岁至25周岁' });
    expect(statedAges('年龄一般在16-25周岁之间')).toMatchObject({ min: 16, max: 25, maxInclusive: true });
    expect(statedAges('不满十六周岁的未成年人')).toMatchObject({ max: 16, maxInclusive: false, text: '不满十六周岁' });
    expect(statedAges('6周岁以上不满18周岁的未成年人')).toMatchObject({ min: 6, max: 18, maxInclusive: false });
    expect(statedAges('离家出走的未成年人')).toBeUndefined();
    expect(ageLimitOf('有《中华人民共和国预防未成年人犯罪法》规定的不良行为的青少年')).toBeUndefined();
    expect(ageLimitOf('6至25周岁的青少年')).toBe(26);
  });
});

describe('frequencies', () => {
  it('reads every period, the count and the day', () => {
    const f = (s: string) => frequenciesIn(s).map(({ period, times, day, what }) => ({ period, times, day, what }));
    expect(f('社区儿童主任每半月与留守儿童联系一次')).toEqual([{ period: 'half-month', times: 1, day: undefined, what: 'contact' }]);
    expect(f('每学期召开两次家长会议')).toEqual([{ period: 'semester', times: 2, day: undefined, what: 'other' }]);
    expect(f('每年至少开展两次巡查')[0]).toMatchObject({ period: 'year', times: 2 });
    expect(f('每周六固定开放活动室')[0]).toMatchObject({ period: 'week' });
    expect(f('每月25日前将本月排查情况报送街道团工委')[0]).toMatchObject({ period: 'month', day: 25, what: 'report' });
    expect(f('于每季度最后一个月的20日前，将本季度工作开展情况报送县团委')[0]).toMatchObject({ period: 'quarter', day: 20, what: 'report' });
    expect(f('镇团委每月调度一次风险隐患排查情况，每季度调度一次工作进展情况').map((x) => x.what)).toEqual(['risk-screening', 'progress']);
    expect(f('每月见面或电话联系不少于2次')[0]).toMatchObject({ times: 2, what: 'contact' });
    expect(reportTarget('每月20日前将本月排查情况报镇综治中心;')).toBe('镇综治中心');
  });
});

describe('plan-relative unit names', () => {
  const aliases = defaultAliases();
  it('maps a short form onto the one plan unit it ends, and never a 镇 alias into a 街道', () => {
    const u = new PlanUnits(aliases);
    for (const n of ['桥头派出所', '镇司法所', '中小学校', '派出所', '司法所', '各中小学校']) u.declare(n);
    expect(u.lookup('派出所')).toEqual(['桥头派出所']);
    expect(u.lookup('司法所')).toEqual(['镇司法所']);
    expect(u.lookup('各中小学校')).toEqual(['中小学校']);
    const terms = planUnitTerms({ units: ['街道司法所', '街道妇联', '城南派出所', '辖区中小学校'] }, aliases);
    const lookup = (t: string) => terms.filter((x) => x.text === t).flatMap((x) => x.units);
    expect(lookup('妇联')).toEqual(['街道妇联']);
    expect(lookup('派出所')).toEqual(['城南派出所']);
    expect(lookup('镇司法所')).toEqual([]);
    expect(lookup('学校')).toEqual([]);
    expect(terms.flatMap((t) => t.units).some((x) => x.startsWith('镇') || x.startsWith('墩集'))).toBe(false);
  });
});

describe('a plan whose categories are its top-level sections', () => {
  const text = [
    '《青石镇关爱重点青少年工作方案》',
    '一、闲散青少年',
    '闲散青少年是指16至25周岁不在学、无职业的青少年。',
    '牵头单位为镇社保所',
    '配合单位：镇团委、镇派出所',
    '1.建立台账，每两个月更新。（牵头单位：镇社保所；责任单位：镇团委）',
    '2.镇团委每月至少走访一次。',
    '二、农村留守儿童',
    '农村留守儿童是指不满16周岁的留守未成年人。',
    '镇民政所牵头，镇妇联配合。',
    '1.镇妇联每周电话联系一次留守儿童。',
    '三、工作要求',
    '（一）全镇工作由镇团委牵头。',
  ].join('\n');
  it('reads them, their ages, 「牵头单位为」, a two-label bracket and prose units', async () => {
    const { parsePlan } = await import('../../../src/domain/plan/parse.js');
    const m = parsePlan(text);
    expect(m.categories.map((c) => [c.code, c.name, c.leadUnits, c.responsibleUnits])).toEqual([
      ['01', '闲散青少年', ['镇社保所'], ['镇团委', '镇派出所']],
      ['05', '农村留守儿童', ['镇民政所'], ['镇妇联']],
    ]);
    expect(m.categories[0]!.tasks.map((t) => t.units)).toEqual([['镇社保所', '镇团委'], ['镇团委']]);
    expect(m.categories[0]!.ages).toMatchObject({ min: 16, max: 25 });
    expect(m.categories[1]!.contact).toMatchObject({ period: 'week', clause: '二第1条' });
    expect(m.overallLead.unit).toBe('镇团委');
    expect(m.problems.filter((p) => p.severity !== 'notice')).toEqual([]);
  });
});
