import { afterEach, describe, expect, it } from 'vitest';
import type { NewCase } from '../../src/domain/model/records.js';
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
  it('numbers codes per year', () => {
    const s = kind.open();
    expect([s.cases.nextCode('DJ', 2026), s.cases.nextCode('DJ', 2026), s.cases.nextCode('DJ', 2027)]).toEqual(['DJ-2026-0001', 'DJ-2026-0002', 'DJ-2027-0001']);
  });

  it('refuses a second case with the same code', () => {
    const s = kind.open();
    s.cases.insert({ ...base, code: 'DJ-2026-0001' });
    expect(() => s.cases.insert({ ...base, code: 'DJ-2026-0001' })).toThrow(/unique/i);
  });

  it('keeps identity fields in their own columns, not in the details JSON', () => {
    const s = kind.open();
    s.cases.insert({ ...base, code: 'DJ-2026-0001', idNumber: '11010519491231002X', idHash: 'h', guardianPhone: '13812345678', details: { parentsAway: '父母均外出务工' } });
    const row = s.db.prepare('SELECT id_number, id_hash, guardian_phone, details FROM cases').get() as Record<string, string>;
    expect(row).toEqual({ id_number: '11010519491231002X', id_hash: 'h', guardian_phone: '13812345678', details: '{"parentsAway":"父母均外出务工"}' });
    expect(s.cases.findByIdHash('h').map((c) => c.code)).toEqual(['DJ-2026-0001']);
    expect(s.cases.findByDupKey('k1').map((c) => c.code)).toEqual(['DJ-2026-0001']);
  });

  it('links draft-time must-report prompts to the case once', () => {
    const s = kind.open();
    const id = s.cases.recordMandatoryReport({ caseId: null, userId: 'u', chatId: 'u', sign: 'SELF_HARM', reportTo: '镇派出所', promptedAt: new Date() });
    const c = s.cases.insert({ ...base, code: 'DJ-2026-0001' });
    s.cases.attachMandatoryReports([id], c.id);
    expect(s.cases.mandatoryReports(c.id).map((r) => r.sign)).toEqual(['SELF_HARM']);
  });

  it('keys sessions by user and chat', () => {
    const s = kind.open();
    const t = new Date('2026-03-10T02:00:00Z');
    const rec = { userId: 'a', chatId: 'g', formId: 'f', status: 'active' as const, state: { x: 1 }, startedIn: 'g', createdAt: t, lastActiveAt: t };
    s.sessions.save(rec);
    s.sessions.save({ ...rec, userId: 'b', state: { x: 2 } });
    expect(s.sessions.get('a', 'g')!.state).toEqual({ x: 1 });
    expect(s.sessions.get('b', 'g')!.state).toEqual({ x: 2 });
    expect(s.sessions.idleSince(new Date(t.getTime() + 1)).map((x) => x.userId)).toEqual(['a', 'b']);
    expect(s.sessions.delete('a', 'g')).toBe(true);
    expect(s.sessions.delete('a', 'g')).toBe(false);
  });
});
