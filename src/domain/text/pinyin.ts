import { pinyin } from 'pinyin-pro';

/**
 * Toneless pinyin, one entry per character (code point) of the input, chosen in context so
 * polyphones read as in the phrase. Non-Chinese characters map to themselves.
 */
export function toPinyin(text: string): string[] {
  const chars = [...text];
  if (chars.length === 0) return [];
  const out = pinyin(text, { toneType: 'none', type: 'array', v: true });
  if (out.length === chars.length) return out;
  // Defensive: should pinyin-pro ever group characters, convert them one at a time.
  return chars.map((ch) => pinyin(ch, { toneType: 'none', type: 'array', v: true })[0] ?? ch);
}
