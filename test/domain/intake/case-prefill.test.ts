import { describe, expect, it } from 'vitest';
import { prefillCase } from '../../../src/domain/intake/case-prefill.js';
import type { FormEnv } from '../../../src/domain/intake/form.js';
import { makeId, plan } from '../../helpers/intake-harness.js';
import { testConfig } from '../../helpers/deps.js';

const config = testConfig();
const env: FormEnv = { now: new Date('2026-03-10T02:00:00Z'), villages: config.villages, members: config.members, plan };

describe('prefillCase', () => {
  it('reads the issue’s example message', () => {
    expect(prefillCase('新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工，由奶奶照顾', env).answers).toEqual({
      fullName: '王小明',
      gender: '男',
      identity: { idNumber: null, birthDate: '2013-05' },
      village: '王庄村',
      categories: ['05'],
      parentsAway: '父母均外出务工',
      guardianRelation: '祖母',
    });
  });

  it('takes an ID number, a school level and other categories', () => {
    const id = makeId('34132420100304122');
    const a = prefillCase(`登记 李小红 ${id} 霸王村 初中 父亲服刑 跟外婆生活`, env).answers;
    expect(a).toMatchObject({ fullName: '李小红', identity: { idNumber: id, birthDate: '2010-03-04' }, village: '霸王村', categories: ['04'], guardianRelation: '外祖母' });
    expect(a.schoolStatus).toEqual({ choice: '初中', detail: null });
  });

  it('takes nothing from a bare trigger, and never a village outside the list', () => {
    expect(prefillCase('新增个案', env).answers).toEqual({});
    expect(prefillCase('新增个案：张三丰，北京村', env).answers).toEqual({ fullName: '张三丰' });
  });

  it('does not take a two-digit date fragment or a phrase as a name', () => {
    const a = prefillCase('新增个案：二〇一三年五月出生，女孩，流浪乞讨', env).answers;
    expect(a).toEqual({ identity: { idNumber: null, birthDate: '2013-05' }, gender: '女', categories: ['03'] });
  });
});
