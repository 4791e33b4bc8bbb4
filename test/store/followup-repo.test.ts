import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

afterEach(cleanupStores);

describe.each(storeKinds)('follow-up repo ($name)', (kind: StoreKind) => {
  it('answers the latest contact per case for all contacts or only those on or before a day', () => {
    const s = kind.open({ cipher: new FieldCipher(randomBytes(32)) });
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
    expect(s.followup.lastContactOn(a.id, '2026-04-30')).toBe('2026-04-10');
    expect(s.followup.lastContactOn(b.id, '2026-05-31')).toBeNull();
  });

  it('encrypts contact notes with the data key and hands them back in plain', () => {
    const s = kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const c = s.cases.insert(sampleCase);
    s.followup.addContact({ caseId: c.id, date: '2026-11-20', method: '上门', notes: '王小明在家，情绪稳定', riskLevel: null, loggedBy: 'wangwu', createdAt: new Date() });
    const raw = s.db.prepare('SELECT notes FROM contacts').get() as { notes: string };
    expect(raw.notes).not.toContain('王小明');
    expect(s.followup.contacts()[0]!.notes).toBe('王小明在家，情绪稳定');
    expect(s.followup.contactDays({ from: '2026-11-01', to: '2026-11-30' })).toEqual([{ caseId: c.id, date: '2026-11-20', method: '上门' }]);
  });

  it('closes, reassigns, changes risk with a contact, and keeps screenings and dialogs', () => {
    const s = kind.open();
    const c = s.cases.insert(sampleCase);
    s.followup.addContact({ caseId: c.id, date: '2026-11-20', method: '电话', notes: '', riskLevel: '高', loggedBy: 'wangwu', createdAt: new Date('2026-11-20T02:00:00Z') });
    s.followup.reassign(c.id, 'zhaoliu', '赵六', new Date('2026-11-21T02:00:00Z'));
    expect(s.cases.getByCode(c.code)).toMatchObject({ riskLevel: '高', mentorUserId: 'zhaoliu', mentorName: '赵六', status: 'open' });
    s.followup.close(c.id, '已满18周岁', new Date('2026-11-22T02:00:00Z'));
    expect(s.cases.getByCode(c.code)).toMatchObject({ status: 'closed', closeReason: '已满18周岁', closedAt: new Date('2026-11-22T02:00:00Z') });

    const at = new Date('2026-11-05T02:00:00Z');
    s.followup.saveScreening({ period: '2026-11', unit: '镇派出所', userId: 'u1', newRisks: 1, highRisks: 0, reportedAt: at });
    s.followup.saveScreening({ period: '2026-11', unit: '镇中学', userId: 'u2', newRisks: 0, highRisks: 0, reportedAt: at });
    s.followup.saveScreening({ period: '2026-11', unit: '镇派出所', userId: 'u3', newRisks: 2, highRisks: 1, reportedAt: at });
    expect(s.followup.screenings('2026-11').map((r) => [r.unit, r.userId, r.newRisks])).toEqual([
      ['镇中学', 'u2', 0],
      ['镇派出所', 'u3', 2],
    ]);

    s.followup.saveDialog('u', 'c', { step: 1 }, at);
    s.followup.saveDialog('u', 'c', { step: 2 }, at);
    expect(s.followup.dialog('u', 'c')).toEqual({ state: { step: 2 }, updatedAt: at });
    s.followup.deleteDialog('u', 'c');
    expect(s.followup.dialog('u', 'c')).toBeUndefined();
  });
});
