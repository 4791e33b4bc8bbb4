/**
 * How a name or number on file is written down for the group filter, both when the store marks
 * a case and when a message is checked: the two sides must agree character for character.
 */

/**
 * Characters a writer can slip between the characters of a name or number without changing how
 * it reads: spaces of every width, zero-width spaces and joiners, the BOM, soft hyphens.
 */
export const INVISIBLE = /[\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

/** A name as the filter compares it: without invisible characters; null when under 2 characters (too common to mask). */
export function nameKey(name: string): string | null {
  const key = name.replace(INVISIBLE_ALL, '');
  return [...key].length < 2 ? null : key;
}

/** A number as written, and its digits alone (「0551-1234567」 is also typed 「05511234567」). */
export function numberKeys(num: string): string[] {
  const plain = num.replace(INVISIBLE_ALL, '');
  const digits = plain.replace(/[^0-9Xx]/g, '');
  return plain === digits ? [plain] : [plain, digits];
}
