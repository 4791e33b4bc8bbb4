import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../../config/load.js';

/**
 * Per-field encryption at rest (docs/domain-rules.md §3.3 P9): AES-256-GCM with a fresh 12-byte IV per
 * value, stored as `v1:<iv>:<tag>:<ciphertext>` (base64). The version prefix lets a later key
 * scheme coexist with old rows, and lets the store tell encrypted values from plain ones.
 *
 * The master key comes from `HUMIAO_DATA_KEY` (32 bytes, base64 or 64 hex digits). Separate
 * sub-keys for encryption and for lookup hashes are derived with HKDF, so a leaked lookup key
 * cannot decrypt anything.
 */

const PREFIX = 'v1:';

/** Thrown when `HUMIAO_DATA_KEY` is set but is not 32 bytes in base64 or hex. */
export class DataKeyFormatError extends ConfigError {
  override name = 'DataKeyFormatError';
}

/** Thrown at start-up when the database holds encrypted case data but no `HUMIAO_DATA_KEY` is set. */
export class DataKeyMissingError extends ConfigError {
  override name = 'DataKeyMissingError';
}

/** Thrown at start-up when `HUMIAO_DATA_KEY` is not the key the database was encrypted with. */
export class DataKeyMismatchError extends ConfigError {
  override name = 'DataKeyMismatchError';
}

/** Thrown when a stored value claims to be encrypted but cannot be decrypted (tampering or corruption). */
export class FieldDecryptError extends Error {
  override name = 'FieldDecryptError';
}

export const isEncrypted = (stored: string): boolean => stored.startsWith(PREFIX);

/** Parse the env value: 64 hex digits or base64 of exactly 32 bytes. */
export function parseDataKey(raw: string): Buffer {
  const s = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(s)) {
    const b = Buffer.from(s, 'base64');
    if (b.length === 32) return b;
  }
  throw new DataKeyFormatError('HUMIAO_DATA_KEY 格式不对：应为 32 字节密钥的 base64（可用 `openssl rand -base64 32` 生成）或 64 位十六进制');
}

export class FieldCipher {
  private readonly encKey: Buffer;
  /** Key for lookup hashes (ID number, name + village) and the key check value. */
  readonly macKey: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new DataKeyFormatError('HUMIAO_DATA_KEY 必须是 32 字节');
    this.encKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'humiao field encryption v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'humiao lookup hash v1', 32));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.encKey, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${PREFIX}${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  /** Plain values (written before a key was set) pass through unchanged. */
  decrypt(stored: string): string {
    if (!isEncrypted(stored)) return stored;
    const parts = stored.slice(PREFIX.length).split(':');
    if (parts.length !== 3) throw new FieldDecryptError('加密字段格式损坏');
    const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
    try {
      const d = createDecipheriv('aes-256-gcm', this.encKey, iv);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    } catch {
      throw new FieldDecryptError('加密字段无法解密：密钥不对或数据被改动');
    }
  }

  /**
   * A MAC under a sub-key of its own for each purpose (`label`): case rows, the audit head.
   * Separate from the lookup key, so a lookup hash never doubles as a row seal.
   */
  mac(label: string, data: string): string {
    let key = this.macKeys.get(label);
    if (!key) this.macKeys.set(label, (key = Buffer.from(hkdfSync('sha256', this.macKey, Buffer.alloc(0), `humiao ${label} mac v1`, 32))));
    return createHmac('sha256', key).update(data).digest('hex');
  }
  private readonly macKeys = new Map<string, Buffer>();

  /** A value stored with the database so a wrong key is caught at start-up, not on first read. */
  keyCheck(): string {
    return createHmac('sha256', this.macKey).update('humiao key check v1').digest('hex');
  }
}

/** The cipher for the data key (`HUMIAO_DATA_KEY`), or null when there is none (cases are then stored in plain text). */
export function fieldCipherFor(raw: string | undefined): FieldCipher | null {
  if (!raw || raw.trim() === '') return null;
  return new FieldCipher(parseDataKey(raw));
}

/** Encrypt a nullable field; null stays null so "not given" is still visible to queries. */
export function encryptOpt(cipher: FieldCipher | null, v: string | null): string | null {
  return v === null || cipher === null ? v : cipher.encrypt(v);
}

export function decryptOpt(cipher: FieldCipher | null, v: string | null): string | null {
  if (v === null) return null;
  if (cipher === null) {
    if (isEncrypted(v)) throw new DataKeyMissingError('数据库中有加密的个案数据，但没有设置 HUMIAO_DATA_KEY。请设置加密时使用的密钥后再启动。');
    return v;
  }
  return cipher.decrypt(v);
}

/**
 * A seal over `data`: `hmac:` + HMAC under the data key when one is set (only the key holder can
 * make one, so an edit by someone with just the database is caught), else `sha256:` + a plain
 * hash (catches accidental damage only: anyone can recompute it).
 */
export function sealOf(cipher: FieldCipher | null, label: string, data: string): string {
  return cipher ? `hmac:${cipher.mac(label, data)}` : `sha256:${createHash('sha256').update(label).update('\n').update(data).digest('hex')}`;
}

/** A JSON value encrypted as one field (reply cache, outbox bodies, dialog state). */
export function encryptJson(cipher: FieldCipher | null, value: unknown): string {
  return encryptOpt(cipher, JSON.stringify(value))!;
}

export function decryptJson<T>(cipher: FieldCipher | null, stored: string): T {
  return JSON.parse(decryptOpt(cipher, stored)!) as T;
}

/**
 * A close reason is `C02 已入学(复学)` or `C99 其他：<free text>`. The coded part is counted by
 * the statistics and names no one; the free text may, so only it is encrypted.
 */
export function encryptCloseReason(cipher: FieldCipher | null, reason: string): string {
  const at = reason.indexOf('：');
  if (cipher === null || at < 0) return reason;
  return `${reason.slice(0, at + 1)}${cipher.encrypt(reason.slice(at + 1))}`;
}

export function decryptCloseReason(cipher: FieldCipher | null, stored: string | null): string | null {
  if (stored === null) return null;
  const at = stored.indexOf('：');
  return at < 0 ? stored : `${stored.slice(0, at + 1)}${decryptOpt(cipher, stored.slice(at + 1))}`;
}
