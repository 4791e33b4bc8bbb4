import { describe, expect, it } from 'vitest';
import { exportCases, toCsv } from '../../../src/domain/intake/export.js';
import { harness } from '../../helpers/intake-harness.js';

describe('exportCases', () => {
  it('lists a confirmed case with its fields in full', async () => {
    const h = await harness();
    await h.say('zhouba', '新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工，由奶奶照顾');
    for (const a of ['小学', '张桂兰 13812345678', '苏州', '修改 帮扶责任人', '李四', '修改 情况说明', '=1+1 "引号", 逗号', '确认']) await h.say('zhouba', a);
    const rows = await exportCases(h.store);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      code: 'DJ-2026-0001', categories: '05', leadUnits: '镇民政所', fullName: '王小明', birthDate: '2013-05',
      guardianPhone: '13812345678', mentorName: '李四', reporterUserId: 'zhouba',
      // Not assessed at registration: an empty cell, like every other field not known yet.
      riskLevel: null,
    });
    expect(JSON.parse(String(rows[0]!.details))).toMatchObject({ pendingFields: ['监护情况评估'] });
    const csv = toCsv(rows);
    const [header, line] = csv.split('\r\n');
    expect(header!.split(',')[0]).toBe('code');
    expect(line).toContain('DJ-2026-0001');
    expect(line).toContain(`"'=1+1 ""引号"", 逗号"`);
  });

  it('gives an empty list and empty CSV for a store without cases', async () => {
    const h = await harness();
    expect(await exportCases(h.store)).toEqual([]);
    expect(toCsv([])).toBe('');
  });
});
