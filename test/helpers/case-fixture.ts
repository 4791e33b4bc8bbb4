import { randomBytes } from 'node:crypto';
import type { NewCase } from '../../src/domain/model/records.js';

/** A complete case with identity fields filled, for security tests. */
export const sampleCase: NewCase = {
  code: 'DJ-2026-0001', categories: [{ code: '02', leadUnits: ['镇派出所'] }], primaryCategory: '02', fullName: '王小明', gender: '男',
  birthDate: '2013-05-06', idNumber: '341324201305061234', idHash: 'h1', dupKey: 'k1', village: '王庄村', schoolStatus: '在校',
  schoolDetail: '墩集中学初二（3）班', guardianName: '王大山', guardianRelation: '父亲', guardianPhone: '13812345678',
  guardianshipMode: null, riskLevel: '中', mentorUserId: 'wangwu', mentorName: '王五', reporterUserId: 'zhouba',
  bangjiaoName: '孙七七', bangjiaoPhone: '13912345678', notes: '家住村东头第三户',
  details: { behaviors: ['逃学'], disposition: '公安机关矫治教育措施', justiceInvolvement: '有' },
  inferredFields: [], createdAt: new Date('2026-03-10T02:00:00Z'),
};

export const testDataKey = (): string => randomBytes(32).toString('base64');
