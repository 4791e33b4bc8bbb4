import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAliases } from '../../../src/domain/plan/aliases.js';
import { PlanFileError, loadPlanFile } from '../../../src/domain/plan/load.js';
import { ageLimitOf, chineseNumeral, includesOf, parsePlan } from '../../../src/domain/plan/parse.js';
import { renderPlan, renderProblems } from '../../../src/domain/plan/render.js';

const PLAN_PATH = new URL('../../../plans/dunji-2023.txt', import.meta.url);
const text = readFileSync(PLAN_PATH, 'utf8');
const lines = text.split('\n');
const plan = parsePlan(text);
const byCode = (code: string) => plan.categories.find((c) => c.code === code)!;

/** 1-based number of the first line that contains `needle`. */
function lineOf(needle: string, from = 0): number {
  const i = lines.findIndex((l, k) => k >= from && l.includes(needle));
  if (i < 0) throw new Error(`not in plan: ${needle}`);
  return i + 1;
}

describe('parsePlan on the bundled Dunji plan', () => {
  it('parses with no problems', () => {
    expect(plan.problems).toEqual([]);
  });

  it('reads the title, overall lead, targets and goals', () => {
    expect(plan.title).toBe('墩集镇重点青少年群体服务管理和犯罪预防工作实施方案');
    expect(plan.overallLead.unit).toBe('镇团委');
    expect(plan.overallLead.clause).toBe('三');
    expect(plan.targets.clause).toBe('一');
    expect(plan.targets.text).toContain('农村留守儿童');
    expect(plan.goals.clause).toBe('二');
    expect(plan.goals.text).toContain('三位一体');
  });

  it('finds the five categories in plan order with their codes', () => {
    expect(plan.categories.map((c) => [c.clause, c.code, c.name])).toEqual([
      ['三（一）', '02', '有不良行为或严重不良行为青少年'],
      ['三（二）', '01', '闲散青少年'],
      ['三（三）', '03', '流浪乞讨未成年人'],
      ['三（四）', '04', '服刑人员未成年子女'],
      ['三（五）', '05', '农村留守儿童'],
    ]);
  });

  it('has the exact lead units per category', () => {
    expect(byCode('02').leadUnits).toEqual(['镇派出所']);
    expect(byCode('01').leadUnits).toEqual(['墩集中学', '墩集中心校', '镇社保所']);
    expect(byCode('03').leadUnits).toEqual(['镇民政所']);
    expect(byCode('04').leadUnits).toEqual(['镇司法所']);
    expect(byCode('05').leadUnits).toEqual(['镇民政所']);
  });

  it('has the responsible units', () => {
    expect(byCode('03').responsibleUnits).toEqual(['镇派出所', '镇城建所', '镇卫生院', '镇残联']);
    expect(byCode('05').responsibleUnits).toContain('镇宣传办');
    expect(byCode('04').responsibleUnits).toHaveLength(9);
  });

  it('has 5/4/3/3/4 numbered tasks with clauses', () => {
    expect(plan.categories.map((c) => c.tasks.length)).toEqual([5, 4, 3, 3, 4]);
    const t = byCode('03').tasks[1]!;
    expect(t.no).toBe(2);
    expect(t.clause).toBe('三（三）第2条');
    expect(t.text).toContain('回归安置');
    expect(t.text).not.toMatch(/（镇派出所/);
    expect(t.line).toBe(lineOf('回归安置'));
  });

  it('reads the units of specific tasks', () => {
    expect(byCode('03').tasks[1]!.units).toEqual(['镇派出所', '镇民政所']);
    expect(byCode('01').tasks[1]!.units).toEqual(['镇社保所']);
    expect(byCode('02').tasks[1]!.units).toEqual(['镇派出所']);
    expect(byCode('05').tasks[2]!.units).toEqual(['墩集中学', '墩集中心校', '镇妇联']);
  });

  it('canonicalises the plan typo 镇生院 to 镇卫生院', () => {
    const first = byCode('03').tasks[0]!;
    expect(lines[first.line - 1]).toContain('镇生院');
    expect(first.units).toEqual(['镇民政所', '镇卫生院', '镇城建所', '镇残联']);
    expect(plan.units).not.toContain('镇生院');
  });

  it('reads definitions, included groups and age limits', () => {
    expect(byCode('01').definition).toBe('闲散青少年是指不在学、无职业的青少年。');
    expect(byCode('01').includes).toEqual(['下岗或失业的青少年', '已完成义务教育、无业在家的青少年', '未完成义务教育、辍学在家的青少年']);
    expect(byCode('02').includes).toHaveLength(3);
    expect(byCode('02').includes[0]).toContain('缓刑');
    expect(byCode('05').maxAgeExclusive).toBe(16);
    expect(byCode('03').maxAgeExclusive).toBe(18);
    expect(byCode('04').maxAgeExclusive).toBe(18);
    expect(byCode('01').maxAgeExclusive).toBeUndefined();
  });

  it('reads the requirements', () => {
    expect(plan.requirements.map((r) => [r.clause, r.title])).toEqual([
      ['四（一）', '提高认识，强化领导'],
      ['四（二）', '因地制宜，突出特色'],
      ['四（三）', '加强督导，确保实效'],
    ]);
  });

  it('reads the three frequencies with who and where', () => {
    const f = plan.frequencies.map(({ what, period, times, by, category, clause }) => ({ what, period, times, by, category, clause }));
    expect(f).toEqual([
      { what: 'contact', period: 'month', times: 1, by: undefined, category: '01', clause: '三（二）第4条' },
      { what: 'risk-screening', period: 'month', times: 1, by: '镇团委', category: undefined, clause: '四（三）' },
      { what: 'progress', period: 'quarter', times: 1, by: '镇团委', category: undefined, clause: '四（三）' },
    ]);
  });

  it('lists the 13 canonical units once each', () => {
    expect(plan.units).toHaveLength(13);
    expect(new Set(plan.units).size).toBe(13);
    expect(plan.units).toEqual(expect.arrayContaining(['镇团委', '镇卫生院', '镇宣传办', '墩集中心校']));
  });

  it('renders every category, task clause and frequency', () => {
    const out = renderPlan(plan);
    for (const c of plan.categories) {
      expect(out).toContain(c.name);
      for (const t of c.tasks) expect(out).toContain(t.clause);
    }
    expect(out).toContain('镇团委每季度调度一次工作进展情况');
    expect(renderProblems([])).toContain('没有发现问题');
  });
});

describe('parsePlan on a damaged copy', () => {
  const leadLine = lineOf('牵头单位：镇司法所'); // 三（四）
  const headingLine = lineOf('（四）加强服刑人员');
  const mangledLine = lineOf('2.积极做好流浪乞讨');
  const unitsLine = lineOf('3.探索建立农村留守儿童');
  const damaged = [...lines];
  damaged[mangledLine - 1] = damaged[mangledLine - 1]!.replace('2.积极', '2积极');
  damaged[unitsLine - 1] = damaged[unitsLine - 1]!.replace('镇妇联）', '镇青联）');
  damaged[leadLine - 1] = '';
  const noUnitsLine = lineOf('1.完善信息统计制度，及时掌握服刑人员');
  damaged[noUnitsLine - 1] = damaged[noUnitsLine - 1]!.replace(/（[^（）]+）$/, '');
  const broken = parsePlan(damaged.join('\n'));
  const at = (line: number) => broken.problems.filter((p) => p.line === line).map((p) => p.message);

  it('names the category whose 牵头单位 line was deleted, at its heading', () => {
    expect(at(headingLine).join()).toMatch(/三（四）缺少「牵头单位：」/);
  });

  it('reports the mangled task line instead of guessing', () => {
    expect(at(mangledLine).join()).toMatch(/无法归入三（三）/);
    expect(broken.categories.find((c) => c.code === '03')!.tasks).toHaveLength(2);
  });

  it('reports a task line without units', () => {
    expect(at(noUnitsLine).join()).toMatch(/三（四）第1条末尾没有用括号注明承担单位/);
  });

  it('keeps an unknown unit as written and reports it', () => {
    expect(at(unitsLine).join()).toMatch(/「镇青联」不在别名表中/);
    expect(broken.categories.find((c) => c.code === '05')!.tasks[2]!.units).toContain('镇青联');
  });

  it('reports nothing else but the numbering gap the mangled line leaves', () => {
    expect(at(mangledLine + 1).join()).toMatch(/应为第2条，这里是第3条/);
    expect(broken.problems.map((p) => p.line).sort((a, b) => a - b)).toEqual(
      [headingLine, noUnitsLine, mangledLine, mangledLine + 1, unitsLine].sort((a, b) => a - b),
    );
    expect(renderProblems(broken.problems)).toContain(`第${mangledLine}行`);
  });

  it('reports a gap in task numbering', () => {
    const gap = [...lines];
    const third = lineOf('3.严厉打击拐卖');
    gap[third - 1] = gap[third - 1]!.replace('3.严厉', '4.严厉');
    const p = parsePlan(gap.join('\n')).problems;
    expect(p).toEqual([expect.objectContaining({ line: third, message: expect.stringMatching(/应为第3条/) })]);
  });

  it('reports missing sections and overall lead of an empty text', () => {
    const p = parsePlan('随便写的一段话。').problems.map((x) => x.message).join('\n');
    expect(p).toMatch(/工作对象/);
    expect(p).toMatch(/工作要求/);
  });
});

describe('another town’s plan', () => {
  const other = [
    '关于印发《某镇青少年工作实施方案》的通知',
    '一、工作对象',
    '全镇闲散青少年、农村留守儿童。',
    '二、工作目标',
    '保护青少年。',
    '三、工作职责',
    '全镇青少年工作由镇综治办牵头。',
    '（一）加强农村留守儿童关爱',
    '农村留守儿童是指父母外出务工、未满十六周岁的未成年人。',
    '牵头单位：民政所',
    '责任单位：镇团委、镇教办',
    '工作内容：',
    '1.建立台账，每个月至少走访一次，',
    '了解生活学习情况。（民政所、镇教办）',
    '四、工作要求',
    '（一）加强领导。各单位每季度调度一次工作进展。',
  ].join('\n');
  const m = parsePlan(other);

  it('reads its structure, joins a wrapped task and accepts new units with a problem each', () => {
    expect(m.title).toBe('某镇青少年工作实施方案');
    expect(m.overallLead.unit).toBe('镇综治办');
    const c = m.categories[0]!;
    expect(c.code).toBe('05');
    expect(c.maxAgeExclusive).toBe(16);
    expect(c.leadUnits).toEqual(['镇民政所']);
    expect(c.tasks[0]!.units).toEqual(['镇民政所', '镇教办']);
    expect(c.tasks[0]!.text).toContain('了解生活学习情况');
    expect(m.frequencies.map((f) => [f.what, f.period, f.clause])).toEqual([
      ['contact', 'month', '三（一）第1条'],
      ['progress', 'quarter', '四（一）'],
    ]);
    expect(m.problems.map((p) => p.message).join('\n')).toMatch(/镇综治办[\s\S]*镇教办/);
    expect(m.problems.every((p) => /不在别名表中/.test(p.message))).toBe(true);
  });
});

describe('helpers', () => {
  it('reads Chinese numerals', () => {
    expect([chineseNumeral('一'), chineseNumeral('十'), chineseNumeral('十二'), chineseNumeral('二十一'), chineseNumeral('16')]).toEqual([1, 10, 12, 21, 16]);
  });
  it('reads age limits and includes lists', () => {
    expect(ageLimitOf('……未满十四周岁的未成年人')).toBe(14);
    expect(ageLimitOf('……的青少年')).toBeUndefined();
    expect(includesOf('X是指Y。包括甲；乙；丙等。')).toEqual(['甲', '乙', '丙']);
  });
});

describe('loadPlanFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a UTF-8 file (with BOM) and parses it', () => {
    const p = join(dir, 'plan.txt');
    writeFileSync(p, `\uFEFF${text}`, 'utf8');
    expect(loadPlanFile(p).categories).toHaveLength(5);
  });

  it('throws PlanFileError for a missing file', () => {
    expect(() => loadPlanFile(join(dir, 'nope.txt'))).toThrow(PlanFileError);
  });

  it('uses a custom alias table when given one', () => {
    const p = join(dir, 'aliases.yaml');
    writeFileSync(p, 'units:\n  - name: 镇卫生院\n    aliases: []\ncategories: []\n', 'utf8');
    const m = parsePlan(text, loadAliases(p));
    expect(m.problems.length).toBeGreaterThan(0);
  });
});
