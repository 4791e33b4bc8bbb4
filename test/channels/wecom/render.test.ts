import { describe, expect, it } from 'vitest';
import { answeredCard, choiceCard, newTaskId, renderReply } from '../../../src/channels/wecom/render.js';
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
    expect(r.info).toEqual({ title: '请选择类别：', choices });
  });

  it('button labels are clipped to WeCom’s 10 characters; the click still returns the value', () => {
    const card = choiceCard({ text: 't', choices: [{ label: '一二三四五六七八九十十一', value: 'v' }] }, 't')!.card;
    expect(card.button_list![0]).toEqual({ text: '一二三四五六七八九…', style: 1, key: 'v' });
  });

  it('more than 6 choices, duplicate or oversized values: no card, the list still works', () => {
    const seven = Array.from({ length: 7 }, (_, i) => ({ label: `选项${i}`, value: `${i}` }));
    const r = renderReply({ text: '选', choices: seven });
    expect(r.card).toBeUndefined();
    expect(r.markdown[0]).toContain('7. 选项6');
    expect(choiceCard({ text: 't', choices: [{ label: 'a', value: 'x' }, { label: 'b', value: 'x' }] }, 't')).toBeUndefined();
    expect(choiceCard({ text: 't', choices: [{ label: 'a', value: 'x'.repeat(1025) }] }, 't')).toBeUndefined();
    expect(choiceCard({ text: 't', choices: Array.from({ length: 6 }, (_, i) => ({ label: `${i}`, value: `${i}` })) }, 't')).toBeDefined();
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
    expect(answeredCard('t1', { title: '类别', choices }, '02')).toEqual({
      card_type: 'text_notice',
      main_title: { title: '类别' },
      sub_title_text: '已选择：流浪乞讨未成年人',
      card_action: { type: 0 },
      task_id: 't1',
    });
    expect(answeredCard('t1', undefined, '02').sub_title_text).toBe('已选择：02');
  });
});
