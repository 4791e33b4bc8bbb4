import { normalizeText } from './normalize.js';
import { Vocabulary, prepareText, type PreparedText } from './vocabulary.js';

/**
 * Picks the one candidate a short answer means — a button label typed by hand, a village name,
 * a category — tolerating width, punctuation, homophone typos and partial names. Returns
 * undefined when nothing or more than one candidate fits, so callers ask again instead of guessing.
 *
 * Build a `TermMatcher` once for a fixed list; `matchTerm` is the one-off form.
 */
export class TermMatcher {
  private readonly byNorm = new Map<string, string>();
  private readonly inInput: Vocabulary<string>;
  private readonly candidates: readonly string[];
  /** Candidate positions by each character of the normalised candidate. */
  private readonly byChar = new Map<string, number[]>();
  /** Candidates prepared (pinyin) on first need, by position. */
  private readonly prepared: Array<PreparedText | undefined>;

  constructor(candidates: readonly string[]) {
    this.candidates = candidates;
    this.prepared = new Array<PreparedText | undefined>(candidates.length);
    candidates.forEach((c, i) => {
      const norm = normalizeText(c);
      this.byNorm.set(norm, c);
      for (const ch of new Set(norm)) {
        const list = this.byChar.get(ch);
        if (list) list.push(i);
        else this.byChar.set(ch, [i]);
      }
    });
    this.inInput = new Vocabulary(candidates.map((c) => ({ text: c, value: c })));
  }

  match(input: string): string | undefined {
    const norm = normalizeText(input);
    if (norm.length === 0) return undefined;
    const exact = this.byNorm.get(norm);
    if (exact !== undefined) return exact;
    // The input names a candidate among other words: 「我选留手儿童吧」.
    const named = this.inInput.values(input);
    if (named.length === 1) return named[0];
    if (named.length > 1) return undefined;
    // The input is part of one candidate: 「留手」 → 留守儿童. One character is too little to go on.
    if ([...norm].length < 2) return undefined;
    // Only candidates sharing a character can contain it: a match needs one exact character.
    const part = new Vocabulary([{ text: norm, value: true }]);
    const near = new Set<number>();
    for (const ch of norm) for (const i of this.byChar.get(ch) ?? []) near.add(i);
    let hit: string | undefined;
    for (const i of near) {
      if (part.findAll((this.prepared[i] ??= prepareText(this.candidates[i]!))).length === 0) continue;
      if (hit !== undefined) return undefined;
      hit = this.candidates[i]!;
    }
    return hit;
  }
}

export function matchTerm(input: string, candidates: readonly string[]): string | undefined {
  return new TermMatcher(candidates).match(input);
}
