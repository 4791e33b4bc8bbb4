import { createHash } from 'node:crypto';

/**
 * Lookup keys let the store find a case by ID number or by name + village without reading the
 * plain columns, so duplicate checks keep working once those columns are encrypted. Today they
 * are plain SHA-256; the security work can switch them to a keyed HMAC (and rehash) here alone.
 */
export function idLookupHash(idNumber: string): string {
  return createHash('sha256').update(`id:${idNumber.trim().toUpperCase()}`).digest('hex');
}

export function nameVillageKey(fullName: string, village: string): string {
  return createHash('sha256').update(`nv:${fullName.trim()}|${village.trim()}`).digest('hex');
}
