import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sampleCase } from '../helpers/case-fixture.js';

describe('follow-up repo: latest contact per case', () => {
  it('answers for all contacts or only those on or before a day', () => {
    const s = openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    const a = s.cases.insert(sampleCase);
    const b = s.cases.insert({ ...sampleCase, code: 'DJ-2026-0002' });
    const add = (caseId: number, date: string) =>
      s.followup.addContact({ caseId, date, method: '电话', notes: '', riskLevel: null, loggedBy: 'lisi', createdAt: new Date() });
    add(a.id, '2026-03-01');
    add(a.id, '2026-05-20');
    add(a.id, '2026-04-10');
    add(b.id, '2026-06-01');
    expect(s.followup.lastContactDates()).toEqual(new Map([[a.id, '2026-05-20'], [b.id, '2026-06-01']]));
    // As of 2026-05-01 the May contact and all of b's had not happened yet.
    expect(s.followup.lastContactDates('2026-05-01')).toEqual(new Map([[a.id, '2026-04-10']]));
  });
});

describe('follow-up repo: contact notes at rest', () => {
  it('encrypts notes with the data key and hands them back in plain', () => {
    const s = openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    const c = s.cases.insert(sampleCase);
    s.followup.addContact({ caseId: c.id, date: '2026-11-20', method: '上门', notes: '王小明在家，情绪稳定', riskLevel: null, loggedBy: 'wangwu', createdAt: new Date() });
    const raw = s.db.prepare('SELECT notes FROM contacts').get() as { notes: string };
    expect(raw.notes).not.toContain('王小明');
    expect(s.followup.contacts()[0]!.notes).toBe('王小明在家，情绪稳定');
    expect(s.followup.contactDays({ from: '2026-11-01', to: '2026-11-30' })).toEqual([{ caseId: c.id, date: '2026-11-20', method: '上门' }]);
  });
});
