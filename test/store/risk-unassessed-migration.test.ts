import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../store/migrate.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { sampleCase } from '../helpers/case-fixture.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 012 (risk level not yet assessed) on a database that already holds cases', () => {
  it('keeps every assessed level, rebuilds the scan indexes, and then takes a case without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-mig12-'));
    dirs.push(dir);
    const file = join(dir, 'humiao.db');
    // The schema a town upgrading from the previous version has: migrations 1–11 only.
    const db = new Database(file);
    for (const m of loadMigrations().filter((x) => x.version <= 11)) db.exec(m.sql);
    db.pragma('user_version = 11');
    const insert = db.prepare(`INSERT INTO cases (code, primary_category, full_name, gender, birth_date, dup_key, village, risk_level, mentor_user_id, reporter_user_id, created_at, updated_at)
      VALUES (?, '05', '王小明', '男', '2013-05', ?, '王庄村', ?, 'wangwu', 'zhouba', '2026-01-05T02:00:00.000Z', '2026-01-05T02:00:00.000Z')`);
    insert.run('DJ-2026-0001', 'a', '高');
    insert.run('DJ-2026-0002', 'b', '低');
    expect(() => insert.run('DJ-2026-0003', 'c', null)).toThrow(/NOT NULL/);
    db.close();

    const store = await openSqliteStore(file);
    expect((await store.cases.list()).map((c) => [c.code, c.riskLevel])).toEqual([['DJ-2026-0001', '高'], ['DJ-2026-0002', '低']]);
    const fresh = await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0003', dupKey: 'c', idHash: null, riskLevel: null, mentorUserId: 'wangwu' });
    expect((await store.cases.getByCode('DJ-2026-0003'))!.riskLevel).toBeNull();
    expect((await store.cases.openSummaries({ mentorUserId: 'wangwu' })).map((c) => [c.code, c.riskLevel])).toEqual([
      ['DJ-2026-0001', '高'], ['DJ-2026-0002', '低'], ['DJ-2026-0003', null],
    ]);
    // A contact that assesses it writes the level.
    await store.followup.addContact({ caseId: fresh.id, date: '2026-02-01', method: '上门', notes: '', riskLevel: '中', loggedBy: 'wangwu', createdAt: new Date('2026-02-01T02:00:00Z') });
    expect((await store.cases.getByCode('DJ-2026-0003'))!.riskLevel).toBe('中');
    await store.close();
    const raw = new Database(file, { readonly: true });
    const indexes = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' ORDER BY name").all().map((r) => (r as { name: string }).name);
    raw.close();
    expect(indexes).toEqual(expect.arrayContaining(['cases_mentor', 'cases_summary']));
  });
});
