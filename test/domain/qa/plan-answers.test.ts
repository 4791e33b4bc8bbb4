import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledPlanPath } from '../../../src/config/load.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { attachPlanText, QaEngine } from '../../../src/domain/qa/answer.js';
import { NO_RULE } from '../../../src/domain/qa/compose.js';
import { parsePlanHeader } from '../../../src/domain/qa/plan-header.js';

const text = readFileSync(bundledPlanPath, 'utf8');
const plan = parsePlan(text);
attachPlanText(plan, text);
const engine = new QaEngine(plan);
const ask = (q: string) => engine.answer(q);

describe('task lists', () => {
  it('the bot’s own suggested follow-up lists that category’s tasks, for every category', () => {
    for (const c of plan.categories) {
      const overview = ask(c.name).text;
      const suggested = /可问「(.+?)」/.exec(overview)?.[1];
      expect(suggested, c.name).toBeDefined();
      const a = ask(suggested!);
      expect(a.intent, suggested).toBe('category-tasks');
      for (const t of c.tasks) expect(a.text, `${suggested} → ${t.clause}`).toContain(t.clause);
    }
  });

  it('a task by its number, whole', () => {
    const a = ask('留守儿童工作第三条是什么');
    expect(a.text).toContain(plan.categories.find((c) => c.code === '05')!.tasks[2]!.text);
  });
});

describe('answers quote the plan whole', () => {
  it('卫生院’s 流浪 duty keeps 救助和医疗救治', () => {
    expect(ask('卫生院在流浪乞讨里干什么').text).toContain('及时给予救助和医疗救治');
  });

  it('never cuts a clause with an ellipsis', () => {
    const qs = ['墩集中学要干什么', '民政所要干什么', '团委要做什么', '流浪乞讨未成年人有哪些任务', '闲散青少年要做哪些工作', '镇直各单位要做什么'];
    for (const q of qs) expect(ask(q).text, q).not.toContain('…');
  });

  it('a long list shows each clause’s first whole sentence and says how to see the rest', () => {
    const a = ask('墩集中学要干什么');
    expect(a.text).toContain('条款号可看全文');
    for (const line of a.text.split('\n').filter((l) => l.startsWith('· 三'))) expect(line).toMatch(/。$/);
  });
});

describe('framing questions', () => {
  it('the 牵头/责任 principle and the overall lead', () => {
    for (const q of ['牵头单位和责任单位有什么区别', '谁负总责']) {
      const a = ask(q).text;
      expect(a, q).toContain('牵头单位负总责、责任单位分工负责');
      expect(a, q).toContain('镇团委');
    }
  });

  it('what the villages and the town units must do', () => {
    expect(ask('各村要做什么').text).toContain('摆上重要位置');
    expect(ask('镇直各单位要做什么').text).toContain('特色做法');
    expect(ask('村里修路归谁管').text).toContain(NO_RULE);
  });

  it('issue date and issuers from the notice, and 「没有相关规定」 without the plan text', () => {
    expect(ask('这个方案是什么时候印发的').text).toContain('2023年1月31日');
    expect(ask('发文单位是哪两个').text).toContain('中共墩集镇委员会、墩集镇人民政府');
    const bare = new QaEngine(parsePlan(text));
    expect(bare.answer('这个方案是什么时候印发的').text).toContain(NO_RULE);
  });

  it('reads a header laid out differently', () => {
    const h = parsePlanHeader('关于印发《柳河街道未成年人保护工作方案》的通知\n各社区：\n经街道党工委会议研究决定，现印发给你们，请认真贯彻落实。\n柳河街道党工委\n柳河街道办事处\n2024年3月5日\n为做好未成年人保护，特制定本方案。\n一、工作对象\n');
    expect(h.fullTitle).toBe('柳河街道未成年人保护工作方案');
    expect(h.recipients).toBe('各社区');
    expect(h.decidedBy).toBe('街道党工委会议');
    expect(h.issuers).toEqual(['柳河街道党工委', '柳河街道办事处']);
    expect(h.date).toBe('2024年3月5日');
  });
});

describe('rule words and silence', () => {
  it('「标准」 about an age limit is answered, about money refused', () => {
    const a = ask('留守儿童的年龄标准是什么');
    expect(a.text).toContain('未满16周岁');
    expect(a.text).not.toContain(NO_RULE);
    expect(ask('职业培训补贴的标准是多少').text).toContain(NO_RULE);
  });

  it('a money word is answered only where a clause uses it', () => {
    expect(ask('闲散青少年有没有补贴').text).toContain('职业培训补贴');
    const a = ask('帮教志愿者有没有补贴').text;
    expect(a).toContain(NO_RULE);
    expect(a).toContain('三（二）第2条');
  });

  it('what the plan does not answer gets 「没有相关规定」 and what can be asked, never a unit', () => {
    for (const q of ['刑事责任年龄是几岁', '工作不落实的单位要扣多少分', '闲散青少年的年龄范围是多少岁到多少岁', '学校每学期要家访几次', '留守儿童之家建在哪里']) {
      const a = ask(q).text;
      expect(a, q).toContain(NO_RULE);
      expect(a, q).toContain('我可以根据实施方案回答');
      for (const u of plan.units) expect(a, `${q} → ${u}`).not.toContain(`牵头单位：${u}`);
    }
  });
});
