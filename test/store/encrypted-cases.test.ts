import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { DataKeyMismatchError, DataKeyMissingError, FieldCipher } from '../../src/domain/security/field-crypto.js';
import { ConfigError } from '../../src/config/load.js';
import { lookupKeys, plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';
import { sql } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'humiao-sec-')), 'humiao.db');

/** What `open` threw or rejected with, or undefined when it opened. */
async function failureOf(open: () => unknown): Promise<unknown> {
  try {
    await open();
    return undefined;
  } catch (e) {
    return e;
  }
}

afterEach(async () => {
  await cleanupStores();
});

describe.each(storeKinds)('cases encrypted at rest ($name)', (kind: StoreKind) => {
  it('stores identity fields and details encrypted and hands back plain values', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const rec = await s.cases.insert(sampleCase);
    expect(rec.fullName).toBe('王小明');
    expect(rec.idNumber).toBe('341324201305061234');
    expect(rec.details).toEqual(sampleCase.details);
    expect(rec.sealed).toBe(true);
    const raw = JSON.stringify(await s.db.get(sql`SELECT * FROM cases`));
    for (const secret of ['王小明', '341324201305061234', '13812345678', '13912345678', '王大山', '孙七七', '初二', '村东头', '公安机关']) {
      expect(raw).not.toContain(secret);
    }
    expect((await s.cases.getByCode('DJ-2026-0001'))!.guardianPhone).toBe('13812345678');
    expect(await s.cases.findByDupKey('k1')).toHaveLength(1);
  });

  it('encrypts fields completed after registration, reseals the row and marks the new number for the group filter', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const rec = await s.cases.insert({ ...sampleCase, guardianPhone: null, details: { pendingFields: ['监护人姓名和手机（手机）'] } });
    const after = await s.cases.update(rec.id, { guardianPhone: '13700001111', details: { parentsWorkplace: '江苏苏州' } }, new Date('2026-03-11T02:00:00Z'));
    expect(after.guardianPhone).toBe('13700001111');
    expect(after.details).toEqual({ parentsWorkplace: '江苏苏州' });
    const raw = JSON.stringify(await s.db.get(sql`SELECT * FROM cases`));
    for (const secret of ['13700001111', '江苏苏州', '王小明']) expect(raw).not.toContain(secret);
    expect((await s.caseSeals!.firstBroken()).code).toBeNull();
    expect((await s.identityMarks.onFile('number', ['13700001111'])).size).toBe(1);
  });

  it('encrypts intake drafts too, since they hold what was typed so far', async () => {
    const s = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const t = new Date('2026-03-10T02:00:00Z');
    await s.sessions.save({ userId: 'a', chatId: 'a', formId: 'case', status: 'active', state: { fullName: '王小明', phone: '13812345678' }, startedIn: 'a', createdAt: t, lastActiveAt: t });
    const raw = JSON.stringify(await s.db.all(sql`SELECT * FROM form_sessions`));
    expect(raw).not.toContain('王小明');
    expect(raw).not.toContain('13812345678');
    expect((await s.sessions.get('a', 'a'))!.state).toEqual({ fullName: '王小明', phone: '13812345678' });
    expect((await s.sessions.idleSince(new Date(t.getTime() + 1)))[0]!.state).toEqual({ fullName: '王小明', phone: '13812345678' });
  });

  it('flags only cases whose justice fields name a police or court measure as sealed', async () => {
    const s = await kind.open();
    const c = await s.cases.insert({ ...sampleCase, details: { disposition: '家长管教', justiceInvolvement: '无' } });
    expect(c.sealed).toBe(false);
  });

  it('refuses to open encrypted data without the key, or with another key, and says so in Chinese', async () => {
    const cipher = new FieldCipher(randomBytes(32));
    const s = await kind.open({ cipher, persistent: true });
    await s.cases.insert(sampleCase);
    await s.close();
    const missing = await failureOf(() => s.reopen());
    expect(missing).toBeInstanceOf(DataKeyMissingError);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(/HUMIAO_DATA_KEY/);
    expect(await failureOf(() => s.reopen({ cipher: new FieldCipher(randomBytes(32)) }))).toBeInstanceOf(DataKeyMismatchError);
    const again = await s.reopen({ cipher });
    expect((await again.cases.list())[0]!.fullName).toBe('王小明');
  });

  it('still reads rows written in plain text before a key was set', async () => {
    const plain = await kind.open({ persistent: true });
    await plain.cases.insert(sampleCase);
    await plain.close();
    const keyed = await plain.reopen({ cipher: new FieldCipher(randomBytes(32)) });
    expect((await keyed.cases.list())[0]!.idNumber).toBe('341324201305061234');
  });
});

describe('cases encrypted at rest (sqlite file)', () => {
  it('keeps the database file owner-only', async () => {
    const file = tmpDb();
    const s = await openSqliteStore(file, { cipher: new FieldCipher(randomBytes(32)) });
    await s.cases.insert(sampleCase);
    await s.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('forces an existing data folder to 0700', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-dir-'));
    chmodSync(dir, 0o755);
    await (await openSqliteStore(join(dir, 'humiao.db'))).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('backs up to an owner-only file', async () => {
    const s = await openSqliteStore(tmpDb());
    const dest = join(mkdtempSync(join(tmpdir(), 'humiao-bak-')), 'b.db');
    await s.backup(dest);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    await s.close();
  });
});

describe('lookup keys', () => {
  it('makes ID lookups a keyed hash once a key is in use', () => {
    const plain = plainLookupKeys.idLookupHash('341324201305061234');
    const town = lookupKeys(randomBytes(32));
    const keyed = town.idLookupHash('341324201305061234');
    expect(keyed).not.toBe(plain);
    expect(town.idLookupHash(' 341324201305061234 ')).toBe(keyed);
    // Another town's key finds nothing of this one's: the keys travel with each town's context.
    expect(lookupKeys(randomBytes(32)).idLookupHash('341324201305061234')).not.toBe(keyed);
  });
});
