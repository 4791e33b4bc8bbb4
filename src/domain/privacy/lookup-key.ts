import { createHash, createHmac } from 'node:crypto';

/**
 * Lookup keys let the store find a case by ID number or by name + village without reading the
 * plain columns, so duplicate checks keep working once those columns are encrypted.
 *
 * With a data key configured ({@link useLookupSecret}, done once at start-up) they are
 * HMAC-SHA256 under a key derived from `HUMIAO_DATA_KEY`, so a copy of the database cannot be
 * searched by hashing every possible ID number. Without a key they are plain SHA-256.
 * Process-wide on purpose: one bot serves one database with one key.
 */
let secret: Buffer | null = null;

export function useLookupSecret(key: Buffer | null): void {
  secret = key;
}

function digest(s: string): string {
  return secret ? createHmac('sha256', secret).update(s).digest('hex') : createHash('sha256').update(s).digest('hex');
}

export function idLookupHash(idNumber: string): string {
  return digest(`id:${idNumber.trim().toUpperCase()}`);
}

export function nameVillageKey(fullName: string, village: string): string {
  return digest(`nv:${fullName.trim()}|${village.trim()}`);
}
