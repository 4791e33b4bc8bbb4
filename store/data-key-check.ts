import { DataKeyMismatchError, DataKeyMissingError, type FieldCipher } from '../src/domain/security/field-crypto.js';
import { sql, type SqlDb } from './sql/db.js';

/**
 * The first keyed open records a check value; later opens must bring the same key. Opening a
 * database that has one without any key is refused, since its case fields cannot be read.
 * Shared by the SQLite and PostgreSQL stores: both keep it in `security_meta`.
 */
export async function checkDataKey(db: SqlDb, cipher: FieldCipher | null): Promise<void> {
  const stored = (await db.get<{ value: string }>(sql`SELECT value FROM security_meta WHERE name = 'key_check'`))?.value;
  if (!cipher) {
    if (stored) throw new DataKeyMissingError('数据库中有加密的个案数据，但没有设置 HUMIAO_DATA_KEY。请设置加密时使用的密钥后再启动。');
    return;
  }
  const check = cipher.keyCheck();
  if (stored === undefined) {
    // Two processes may open a new database at once: the first check written wins, the other compares.
    await db.run(sql`INSERT INTO security_meta (name, value) VALUES ('key_check', ${check}) ON CONFLICT (name) DO NOTHING`);
    await checkDataKey(db, cipher);
  } else if (stored !== check) throw new DataKeyMismatchError('HUMIAO_DATA_KEY 与加密数据时使用的密钥不一致，无法读取个案数据。请使用原来的密钥。');
}
