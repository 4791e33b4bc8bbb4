import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

afterEach(cleanupStores);

describe.each(storeKinds)('anonymising closed cases ($name)', (kind: StoreKind) => {
  it('strips identity from cases closed before the cutoff, keeps what counts need, and does each case once', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const old = await s.cases.insert(sampleCase);
    const recent = await s.cases.insert({ ...sampleCase, code: 'DJ-2026-0002' });
    const open = await s.cases.insert({ ...sampleCase, code: 'DJ-2026-0003' });
    await s.followup.addContact({ caseId: old.id, date: '2026-04-01', method: '上门', notes: '王小明在家，情绪稳定', riskLevel: null, loggedBy: 'wangwu', createdAt: new Date('2026-04-01T02:00:00Z') });
    await s.followup.close(old.id, '已满18周岁', new Date('2026-05-01T02:00:00Z'));
    await s.followup.close(recent.id, '已满18周岁', new Date('2026-10-01T02:00:00Z'));

    const codes = await s.cases.anonymiseClosedBefore(new Date('2026-06-01T00:00:00+08:00'), new Date('2026-11-29T02:00:00Z'));
    expect(codes).toEqual(['DJ-2026-0001']);
    const a = (await s.cases.getByCode('DJ-2026-0001'))!;
    expect(a).toMatchObject({
      fullName: '（已匿名）', idNumber: null, idHash: null, guardianName: null, guardianPhone: null, bangjiaoName: null, bangjiaoPhone: null,
      schoolDetail: null, notes: null, details: {}, sealed: false, birthDate: '2013', village: '王庄村', gender: '男', status: 'closed',
    });
    expect(a.categories).toEqual(sampleCase.categories);
    expect((await s.followup.contacts({ caseId: old.id }))[0]!.notes).toBe('（已匿名）');
    expect((await s.cases.getByCode('DJ-2026-0002'))!.fullName).toBe('王小明');
    expect((await s.cases.getByCode(open.code))!.fullName).toBe('王小明');
    expect(await s.cases.list()).toHaveLength(3);
    expect(await s.cases.anonymiseClosedBefore(new Date('2026-06-01T00:00:00+08:00'), new Date())).toEqual([]);
  });
});
