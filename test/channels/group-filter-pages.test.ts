import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SensitiveIndex } from '../../src/channels/group-filter.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';
import { sampleCase } from '../helpers/case-fixture.js';

const name = (i: number) => `欧阳${String.fromCharCode(0x4e00 + i)}`;
const phone = (i: number) => `139${String(i).padStart(8, '0')}`;

async function storeWith(n: number, cipher = new FieldCipher(randomBytes(32))): Promise<SqliteStore> {
  const store = await openSqliteStore(':memory:', { cipher });
  await store.transaction(async () => {
    for (let i = 1; i <= n; i++) {
      await store.cases.insert({ ...sampleCase, code: `DJ-2026-${String(i).padStart(4, '0')}`, fullName: name(i), idNumber: null, guardianName: null, bangjiaoName: null, guardianPhone: phone(i), bangjiaoPhone: null });
    }
  });
  return store;
}

/** What a store written before the marks existed looks like: cases, and no marks for them. */
function forgetMarks(store: SqliteStore): void {
  store.db.prepare('DELETE FROM identity_marks').run();
  store.db.prepare('UPDATE identity_mark_fill SET through = 0, longest_name = 0').run();
}

describe('the group filter index on disk', () => {
  it('marks each case as it is written: a fresh index masks every case without reading one', async () => {
    const store = await storeWith(30);
    const read = store.cases.identitySince.bind(store.cases);
    let reads = 0;
    store.cases.identitySince = (...a) => (reads++, read(...a));
    const index = new SensitiveIndex(store, testConfig());
    await index.refresh();
    expect((await index.mask(`${name(1)}、${name(30)} ${phone(30)}`)).text).toBe(`欧*${String.fromCharCode(0x4e01)}、欧*${String.fromCharCode(0x4e00 + 30)} 139****0030`);
    expect(reads).toBe(0);
  });

  it('keeps only keyed hashes: no name or number of a case is in the marks, and another key matches none of them', async () => {
    const store = await storeWith(3);
    const marks = store.db.prepare('SELECT mark FROM identity_marks').all() as { mark: string }[];
    expect(marks.length).toBeGreaterThanOrEqual(6);
    for (const { mark } of marks) expect(mark).toMatch(/^[0-9a-f]{32}$/);
    const other = await storeWith(3);
    const otherMarks = new Set((other.db.prepare('SELECT mark FROM identity_marks').all() as { mark: string }[]).map((r) => r.mark));
    expect(marks.some((m) => otherMarks.has(m.mark))).toBe(false);
  });

  it('fills the cases from before the marks a page at a time, yielding between pages, and then masks them all', async () => {
    const store = await storeWith(1_200);
    forgetMarks(store);
    const index = new SensitiveIndex(store, testConfig());
    expect(await store.identityMarks.pending()).toBe(true);
    let pauses = 0;
    await index.fill(async () => void pauses++);
    expect(pauses).toBe(3);
    expect(await store.identityMarks.pending()).toBe(false);
    expect((await index.mask(`${name(1_200)} ${phone(7)}`)).text).toBe(`欧*${String.fromCharCode(0x4e00 + 1_200)} 139****0007`);
  });

  it('a group message during the fill is checked against every case: the rest is filled first', async () => {
    const store = await storeWith(1_200);
    forgetMarks(store);
    const index = new SensitiveIndex(store, testConfig());
    await index.refresh();
    expect((await index.mask(name(1_150))).text).toBe(`欧*${String.fromCharCode(0x4e00 + 1_150)}`);
  });

  it('a case written while old ones are unmarked does not make the index look complete', async () => {
    const store = await storeWith(10);
    forgetMarks(store);
    await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0099' });
    expect(await store.identityMarks.pending()).toBe(true);
    await new SensitiveIndex(store, testConfig()).refresh();
    expect(await store.identityMarks.pending()).toBe(false);
    await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0100', fullName: '赵小龙' });
    expect(await store.identityMarks.pending()).toBe(false);
    expect((await new SensitiveIndex(store, testConfig()).mask('赵 小 龙')).text).toBe('赵*龙');
  });

  it('starts over when the key changes: marks under another key could never match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-marks-'));
    const file = join(dir, 'humiao.db');
    const first = await openSqliteStore(file);
    await first.cases.insert(sampleCase);
    await first.close();
    const keyed = await openSqliteStore(file, { cipher: new FieldCipher(randomBytes(32)) });
    expect(await keyed.identityMarks.pending()).toBe(true);
    const index = new SensitiveIndex(keyed, testConfig());
    await index.refresh();
    expect((await index.mask('王小明')).text).toBe('王*明');
    await keyed.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a store upgraded from before the marks has them filled for the cases it already holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-marks-'));
    const file = join(dir, 'humiao.db');
    const cipher = new FieldCipher(randomBytes(32));
    const old = await openSqliteStore(file, { cipher });
    await old.cases.insert(sampleCase);
    await old.close();
    const db = new Database(file);
    db.exec('DROP TABLE identity_mark_fill; DROP TABLE identity_marks;');
    db.pragma('user_version = 12');
    db.close();
    const upgraded = await openSqliteStore(file, { cipher });
    expect(await upgraded.identityMarks.pending()).toBe(true);
    const index = new SensitiveIndex(upgraded, testConfig());
    await index.refresh();
    expect((await index.mask('王大山 13912345678')).text).toBe('王*山 139****5678');
    await upgraded.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an anonymised case leaves no marks behind', async () => {
    const store = await storeWith(2);
    store.db.prepare("UPDATE cases SET status = 'closed', closed_at = '2020-01-01T00:00:00Z' WHERE id = 1").run();
    await store.cases.anonymiseClosedBefore(new Date('2021-01-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'));
    expect(store.db.prepare('SELECT count(*) AS n FROM identity_marks WHERE case_id = 1').get()).toEqual({ n: 0 });
    expect((await new SensitiveIndex(store, testConfig()).mask(name(1))).text).toBe(name(1));
  });
});
