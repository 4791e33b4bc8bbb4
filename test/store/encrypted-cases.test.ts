import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { DataKeyMismatchError, DataKeyMissingError, FieldCipher } from '../../src/domain/security/field-crypto.js';
import { ConfigError } from '../../src/config/load.js';
import { idLookupHash, useLookupSecret } from '../../src/domain/privacy/lookup-key.js';
import { sampleCase } from '../helpers/case-fixture.js';

const tmpDb = () => join(mkdtempSync(join(tmpdir(), 'humiao-sec-')), 'humiao.db');

afterEach(() => useLookupSecret(null));

describe('cases encrypted at rest', () => {
  it('stores identity fields and details encrypted and hands back plain values', () => {
    const s = openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    const rec = s.cases.insert(sampleCase);
    expect(rec.fullName).toBe('王小明');
    expect(rec.idNumber).toBe('341324201305061234');
    expect(rec.details).toEqual(sampleCase.details);
    expect(rec.sealed).toBe(true);
    const raw = JSON.stringify(s.db.prepare('SELECT * FROM cases').get());
    for (const secret of ['王小明', '341324201305061234', '13812345678', '13912345678', '王大山', '孙七七', '初二', '村东头', '公安机关']) {
      expect(raw).not.toContain(secret);
    }
    expect(s.cases.getByCode('DJ-2026-0001')!.guardianPhone).toBe('13812345678');
    expect(s.cases.findByDupKey('k1')).toHaveLength(1);
  });

  it('encrypts intake drafts too, since they hold what was typed so far', () => {
    const s = openSqliteStore(':memory:', { cipher: new FieldCipher(randomBytes(32)) });
    const t = new Date('2026-03-10T02:00:00Z');
    s.sessions.save({ userId: 'a', chatId: 'a', formId: 'case', status: 'active', state: { fullName: '王小明', phone: '13812345678' }, startedIn: 'a', createdAt: t, lastActiveAt: t });
    const raw = JSON.stringify(s.db.prepare('SELECT * FROM form_sessions').all());
    expect(raw).not.toContain('王小明');
    expect(raw).not.toContain('13812345678');
    expect(s.sessions.get('a', 'a')!.state).toEqual({ fullName: '王小明', phone: '13812345678' });
    expect(s.sessions.idleSince(new Date(t.getTime() + 1))[0]!.state).toEqual({ fullName: '王小明', phone: '13812345678' });
  });

  it('flags only cases whose justice fields name a police or court measure as sealed', () => {
    const s = openSqliteStore(':memory:');
    const c = s.cases.insert({ ...sampleCase, details: { disposition: '家长管教', justiceInvolvement: '无' } });
    expect(c.sealed).toBe(false);
  });

  it('refuses to open encrypted data without the key, or with another key, and says so in Chinese', () => {
    const file = tmpDb();
    const cipher = new FieldCipher(randomBytes(32));
    const s = openSqliteStore(file, { cipher });
    s.cases.insert(sampleCase);
    s.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const missing = (() => { try { openSqliteStore(file); } catch (e) { return e; } })();
    expect(missing).toBeInstanceOf(DataKeyMissingError);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(/HUMIAO_DATA_KEY/);
    expect(() => openSqliteStore(file, { cipher: new FieldCipher(randomBytes(32)) })).toThrow(DataKeyMismatchError);
    const again = openSqliteStore(file, { cipher });
    expect(again.cases.list()[0]!.fullName).toBe('王小明');
    again.close();
  });

  it('still reads rows written in plain text before a key was set', () => {
    const file = tmpDb();
    const plain = openSqliteStore(file);
    plain.cases.insert(sampleCase);
    plain.close();
    const keyed = openSqliteStore(file, { cipher: new FieldCipher(randomBytes(32)) });
    expect(keyed.cases.list()[0]!.idNumber).toBe('341324201305061234');
    keyed.close();
  });

  it('makes ID lookups a keyed hash once a key is in use', () => {
    const plain = idLookupHash('341324201305061234');
    useLookupSecret(randomBytes(32));
    const keyed = idLookupHash('341324201305061234');
    expect(keyed).not.toBe(plain);
    expect(idLookupHash(' 341324201305061234 ')).toBe(keyed);
  });

  it('backs up to an owner-only file', async () => {
    const s = openSqliteStore(tmpDb());
    const dest = join(mkdtempSync(join(tmpdir(), 'humiao-bak-')), 'b.db');
    await s.backup(dest);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    s.close();
  });
});
