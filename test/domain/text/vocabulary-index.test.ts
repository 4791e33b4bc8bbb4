import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TermMatcher } from '../../../src/domain/text/match.js';
import { isHan, normalizeText } from '../../../src/domain/text/normalize.js';
import { toPinyin } from '../../../src/domain/text/pinyin.js';
import { Vocabulary, prepareText, type Mention, type PreparedText } from '../../../src/domain/text/vocabulary.js';

/**
 * The vocabulary and term matcher look only at terms sharing a character with the text. These
 * properties hold them to the plain scan over every term they replaced, on alphabets rich in
 * homophones (留/六/刘, 守/手/首, 民/敏, 政/症/正, 所/锁) so matches by sound are common.
 */

const ALPHABET = [...'留六刘守手首民敏政症正所锁儿童而同派出处镇村王汪庄装a1'];

interface RefTerm {
  term: string;
  chars: string[];
  pinyin: string[];
  value: number;
  notIn: string[][];
}

function refCompile(terms: Array<{ text: string; value: number; notIn?: string[] }>): RefTerm[] {
  const seen = new Set<string>();
  const out: RefTerm[] = [];
  for (const t of terms) {
    const norm = normalizeText(t.text);
    if (!norm) continue;
    const key = `${norm}\u0000${JSON.stringify(t.value)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ term: norm, chars: [...norm], pinyin: toPinyin(norm), value: t.value, notIn: (t.notIn ?? []).map((x) => [...normalizeText(x)]).filter((x) => x.length > 0) });
  }
  return out;
}

/** The scan over every term at every position, as the vocabulary did before it had an index. */
function refFindAll(terms: RefTerm[], p: PreparedText): Array<Mention<number>> {
  const found: Array<Mention<number>> = [];
  for (const t of terms) {
    const n = t.chars.length;
    const minExact = n <= 1 ? 1 : Math.ceil(n / 2);
    for (let i = 0; i + n <= p.chars.length; i++) {
      let exact = 0;
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const c = p.chars[i + k]!;
        if (c === t.chars[k]) exact++;
        else ok = isHan(t.chars[k]!) && isHan(c) && p.pinyin[i + k] === t.pinyin[k];
      }
      if (!ok || exact < minExact) continue;
      const excluded = t.notIn.some((ph) => {
        for (let s = Math.max(0, i + n - ph.length); s <= i && s + ph.length <= p.chars.length; s++) {
          if (ph.every((ch, k) => p.chars[s + k] === ch)) return true;
        }
        return false;
      });
      if (!excluded) found.push({ value: t.value, term: t.term, start: i, end: i + n, exact });
    }
  }
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || b.exact - a.exact || a.start - b.start);
  const taken = new Uint8Array(p.chars.length);
  const chosen: Array<Mention<number>> = [];
  for (const m of found) {
    let free = true;
    for (let k = m.start; k < m.end; k++) if (taken[k]) free = false;
    if (!free) continue;
    for (let k = m.start; k < m.end; k++) taken[k] = 1;
    chosen.push(m);
  }
  return chosen.sort((a, b) => a.start - b.start);
}

const word = (min: number, max: number) => fc.array(fc.constantFrom(...ALPHABET), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
/** Lists below and well above the size at which the vocabulary starts indexing. */
const smallOrLarge = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(fc.array(item, { minLength: 1, maxLength: 20 }), fc.array(item, { minLength: 40, maxLength: 150, size: 'max' }));

describe('indexed vocabulary lookups', () => {
  it('find the same mentions as a scan over every term, for small and large vocabularies', () => {
    fc.assert(
      fc.property(
        smallOrLarge(fc.record({ text: word(1, 4), value: fc.integer({ min: 0, max: 5 }), notIn: fc.array(word(2, 5), { maxLength: 1 }) })),
        fc.array(word(0, 12), { minLength: 1, maxLength: 5 }),
        (terms, texts) => {
          const vocab = new Vocabulary(terms);
          const ref = refCompile(terms);
          for (const text of texts) {
            const p = prepareText(text);
            expect(vocab.findAll(p)).toEqual(refFindAll(ref, p));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pick the same single candidate as checking every candidate', () => {
    fc.assert(
      fc.property(smallOrLarge(word(1, 5)), fc.array(word(0, 5), { minLength: 1, maxLength: 5 }), (candidates, inputs) => {
        const matcher = new TermMatcher(candidates);
        for (const input of inputs) {
          const norm = normalizeText(input);
          let expected: string | undefined;
          if (norm) {
            const byNorm = new Map(candidates.map((c) => [normalizeText(c), c]));
            const named = new Vocabulary(candidates.map((c) => ({ text: c, value: c }))).values(input);
            if (byNorm.has(norm)) expected = byNorm.get(norm);
            else if (named.length === 1) expected = named[0];
            else if (named.length === 0 && [...norm].length >= 2) {
              const part = refCompile([{ text: norm, value: 1 }]);
              const hits = candidates.filter((c) => refFindAll(part, prepareText(c)).length > 0);
              expected = hits.length === 1 ? hits[0] : undefined;
            }
          }
          expect(matcher.match(input)).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
