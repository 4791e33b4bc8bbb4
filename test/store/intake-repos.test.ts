import { afterEach, describe, expect, it } from 'vitest';
import type { NewCase } from '../../src/domain/model/records.js';
import { fromJson, sql } from '../../store/sql/db.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

const base: NewCase = {
  code: '', categories: [{ code: '05', leadUnits: ['镇民政所'] }], primaryCategory: '05', fullName: '王小明', gender: '男',
  birthDate: '2013-05', idNumber: null, idHash: null, dupKey: 'k1', village: '王庄村', schoolStatus: null, schoolDetail: null,
  guardianName: null, guardianRelation: null, guardianPhone: null, guardianshipMode: null, riskLevel: '低', mentorUserId: null,
  mentorName: null, reporterUserId: 'zhouba', bangjiaoName: null, bangjiaoPhone: null, notes: null, details: {}, inferredFields: [],
  createdAt: new Date('2026-03-10T02:00:00Z'),
};

afterEach(cleanupStores);

describe.each(storeKinds)('case and session repositories ($name)', (kind: StoreKind) => {
  it('numbers codes per year', async () => {
    const s = await kind.open();
    expect([await s.cases.nextCode('DJ', 2026), await s.cases.nextCode('DJ', 2026), await s.cases.nextCode('DJ', 2027)]).toEqual(['DJ-2026-0001', 'DJ-2026-0002', 'DJ-2027-0001']);
  });

  it('refuses a second case with the same code', async () => {
    const s = await kind.open();
    await s.cases.insert({ ...base, code: 'DJ-2026-0001' });
    await expect(s.cases.insert({ ...base, code: 'DJ-2026-0001' })).rejects.toThrow(/unique/i);
  });

  it('keeps identity fields in their own columns, not in the details JSON', async () => {
    const s = await kind.open();
    await s.cases.insert({ ...base, code: 'DJ-2026-0001', idNumber: '11010519491231002X', idHash: 'h', guardianPhone: '13812345678', details: { parentsAway: '父母均外出务工' } });
    const row = (await s.db.get<Record<string, unknown>>(sql`SELECT id_number, id_hash, guardian_phone, details FROM cases`))!;
    // Text on SQLite; parsed already if PostgreSQL keeps it as jsonb.
    expect({ ...row, details: fromJson(row.details) }).toEqual({ id_number: '11010519491231002X', id_hash: 'h', guardian_phone: '13812345678', details: { parentsAway: '父母均外出务工' } });
    expect((await s.cases.findByIdHash('h')).map((c) => c.code)).toEqual(['DJ-2026-0001']);
    expect((await s.cases.findByDupKey('k1')).map((c) => c.code)).toEqual(['DJ-2026-0001']);
  });

  it('links draft-time must-report prompts to the case once', async () => {
    const s = await kind.open();
    const id = await s.cases.recordMandatoryReport({ caseId: null, userId: 'u', chatId: 'u', sign: 'SELF_HARM', reportTo: '镇派出所', promptedAt: new Date() });
    const c = await s.cases.insert({ ...base, code: 'DJ-2026-0001' });
    await s.cases.attachMandatoryReports([id], c.id);
    expect((await s.cases.mandatoryReports(c.id)).map((r) => r.sign)).toEqual(['SELF_HARM']);
  });

  it('keys sessions by user and chat', async () => {
    const s = await kind.open();
    const t = new Date('2026-03-10T02:00:00Z');
    const rec = { userId: 'a', chatId: 'g', formId: 'f', status: 'active' as const, state: { x: 1 }, startedIn: 'g', createdAt: t, lastActiveAt: t };
    await s.sessions.save(rec);
    await s.sessions.save({ ...rec, userId: 'b', state: { x: 2 } });
    expect((await s.sessions.get('a', 'g'))!.state).toEqual({ x: 1 });
    expect((await s.sessions.get('b', 'g'))!.state).toEqual({ x: 2 });
    expect((await s.sessions.idleSince(new Date(t.getTime() + 1))).map((x) => x.userId)).toEqual(['a', 'b']);
    expect(await s.sessions.delete('a', 'g')).toBe(true);
    expect(await s.sessions.delete('a', 'g')).toBe(false);
  });
});
