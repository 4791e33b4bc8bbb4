import { isHan, normalizeText } from './normalize.js';
import { toPinyin } from './pinyin.js';

/**
 * A vocabulary of terms found inside free text by characters or, for pinyin-IME typos, by sound:
 * 留手儿童 finds 留守儿童, 千头 finds 牵头, 民症所 finds 民政所. A term's pinyin is computed once,
 * the first time it is compared by sound; a question costs one pinyin conversion and a look at the terms that
 * share a character with it (every match has at least one exact character).
 */

/** Normalised text with its per-character pinyin, computed once and shared by every lookup. */
export interface PreparedText {
  readonly norm: string;
  readonly chars: readonly string[];
  readonly pinyin: readonly string[];
  /** Whether each character is Han (only Han characters may match by sound). */
  readonly han: readonly boolean[];
}

export function prepareText(text: string): PreparedText {
  const norm = normalizeText(text);
  const chars = [...norm];
  return { norm, chars, pinyin: toPinyin(norm), han: chars.map(isHan) };
}

export interface Term<T> {
  text: string;
  value: T;
  /** Phrases in which this term does not count (宣传 inside 法治宣传 is not 宣传办). */
  notIn?: readonly string[];
}

export interface Mention<T> {
  value: T;
  /** The vocabulary term that matched (normalised). */
  term: string;
  /** Character offsets in the prepared text, end exclusive. */
  start: number;
  end: number;
  /** How many characters matched exactly rather than by sound. */
  exact: number;
}

interface CompiledTerm<T> {
  term: string;
  chars: string[];
  /** Made the first time the term is compared by sound: most terms never are, and a start converted thousands. */
  pinyin?: string[];
  han: boolean[];
  value: T;
  notIn: string[][];
  minExact: number;
}

/**
 * At least half the characters must match exactly: one homophone in a two-character word
 * (千头) is a typo, two (前途 for 牵头) is a different word.
 */
function minExactFor(len: number): number {
  return len <= 1 ? 1 : Math.ceil(len / 2);
}

/** Below this many terms a lookup just tries them all; the index would cost more than it saves. */
const INDEX_FROM = 32;

export class Vocabulary<T> {
  private readonly terms: CompiledTerm<T>[] = [];
  /** Term numbers (ascending) by each character the term contains. */
  private readonly byChar = new Map<string, number[]>();
  /** Per term, the lookup that last picked it: dedupes candidates without clearing a set. */
  private stamps: Uint32Array = new Uint32Array(0);
  private lookup = 0;

  constructor(terms: Iterable<Term<T>>) {
    const seen = new Set<string>();
    for (const t of terms) {
      const norm = normalizeText(t.text);
      if (norm.length === 0) continue;
      const key = `${norm}\u0000${JSON.stringify(t.value)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const chars = [...norm];
      this.terms.push({
        term: norm,
        chars,
        han: chars.map(isHan),
        value: t.value,
        notIn: (t.notIn ?? []).map((x) => [...normalizeText(x)]).filter((x) => x.length > 0),
        minExact: minExactFor(chars.length),
      });
    }
    if (this.terms.length >= INDEX_FROM) {
      this.terms.forEach((t, i) => {
        for (const ch of new Set(t.chars)) {
          const list = this.byChar.get(ch);
          if (list) list.push(i);
          else this.byChar.set(ch, [i]);
        }
      });
      this.stamps = new Uint32Array(this.terms.length);
    }
  }

  get size(): number {
    return this.terms.length;
  }

  /**
   * Non-overlapping mentions in reading order. Where candidates overlap, the longer wins, then
   * the one with more exact characters, so 严重不良行为 beats 不良行为 and 留守儿童 beats 留守.
   */
  findAll(text: string | PreparedText): Mention<T>[] {
    const p = typeof text === 'string' ? prepareText(text) : text;
    const found: Mention<T>[] = [];
    for (const t of this.candidates(p)) {
      const n = t.chars.length;
      for (let i = 0; i + n <= p.chars.length; i++) {
        const exact = this.matchAt(t, p, i);
        if (exact < 0) continue;
        if (t.notIn.length > 0 && insideExcluded(p.chars, i, i + n, t.notIn)) continue;
        found.push({ value: t.value, term: t.term, start: i, end: i + n, exact });
      }
    }
    found.sort((a, b) => b.end - b.start - (a.end - a.start) || b.exact - a.exact || a.start - b.start);
    const taken = new Uint8Array(p.chars.length);
    const chosen: Mention<T>[] = [];
    for (const m of found) {
      let free = true;
      for (let k = m.start; k < m.end; k++) if (taken[k]) free = false;
      if (!free) continue;
      for (let k = m.start; k < m.end; k++) taken[k] = 1;
      chosen.push(m);
    }
    return chosen.sort((a, b) => a.start - b.start);
  }

  /** Distinct values mentioned, in reading order. */
  values(text: string | PreparedText): T[] {
    const out: T[] = [];
    for (const m of this.findAll(text)) if (!out.includes(m.value)) out.push(m.value);
    return out;
  }

  /**
   * The terms that could match in the text, in vocabulary order (ties in findAll keep it): those
   * sharing a character with the text, since a match needs at least one exact character.
   */
  private candidates(p: PreparedText): readonly CompiledTerm<T>[] {
    if (this.byChar.size === 0) return this.terms;
    if (++this.lookup === 0xffffffff) {
      this.stamps.fill(0);
      this.lookup = 1;
    }
    const picked: number[] = [];
    for (const ch of p.chars) {
      const list = this.byChar.get(ch);
      if (!list) continue;
      for (const i of list) {
        if (this.stamps[i] === this.lookup) continue;
        this.stamps[i] = this.lookup;
        picked.push(i);
      }
    }
    picked.sort((a, b) => a - b);
    return picked.map((i) => this.terms[i]!);
  }

  /** Exact-character count of a match at position i, or -1 when the term does not match there. */
  private matchAt(t: CompiledTerm<T>, p: PreparedText, i: number): number {
    let exact = 0;
    for (let k = 0; k < t.chars.length; k++) {
      const c = p.chars[i + k];
      if (c === t.chars[k]) {
        exact++;
        continue;
      }
      if (!t.han[k] || c === undefined || !p.han[i + k] || p.pinyin[i + k] !== (t.pinyin ??= toPinyin(t.term))[k]) return -1;
    }
    return exact >= t.minExact ? exact : -1;
  }
}

function insideExcluded(chars: readonly string[], start: number, end: number, phrases: readonly string[][]): boolean {
  for (const phrase of phrases) {
    const len = phrase.length;
    for (let s = Math.max(0, end - len); s <= start && s + len <= chars.length; s++) {
      let same = true;
      for (let k = 0; k < len && same; k++) same = chars[s + k] === phrase[k];
      if (same) return true;
    }
  }
  return false;
}
