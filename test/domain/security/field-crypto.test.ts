import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  DataKeyFormatError,
  FieldCipher,
  FieldDecryptError,
  fieldCipherFor,
  isEncrypted,
  parseDataKey,
} from '../../../src/domain/security/field-crypto.js';

const key = randomBytes(32);

describe('field encryption', () => {
  it('round-trips Unicode and gives a different ciphertext each time', () => {
    const c = new FieldCipher(key);
    const a = c.encrypt('王小明 341324201305061234');
    const b = c.encrypt('王小明 341324201305061234');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toContain('王');
    expect(c.decrypt(a)).toBe('王小明 341324201305061234');
    expect(c.decrypt(c.encrypt(''))).toBe('');
  });

  it('passes plain values written before a key was set through unchanged', () => {
    expect(new FieldCipher(key).decrypt('王小明')).toBe('王小明');
    expect(isEncrypted('王小明')).toBe(false);
  });

  it('refuses a tampered ciphertext and the wrong key', () => {
    const c = new FieldCipher(key);
    const enc = c.encrypt('13812345678');
    const parts = enc.split(':');
    const ct = Buffer.from(parts[3]!, 'base64');
    ct[0] = ct[0]! ^ 1;
    expect(() => c.decrypt([...parts.slice(0, 3), ct.toString('base64')].join(':'))).toThrow(FieldDecryptError);
    expect(() => new FieldCipher(randomBytes(32)).decrypt(enc)).toThrow(FieldDecryptError);
  });

  it('reads the key as base64 or hex and rejects anything else with a Chinese message', () => {
    expect(parseDataKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseDataKey(key.toString('hex')).equals(key)).toBe(true);
    expect(() => parseDataKey('short')).toThrow(DataKeyFormatError);
    expect(() => parseDataKey(randomBytes(16).toString('base64'))).toThrow(/openssl rand -base64 32/);
    expect(fieldCipherFor(undefined)).toBeNull();
    expect(fieldCipherFor(key.toString('hex'))).toBeInstanceOf(FieldCipher);
  });

  it('derives the same check value from the same key only', () => {
    expect(new FieldCipher(key).keyCheck()).toBe(new FieldCipher(Buffer.from(key)).keyCheck());
    expect(new FieldCipher(randomBytes(32)).keyCheck()).not.toBe(new FieldCipher(key).keyCheck());
  });
});
