import { createHash, createHmac } from 'node:crypto';

/**
 * Lookup keys let the store find a case by ID number or by name + village without reading the
 * plain columns, so duplicate checks keep working once those columns are encrypted.
 *
 * With a data key they are HMAC-SHA256 under a key derived from `HUMIAO_DATA_KEY`, so a copy of
 * the database cannot be searched by hashing every possible ID number. Without a key they are
 * plain SHA-256. Each town's context carries its own (AppDeps.lookup): the keys a case was stored
 * under must be the keys it is looked up with, and nothing process-wide can drift from the store's key.
 */
export interface LookupKeys {
  idLookupHash(idNumber: string): string;
  nameVillageKey(fullName: string, village: string): string;
}

/** The lookup keys under `secret` (the cipher's lookup key), or plain hashes when there is none. */
export function lookupKeys(secret: Buffer | null): LookupKeys {
  const digest = (s: string): string =>
    secret ? createHmac('sha256', secret).update(s).digest('hex') : createHash('sha256').update(s).digest('hex');
  return {
    idLookupHash: (idNumber) => digest(`id:${idNumber.trim().toUpperCase()}`),
    nameVillageKey: (fullName, village) => digest(`nv:${fullName.trim()}|${village.trim()}`),
  };
}

/** Lookup keys of a store kept without a data key. */
export const plainLookupKeys: LookupKeys = lookupKeys(null);
