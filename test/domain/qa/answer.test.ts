import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { QaEngine, answerQuestion, qaEngineFor } from '../../../src/domain/qa/answer.js';
import { QA_CAPABILITIES } from '../../../src/domain/qa/capabilities.js';

const plan = loadPlanFile(new URL('../../../plans/dunji-2023.txt', import.meta.url).pathname);
const ask = (q: string) => answerQuestion(plan, q);
const UNITS = plan.units;

describe('answerQuestion', () => {
  it('answers the acceptance question with the lead unit and its clause', () => {
    const a = ask('流浪乞讨未成年人由哪个单位牵头？');
    expect(a.matched).toBe(true);
    expect(a.intent).toBe('category-lead');
    expect(a.text).toContain('镇民政所');
    expect(a.text).toContain('依据：三（三）');
  });

  it('reads homophone typos and colloquial names', () => {
    expect(ask('留手儿童谁千头').text).toMatch(/牵头单位：镇民政所[\s\S]*依据：三（五）/);
    expect(ask('民症所负责哪些').text).toContain('镇民政所的职责');
    expect(ask('父母坐牢的娃归谁管').text).toContain('镇司法所');
  });

  it('lists a unit’s tasks across categories with task numbers', () => {
    const a = ask('残联要做什么');
    expect(a.intent).toBe('unit-duties');
    expect(a.text).toContain('三（三）第1条');
    expect(a.text).toContain('三（三）第3条');
    expect(a.text).not.toContain('三（三）第2条');
  });

  it('finds who carries a task from its words alone', () => {
    const a = ask('回归安置谁负责');
    expect(a.intent).toBe('task');
    expect(a.text).toContain('镇派出所、镇民政所');
    expect(a.text).toContain('依据：三（三）第2条');
  });

  it('says plainly when a unit has no task in a category, and who does', () => {
    const a = ask('城建所在留守儿童工作里有任务吗');
    expect(a.intent).toBe('unit-in-category');
    expect(a.text).toMatch(/镇城建所在农村留守儿童工作中没有具体任务/);
    expect(a.text).toContain('牵头单位：镇民政所');
  });

  it('answers a yes/no lead question with the actual lead', () => {
    const a = ask('派出所是不是流浪乞讨的牵头单位');
    expect(a.text).toMatch(/^不是。流浪乞讨未成年人的牵头单位是镇民政所/);
    expect(ask('民政所是流浪乞讨的牵头单位吗').text).toMatch(/^是，镇民政所是流浪乞讨未成年人的牵头单位/);
  });

  it('gives definitions, included groups and age limits', () => {
    expect(ask('什么是闲散青少年').text).toContain('不在学、无职业');
    expect(ask('留守儿童多大年龄以内').text).toContain('未满16周岁');
    expect(ask('闲散青少年有年龄限制吗').text).toContain('没有规定闲散青少年的年龄界限');
  });

  it('recognises a category from its definition’s wording', () => {
    const a = ask('行政拘留的青少年归谁管');
    expect(a.text).toContain('镇派出所');
    expect(a.text).toContain('三（一）');
  });

  it('answers the three frequencies', () => {
    expect(ask('闲散青少年多久联系一次').text).toMatch(/每个月至少接触一次[\s\S]*依据：三（二）第4条/);
    expect(ask('风险隐患排查多久调度一次').text).toMatch(/镇团委每月调度一次风险隐患排查情况[\s\S]*依据：四（三）/);
    expect(ask('工作进展多久调度一次').text).toMatch(/镇团委每季度调度一次工作进展情况/);
  });

  it('says when the plan sets no frequency for a category', () => {
    const a = ask('留守儿童多久走访一次');
    expect(a.matched).toBe(false);
    expect(a.text).toContain('实施方案中没有相关规定');
    expect(a.text).toContain('每月至少接触一次');
  });

  it('answers the overall lead, targets, goals and requirements with clauses', () => {
    expect(ask('总牵头单位是哪个').text).toMatch(/镇团委[\s\S]*依据：三$/);
    expect(ask('工作对象是哪些人').text).toMatch(/依据：一$/);
    expect(ask('工作目标').text).toMatch(/依据：二$/);
    expect(ask('督导检查怎么搞').text).toMatch(/突击检查[\s\S]*依据：四（三）$/);
  });

  it('never names a unit for what the plan does not say', () => {
    for (const q of ['补贴标准是多少钱', '今天天气怎么样', '村里修路归谁管', '禁毒宣传谁负责', '留守儿童家长的电话', '考核办法是什么']) {
      const a = ask(q);
      expect(a.matched, q).toBe(false);
      expect(a.text, q).toContain('实施方案中没有相关规定');
      for (const u of UNITS) expect(a.text, `${q} → ${u}`).not.toContain(u);
    }
  });

  it('greets and lists what it can answer', () => {
    const a = ask('你好');
    expect(a.intent).toBe('greeting');
    expect(a.text).toContain('流浪乞讨未成年人由哪个单位牵头');
  });

  it('answers empty input without guessing', () => {
    expect(ask('  ？？ ').matched).toBe(false);
  });

  it('cites a clause in every matched answer', () => {
    for (const q of ['民政所', '留守儿童', '学校要做些啥', '职业技能培训归哪个单位', '服刑人员子女的任务', '团委每月要调度什么']) {
      const a = ask(q);
      expect(a.matched, q).toBe(true);
      expect(a.text, q).toMatch(/依据：[一二三四]/);
    }
  });

  it('answers every example the help menu offers', () => {
    for (const { example } of QA_CAPABILITIES) {
      const a = ask(example);
      expect(a.matched, example).toBe(true);
      expect(a.text, example).toContain('依据：');
    }
  });

  it('tolerates full-width, half-width and stray spaces alike', () => {
    const base = ask('流浪乞讨未成年人由哪个单位牵头？').text;
    expect(ask(' 流浪乞讨 未成年人由哪个单位牵头?').text).toBe(base);
    expect(ask('流浪乞讨未成年人由哪个单位牵头').text).toBe(base);
  });

  it('reuses one engine per plan', () => {
    expect(qaEngineFor(plan)).toBe(qaEngineFor(plan));
  });

  it('answers from whatever plan it is given, not from Dunji facts', () => {
    const other = parsePlan(
      [
        '《某镇方案》',
        '一、工作对象',
        '农村留守儿童。',
        '二、工作目标',
        '保护。',
        '三、工作内容及责任分工',
        '工作由镇妇联牵头。',
        '（一）加强农村留守儿童关爱',
        '农村留守儿童是指父母外出务工的未满16周岁的未成年人。',
        '牵头单位：镇妇联',
        '责任单位：镇团委',
        '工作内容：',
        '1.开展亲情陪伴活动。（镇妇联、镇团委）',
        '四、工作要求',
        '（一）加强领导。',
      ].join('\n'),
    );
    const e = new QaEngine(other);
    expect(e.answer('留守儿童谁牵头').text).toMatch(/牵头单位：镇妇联/);
    expect(e.answer('亲情陪伴谁负责').text).toContain('三（一）第1条');
    expect(e.answer('流浪乞讨未成年人谁牵头').text).toContain('实施方案中没有相关规定');
  });
});
