import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../../src/domain/qa/answer.js';
import { NO_RULE } from '../../../src/domain/qa/compose.js';
import { loadExample } from '../../helpers/example-plans.js';

/**
 * The kinds of question another town's plan raises, asked in words its expect file does not use:
 * a period the bundled plan never sets, an intent word that is also a task's wording, a time
 * limit, a report day, a lead asked alone, a word the plan never uses, the plan's own title.
 */

const jiedao = loadExample('jiedao-plan').plan;
const county = loadExample('county-plan').plan;
const ask = (plan: typeof county, q: string) => answerQuestion(plan, q).text;

describe('answers from a plan laid out unlike the bundled one', () => {
  it('answers a 每学期 / 每年 question from the rule of that period the plan sets, chosen by the question’s words', () => {
    const t = ask(jiedao, '法治副校长每学期到校几次');
    expect(t).toContain('每学期至少到校开展一次法治教育活动');
    expect(t).toContain('城南派出所');
    expect(t).not.toContain('家长');
    expect(ask(jiedao, '街面巡查救助每年几次')).toContain('每年至少开展两次');
  });

  it('still refuses a period the plan never sets', () => {
    expect(ask(jiedao, '留守儿童每天联系几次')).toContain(NO_RULE);
  });

  it('reads an intent word as the task’s own wording when the task uses it', () => {
    const helps = ask(county, '谁协助提供相关信息');
    expect(helps).toContain('三（四）第2条');
    expect(helps).toContain('县法院、县司法局协助提供相关信息');
    const checks = ask(county, '事实无人抚养儿童由哪个部门认定审核');
    expect(checks).toContain('承担单位：县民政局');
    expect(checks).not.toMatch(/^事实无人抚养儿童是指/);
  });

  it('answers 「多久之内」 with the task that sets the time limit', () => {
    const t = ask(county, '新入监人员的未成年子女多久以内通报到乡镇');
    expect(t).toContain('一个月内');
    expect(t).toContain('县司法局');
  });

  it('answers a report-day question with the report rule, not the dispatch', () => {
    const t = ask(county, '每季度最后一个月几号前报送工作开展情况');
    expect(t).toContain('20日前');
    expect(t).not.toContain('调度一次');
  });

  it('names only the lead when only the lead is asked, and the responsible units when asked too', () => {
    const lead = ask(county, '闲散青少年的牵头部门');
    expect(lead).toContain('县人社局');
    expect(lead).not.toContain('县教育局');
    const both = ask(county, '流浪乞讨未成年人谁牵头，哪些单位配合');
    expect(both).toContain('县民政局');
    expect(both).toContain('县卫健委');
  });

  it('answers the responsible units of a named category even when a task elsewhere shares a word', () => {
    const t = ask(county, '困境儿童的责任部门是哪些');
    expect(t).toContain('县卫健委');
    expect(t).not.toContain('控辍保学');
  });

  it('does not read 「分类」 inside words the plan never uses as a question about its target groups', () => {
    expect(ask(jiedao, '道路修建分类由谁牵头')).toContain(NO_RULE);
    expect(ask(jiedao, '工作对象怎么分类')).toContain('共5类');
  });

  it('names the plan’s own title when asked which plan this is', () => {
    expect(ask(jiedao, '这是什么文件')).toContain('《城南街道重点青少年群体服务管理和犯罪预防工作实施方案》');
  });
});
