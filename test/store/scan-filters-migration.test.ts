import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { sampleCase } from '../helpers/case-fixture.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 010 (scan filters) on a database that already holds cases', () => {
  it('fills case_lead_units from the cases already there, so 逾期 and 我的个案 find them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-mig8-'));
    dirs.push(dir);
    const file = join(dir, 'humiao.db');
    const store = await openSqliteStore(file);
    await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0001', dupKey: 'a', idHash: null, mentorUserId: 'lisi', categories: [{ code: '01', leadUnits: ['镇民政所', '镇教育办'] }] });
    await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0002', dupKey: 'b', idHash: null, mentorUserId: 'wangwu', categories: [{ code: '03', leadUnits: ['镇司法所'] }] });
    await store.close();
    // Back to the schema before 010, as a town upgrading from the previous version has it
    // (without what 010 and the migrations after it created).
    const db = new Database(file);
    db.exec('DROP TABLE identity_mark_fill; DROP TABLE identity_marks; DROP TABLE case_lead_units; DROP INDEX cases_mentor;');
    db.exec('DROP TABLE sent_cards; DROP TABLE conversation_turns; DROP TABLE dialog_outcomes;');
    db.pragma('user_version = 9');
    db.close();

    const again = await openSqliteStore(file);
    expect(await again.cases.anyLedBy('镇教育办')).toBe(true);
    expect(await again.cases.anyLedBy('镇司法所')).toBe(true);
    expect(await again.cases.anyLedBy('镇团委')).toBe(false);
    expect((await again.cases.openSummaries({ leadUnit: '镇民政所' })).map((c) => c.code)).toEqual(['DJ-2026-0001']);
    expect((await again.cases.openSummaries({ mentorUserId: 'wangwu' })).map((c) => c.code)).toEqual(['DJ-2026-0002']);
    await again.close();
  });
});
