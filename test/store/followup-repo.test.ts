import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sql } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

afterEach(cleanupStores);

describe.each(storeKinds)('follow-up repo ($name)', (kind: StoreKind) => {
  it('answers the latest contact per case for all contacts or only those on or before a day', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const a = await s.cases.insert(sampleCase);
    const b = await s.cases.insert({ ...sampleCase, code: 'DJ-2026-0002' });
    const add = (caseId: number, date: string) =>
      s.followup.addContact({ caseId, date, method: '电话', notes: '', riskLevel: null, loggedBy: 'lisi', createdAt: new Date() });
    await add(a.id, '2026-03-01');
    await add(a.id, '2026-05-20');
    await add(a.id, '2026-04-10');
    await add(b.id, '2026-06-01');
    expect(await s.followup.lastContactDates()).toEqual(new Map([[a.id, '2026-05-20'], [b.id, '2026-06-01']]));
    // As of 2026-05-01 the May contact and all of b's had not happened yet.
    expect(await s.followup.lastContactDates('2026-05-01')).toEqual(new Map([[a.id, '2026-04-10']]));
    expect(await s.followup.lastContactOn(a.id, '2026-04-30')).toBe('2026-04-10');
    expect(await s.followup.lastContactOn(b.id, '2026-05-31')).toBeNull();
  });

  it('encrypts contact notes with the data key and hands them back in plain', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const c = await s.cases.insert(sampleCase);
    await s.followup.addContact({ caseId: c.id, date: '2026-11-20', method: '上门', notes: '王小明在家，情绪稳定', riskLevel: null, loggedBy: 'wangwu', createdAt: new Date() });
    const raw = (await s.db.get<{ notes: string }>(sql`SELECT notes FROM contacts`))!;
    expect(raw.notes).not.toContain('王小明');
    expect((await s.followup.contacts())[0]!.notes).toBe('王小明在家，情绪稳定');
    expect(await s.followup.contactDays({ from: '2026-11-01', to: '2026-11-30' })).toEqual([{ caseId: c.id, date: '2026-11-20', method: '上门' }]);
  });

  it('closes, reassigns, changes risk with a contact, and keeps screenings and dialogs', async () => {
    const s = await kind.open();
    const c = await s.cases.insert(sampleCase);
    await s.followup.addContact({ caseId: c.id, date: '2026-11-20', method: '电话', notes: '', riskLevel: '高', loggedBy: 'wangwu', createdAt: new Date('2026-11-20T02:00:00Z') });
    await s.followup.reassign(c.id, 'zhaoliu', '赵六', new Date('2026-11-21T02:00:00Z'));
    expect(await s.cases.getByCode(c.code)).toMatchObject({ riskLevel: '高', mentorUserId: 'zhaoliu', mentorName: '赵六', status: 'open' });
    await s.followup.close(c.id, '已满18周岁', new Date('2026-11-22T02:00:00Z'));
    expect(await s.cases.getByCode(c.code)).toMatchObject({ status: 'closed', closeReason: '已满18周岁', closedAt: new Date('2026-11-22T02:00:00Z') });

    const at = new Date('2026-11-05T02:00:00Z');
    await s.followup.saveScreening({ period: '2026-11', unit: '镇派出所', userId: 'u1', newRisks: 1, highRisks: 0, reportedAt: at });
    await s.followup.saveScreening({ period: '2026-11', unit: '镇中学', userId: 'u2', newRisks: 0, highRisks: 0, reportedAt: at });
    await s.followup.saveScreening({ period: '2026-11', unit: '镇派出所', userId: 'u3', newRisks: 2, highRisks: 1, reportedAt: at });
    expect((await s.followup.screenings('2026-11')).map((r) => [r.unit, r.userId, r.newRisks])).toEqual([
      ['镇中学', 'u2', 0],
      ['镇派出所', 'u3', 2],
    ]);

    await s.followup.saveDialog('u', 'c', { step: 1 }, at);
    await s.followup.saveDialog('u', 'c', { step: 2 }, at);
    expect(await s.followup.dialog('u', 'c')).toEqual({ state: { step: 2 }, updatedAt: at });
    await s.followup.deleteDialog('u', 'c');
    expect(await s.followup.dialog('u', 'c')).toBeUndefined();
  });
});
