import { createRequire } from 'node:module';
import { cachedParse } from '../../config/parse-cache.js';

type Pinyin = typeof import('pinyin-pro').pinyin;
let loaded: Pinyin | undefined;
/**
 * pinyin-pro and its dictionaries take longer to load than the rest of a CLI command: loaded
 * (synchronously, through its CommonJS build) the first time anything needs a pinyin, which a
 * command that never matches by sound never does.
 */
const requireHere = createRequire(import.meta.url);
export const pinyin: Pinyin = (text, options) => (loaded ??= (requireHere('pinyin-pro') as typeof import('pinyin-pro')).pinyin)(text, options as never) as never;

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

/**
 * {@link toPinyin} of each text. A compiled run keeps the results for a corpus (the plan's tasks
 * and requirements the Q&A index is built from: most of building it, which the first question
 * after a start waits for) in the parse cache, keyed by the texts and pinyin-pro's version.
 */
export function toPinyinEach(texts: readonly string[]): string[][] {
  return cachedParse('pinyin', [libraryTag(), ...texts], () => texts.map(toPinyin));
}

/**
 * Each text's pinyin initials and its full toneless pinyin, run together in lower case (李建中:
 * 「ljz」, 「lijianzhong」), as a typed answer may spell a choice. Cached like {@link toPinyinEach}:
 * a config's pick-lists (every cadre's name among them) are converted before the first message.
 */
export function spellingsEach(texts: readonly string[]): { initials: string[]; spelled: string[] } {
  return cachedParse('spellings', [libraryTag(), ...texts], () => ({
    initials: texts.map((n) => pinyin(n, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase()),
    spelled: texts.map((n) => pinyin(n, { toneType: 'none', type: 'array', v: true }).join('').toLowerCase()),
  }));
}

/** What a cached conversion depends on besides its texts: the library's version. */
function libraryTag(): string {
  return `pinyin-pro ${(requireHere('pinyin-pro/package.json') as { version: string }).version}`;
}
