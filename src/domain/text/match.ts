import { normalizeText } from './normalize.js';
import { Vocabulary, prepareText } from './vocabulary.js';

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

  constructor(candidates: readonly string[]) {
    this.candidates = candidates;
    for (const c of candidates) this.byNorm.set(normalizeText(c), c);
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
    const part = new Vocabulary([{ text: norm, value: true }]);
    const hits = this.candidates.filter((c) => part.findAll(prepareText(c)).length > 0);
    return hits.length === 1 ? hits[0] : undefined;
  }
}

export function matchTerm(input: string, candidates: readonly string[]): string | undefined {
  return new TermMatcher(candidates).match(input);
}
