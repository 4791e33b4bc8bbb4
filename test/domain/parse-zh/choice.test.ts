import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchChoices, type ChoiceOption } from '../../../src/domain/parse-zh/choice.js';

const categories: ChoiceOption[] = [
  { value: '01', label: '闲散青少年', aliases: ['闲散'] },
  { value: '02', label: '有不良行为或严重不良行为青少年', aliases: ['不良行为', '不良'] },
  { value: '03', label: '流浪乞讨未成年人', aliases: ['流浪', '乞讨'] },
  { value: '04', label: '服刑人员未成年子女', aliases: ['服刑子女', '服刑'] },
  { value: '05', label: '农村留守儿童', aliases: ['留守', '留守儿童'] },
];
const villages: ChoiceOption[] = ['墩集村', '霸王村', '王庄村', '李庄村'].map((v) => ({ value: v, label: v }));

describe('matchChoices', () => {
  it('takes a number, a label, an alias or pinyin initials', () => {
    expect(matchChoices('5', categories)).toEqual({ ok: true, values: ['05'] });
    expect(matchChoices('第五项', categories)).toEqual({ ok: true, values: ['05'] });
    expect(matchChoices('农村留守儿童', categories)).toEqual({ ok: true, values: ['05'] });
    expect(matchChoices('留守', categories)).toEqual({ ok: true, values: ['05'] });
    expect(matchChoices('lset', categories)).toEqual({ ok: true, values: ['05'] });
    expect(matchChoices('wzc', villages)).toEqual({ ok: true, values: ['王庄村'] });
    expect(matchChoices('wangzhuang', villages)).toEqual({ ok: false, reason: 'unknown', token: 'wangzhuang' });
    expect(matchChoices('wangzhuangcun', villages)).toEqual({ ok: true, values: ['王庄村'] });
  });

  it('matches partial names and homophone typos when only one option fits', () => {
    expect(matchChoices('王庄', villages)).toEqual({ ok: true, values: ['王庄村'] });
    expect(matchChoices('留手儿童', categories)).toEqual({ ok: true, values: ['05'] });
  });

  it('reports ambiguity with the candidates', () => {
    const r = matchChoices('庄', villages);
    expect(r).toMatchObject({ ok: false, reason: 'ambiguous' });
    expect(r.ok === false && r.candidates).toEqual(['王庄村', '李庄村']);
  });

  it('takes several answers at once when allowed', () => {
    for (const s of ['1、5', '1,5', '1 5', '1，5', '闲散 留守', '1和5']) {
      expect(matchChoices(s, categories, { multiple: true })).toEqual({ ok: true, values: ['01', '05'] });
    }
    expect(matchChoices('1、5', categories)).toEqual({ ok: false, reason: 'single-only' });
  });

  it('does not pick an option from one character or a negated word', () => {
    const risk: ChoiceOption[] = ['低', '中', '高'].map((v) => ({ value: v, label: v }));
    expect(matchChoices('不高', risk)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(matchChoices('李', [{ value: 'lisi', label: '李四（镇团委）', aliases: ['李四'] }])).toMatchObject({ ok: false });
    expect(matchChoices('高', risk)).toEqual({ ok: true, values: ['高'] });
  });

  it('names the part it did not understand', () => {
    expect(matchChoices('1、9', categories, { multiple: true })).toEqual({ ok: false, reason: 'unknown', token: '9' });
    expect(matchChoices('', categories)).toEqual({ ok: false, reason: 'empty' });
  });

  it('splits off a detail after the choice', () => {
    const school: ChoiceOption[] = ['小学', '初中', '高中'].map((v) => ({ value: v, label: v }));
    expect(matchChoices('小学，墩集中心校三年级', school, { allowDetail: true })).toEqual({ ok: true, values: ['小学'], detail: '墩集中心校三年级' });
    expect(matchChoices('初中二年级', school, { allowDetail: true })).toEqual({ ok: true, values: ['初中'], detail: '二年级' });
  });

  it('never throws and only returns listed values', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.boolean(), (s, multiple) => {
      const r = matchChoices(s, categories, { multiple });
      return !r.ok || r.values.every((v) => categories.some((c) => c.value === v));
    }));
  });
});
