import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectSigns, reportNotice } from '../../../src/domain/intake/mandatory-report.js';

describe('detectSigns', () => {
  it.each([
    ['孩子身上有伤痕，疑似家暴', 'SUSPECTED_ABUSE'],
    ['有自残行为', 'SELF_HARM'],
    ['一个人在家住', 'UNDER16_ALONE'],
    ['走失两天', 'MISSING'],
    ['被一个成年人带着乞讨', 'BEGGING_WITH_ADULT'],
  ])('%s → %s', (text, sign) => {
    expect(detectSigns({ text })).toContain(sign);
  });

  it('uses the age: living alone at 17 is no sign, unattended under 8 is', () => {
    expect(detectSigns({ text: '独自生活', age: { min: 17, max: 17 } })).toEqual([]);
    expect(detectSigns({ text: '白天无人照看', age: { min: 5, max: 6 } })).toEqual(['UNDER8_UNATTENDED']);
    expect(detectSigns({ text: '白天无人照看', age: { min: 12, max: 12 } })).toEqual(['NO_CAREGIVER']);
  });

  it('ignores a negated mention', () => {
    expect(detectSigns({ text: '没有自残，也未发现伤痕' })).toEqual([]);
  });

  it('reads structured answers', () => {
    expect(detectSigns({ text: '', accompaniedBy: '其他成年人' })).toEqual(['BEGGING_WITH_ADULT']);
    expect(detectSigns({ text: '', incitedByAdult: true })).toEqual(['INCITED_BY_ADULT']);
    expect(detectSigns({ text: '', guardianshipMode: '无人监护', age: { min: 10, max: 10 } })).toEqual(['UNDER16_ALONE']);
  });

  it('names the police station in the notice', () => {
    expect(reportNotice(['SELF_HARM'])).toMatch(/有自伤、自残或轻生情况.*立即向镇派出所报告/);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => Array.isArray(detectSigns({ text: s }))));
  });
});
