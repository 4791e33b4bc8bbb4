import { normalizeInput } from './normalize.js';

/**
 * A person's name: 2–30 characters of Han script with the middle dot used in transcribed
 * names (阿依古丽·买买提). Variant dots (•, ・, ．) are normalised to ·.
 */
export function parsePersonName(input: string): string | undefined {
  const s = normalizeInput(input)
    .replace(/\s+/g, '')
    .replace(/[•・‧∙.]/g, '·');
  if (s.length < 2 || s.length > 30) return undefined;
  if (!/^[\p{Script=Han}·]+$/u.test(s)) return undefined;
  if (s.startsWith('·') || s.endsWith('·') || s.includes('··')) return undefined;
  return s;
}
