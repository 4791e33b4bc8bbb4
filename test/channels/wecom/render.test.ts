import { describe, expect, it } from 'vitest';
import { answeredCard, choiceCard, expiredCard, newTaskId, pickedValues, renderReply, welcomeCard } from '../../../src/channels/wecom/render.js';
import { replyMarkdown } from '../../../src/channels/shared/choice-list.js';
import { utf8Bytes } from '../../../src/channels/wecom/split.js';

const choices = [
  { label: '闲散未成年人', value: '01' },
  { label: '流浪乞讨未成年人', value: '02' },
];

describe('renderReply', () => {
  it('plain text is one markdown piece and no card', () => {
    expect(renderReply({ text: '依据：三（三）' })).toEqual({ markdown: ['依据：三（三）'] });
  });

  it('typed markdown is shown as typed, not obeyed, and masked values keep their asterisks', () => {
    const typed = '原因：[点这里](http://x.example) <font color="warning">紧急</font> <@all> **加粗** `code`';
    const md = renderReply({ text: typed }).markdown[0]!;
    expect(md).not.toMatch(/[[\]<>*`]/);
    expect(md).toContain('［点这里］(http://x.example)');
    expect(md).toContain('＜@all＞');
    expect(renderReply({ text: '王*明 138****1234' }).markdown[0]).toBe('王＊明 138＊＊＊＊1234');
    // The bot's own headings and tables stay markdown.
    expect(renderReply({ text: '## 标题\n| a | b |\n| --- | ---: |' }).markdown[0]).toBe('## 标题\n| a | b |\n| --- | ---: |');
  });

  it('choices are listed by number so typing works, and offered as a button card', () => {
    const r = renderReply({ text: '请选择类别：', choices }, () => 'task_x');
    expect(r.markdown).toEqual(['请选择类别：\n1. 闲散未成年人\n2. 流浪乞讨未成年人']);
    expect(r.card).toEqual({
      card_type: 'button_interaction',
      main_title: { title: '请选择类别：', desc: '点按钮，或直接回复序号' },
      button_list: [
        { text: '闲散未成年人', style: 1, key: '01' },
        { text: '流浪乞讨未成年人', style: 1, key: '02' },
      ],
      task_id: 'task_x',
    });
    expect(r.info).toEqual({ type: 'button_interaction', title: '请选择类别：', choices, multi: false });
  });

  it('button labels are clipped to WeCom’s 10 characters; the click still returns the value', () => {
    const card = choiceCard({ text: 't', choices: [{ label: '一二三四五六七八九十十一', value: 'v' }] }, 't')!.card;
    expect(card.button_list![0]).toEqual({ text: '一二三四五六七八九…', style: 1, key: 'v' });
  });

  it('7 to 20 choices become a single-select vote card; more than 20, or duplicate values, no card; the list still works', () => {
    const seven = Array.from({ length: 7 }, (_, i) => ({ label: `选项${i}`, value: `${i}` }));
    const r = renderReply({ text: '学生状态？', choices: seven }, () => 'tv');
    expect(r.card).toMatchObject({
      card_type: 'vote_interaction',
      main_title: { title: '学生状态？' },
      checkbox: { question_key: 'q', mode: 0 },
      submit_button: { text: '提交', key: 'submit' },
      task_id: 'tv',
    });
    expect(r.card!.checkbox!.option_list).toHaveLength(7);
    expect(r.markdown[0]).toContain('7. 选项6');
    const many = Array.from({ length: 21 }, (_, i) => ({ label: `选项${i}`, value: `${i}` }));
    expect(renderReply({ text: '选', choices: many }).card).toBeUndefined();
    expect(choiceCard({ text: 't', choices: [{ label: 'a', value: 'x' }, { label: 'b', value: 'x' }] }, 't')).toBeUndefined();
    // A value too long for a button key still works on a vote card, whose ids are our own.
    expect(choiceCard({ text: 't', choices: [{ label: 'a', value: 'x'.repeat(1025) }] }, 't')!.card.card_type).toBe('vote_interaction');
  });

  it('a multi-select step gets a multiple-choice vote card; the submit maps option ids back to values', () => {
    const opts = [
      { label: '逃学', value: '逃学' },
      { label: '夜不归宿', value: '夜不归宿' },
      { label: '打架', value: '打架' },
    ];
    const built = choiceCard({ text: '有哪些不良行为？\n可多选，用顿号或空格隔开，如「1、3」。', choices: opts }, 't')!;
    expect(built.card.card_type).toBe('vote_interaction');
    expect(built.card.checkbox!.mode).toBe(1);
    expect(built.card.main_title!.title).toBe('有哪些不良行为？');
    expect(pickedValues(built.info, 'submit', ['o1', 'o3'])).toEqual(['逃学', '打架']);
    expect(pickedValues(built.info, 'submit', ['o9'])).toEqual([]);
    // The reply may say so itself.
    expect(choiceCard({ text: '类别？', choices: opts, card: { multi: true } }, 't')!.info.multi).toBe(true);
  });

  it('yes/no questions and the summary get buttons that send the words a user would type', () => {
    const yn = choiceCard({ text: '确定放弃这份登记吗？已填的内容会被删除。请回复「是」或「否」。' }, 't')!.card;
    expect(yn.button_list!.map((b) => b.key)).toEqual(['是', '否']);
    expect(yn.main_title!.title).toBe('确定放弃这份登记吗？');
    const sum = choiceCard({ text: '请核对：\n姓名：王**\n无误请回复「确认」保存；要改某项请回复「修改 字段名」，如「修改 姓名」；放弃请回复「取消」。' }, 't')!.card;
    expect(sum.button_list!.map((b) => b.key)).toEqual(['确认', '修改', '取消']);
    expect(renderReply({ text: '已保存。' }).card).toBeUndefined();
  });

  it('the card title is the question, not the reply’s first line', () => {
    const card = choiceCard({ text: '开始新增个案登记（回复「取消」可随时放弃）。\n属于哪一类重点青少年？', choices }, 't')!.card;
    expect(card.main_title!.title).toBe('属于哪一类重点青少年？');
    expect(choiceCard({ text: '开始登记\n类别？', choices, card: { title: '类别' } }, 't')!.card.main_title!.title).toBe('类别');
  });

  it('the welcome is a short card with quick actions', () => {
    const { card } = welcomeCard({ text: '您好，我是墩集镇护苗助手。\n我可以回答实施方案的问题。\n' + '很长的帮助'.repeat(300) }, 'tw');
    expect(card).toMatchObject({ card_type: 'button_interaction', main_title: { title: '您好，我是墩集镇护苗助手。' }, sub_title_text: '我可以回答实施方案的问题。' });
    expect(card.button_list!.map((b) => b.text)).toEqual(['登记新个案', '我的个案', '问方案']);
    expect(JSON.stringify(card).length).toBeLessThan(1000);
  });

  it('a welcome with a registration in progress quotes its question and offers 继续登记 first; no markdown beside it', () => {
    const reply = {
      text: '您有一份未完成的个案登记，接着填写：\n孩子的姓名？',
      choices,
      welcome: {
        greeting: '您好，我是墩集镇护苗助手。',
        pending: '孩子的姓名？',
        actions: [{ label: '继续登记', value: '继续' }, { label: '登记新个案', value: '新增个案' }, { label: '我的个案', value: '我的个案' }, { label: '问方案', value: '帮助' }],
      },
    };
    const r = renderReply(reply, () => 'tw2');
    expect(r.markdown).toEqual([]);
    expect(r.card).toMatchObject({ main_title: { title: '您好，我是墩集镇护苗助手。' }, quote_area: { quote_text: '孩子的姓名？' } });
    expect(r.card!.button_list!.map((b) => b.key)).toEqual(['继续', '新增个案', '我的个案', '帮助']);
    // The question's own choices are not turned into never-expiring buttons.
    expect(r.info).toMatchObject({ standing: true });
    expect(r.info!.choices.map((c) => c.value)).not.toContain(choices[0]!.value);
  });

  it('long text is split at the byte limit', () => {
    const text = Array.from({ length: 100 }, (_, i) => `${i}：${'护'.repeat(80)}`).join('\n');
    const r = renderReply({ text }, newTaskId, 4096);
    expect(r.markdown.length).toBeGreaterThan(1);
    for (const m of r.markdown) expect(utf8Bytes(m)).toBeLessThanOrEqual(4096);
    expect(r.markdown.join('\n')).toBe(replyMarkdown({ text }));
  });

  it('card title is the first line without markdown, clipped to 26 characters', () => {
    const card = choiceCard({ text: '\n**第2步**：请选择' + '很长'.repeat(20) + '\n下一行', choices }, 't')!.card;
    expect(card.main_title!.title).toMatch(/^第2步：请选择很长/);
    expect([...card.main_title!.title!].length).toBe(26);
  });
});

describe('task ids and answered cards', () => {
  it('task ids use only the allowed characters and do not repeat', () => {
    const ids = new Set(Array.from({ length: 200 }, newTaskId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z_\-@]{1,128}$/);
  });

  it('a clicked card names the chosen label; without the card info it names the value', () => {
    expect(answeredCard('t1', { type: 'button_interaction', title: '类别', choices, multi: false }, ['02'])).toEqual({
      card_type: 'text_notice',
      main_title: { title: '类别' },
      sub_title_text: '已选择：流浪乞讨未成年人',
      card_action: { type: 0 },
      task_id: 't1',
    });
    expect(answeredCard('t1', undefined, ['02']).sub_title_text).toBe('已选择：02');
    expect(expiredCard('t1', undefined).sub_title_text).toMatch(/已过期/);
  });
});

describe('case buttons on a private reminder', () => {
  it('up to three cases get 记录 and 查看 each; more a pick-list; a group push none', () => {
    const one = renderReply({ text: '【逾期提醒】DJ-2026-0001 王**（前刘村）最近联系：无' }, () => 't', undefined, { privateChat: true }).card!;
    expect(one.button_list!.map((b) => [b.text, b.key])).toEqual([
      ['记录26-0001', '走访 DJ-2026-0001'],
      ['查看26-0001', '查看 DJ-2026-0001'],
    ]);
    const many = Array.from({ length: 8 }, (_, i) => `DJ-2026-${String(i + 1).padStart(4, '0')}`).join('\n');
    const list = renderReply({ text: many }, () => 't2', undefined, { privateChat: true }).card!;
    expect(list.card_type).toBe('vote_interaction');
    expect(list.checkbox!.option_list).toHaveLength(8);
    expect(renderReply({ text: many }).card).toBeUndefined();
  });
});
