import { isHan } from '../text/normalize.js';
import { toPinyinEach } from '../text/pinyin.js';

/**
 * Finds which passages (tasks, requirements) a question's own words come from, by shared
 * character bigrams weighted by rarity — 回归安置 names one task, 信息 names many. A bigram that
 * occurs nowhere is tried again by pinyin, for IME typos.
 */

export interface WordHit<T> {
  item: T;
  score: number;
  /** Share of the question's bigrams found in this passage. */
  coverage: number;
}

interface Doc<T> {
  item: T;
  chars: Set<string>;
  sounds: Set<string>;
}

function bigrams(chars: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

function soundBigrams(chars: readonly string[], py: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) {
    out.push(isHan(chars[i]!) && isHan(chars[i + 1]!) ? `${py[i]} ${py[i + 1]}` : '');
  }
  return out;
}

export class WordIndex<T> {
  private readonly docs: Doc<T>[];
  private readonly charDf = new Map<string, number>();
  private readonly soundDf = new Map<string, number>();

  constructor(items: readonly T[], textOf: (item: T) => string) {
    const texts = items.map((item) => textOf(item).replace(/[\s\p{P}\p{S}]/gu, ''));
    const pys = toPinyinEach(texts);
    this.docs = items.map((item, i) => {
      const chars = [...texts[i]!];
      return { item, chars: new Set(bigrams(chars)), sounds: new Set(soundBigrams(chars, pys[i]!).filter(Boolean)) };
    });
    for (const d of this.docs) {
      for (const b of d.chars) this.charDf.set(b, (this.charDf.get(b) ?? 0) + 1);
      for (const b of d.sounds) this.soundDf.set(b, (this.soundDf.get(b) ?? 0) + 1);
    }
  }

  /**
   * Rarity weight scaled so a bigram found in one passage weighs 3 whatever the corpus size, so
   * one score threshold serves a plan with 20 tasks and one with 5.
   */
  private idf(df: number): number {
    const n = this.docs.length;
    return (3 * Math.log(1 + n / df)) / Math.log(1 + n);
  }

  /**
   * Passages sharing words with the runs of content characters (each run given with its pinyin),
   * best first. Only passages sharing at least one bigram are returned.
   */
  search(runs: readonly { chars: readonly string[]; pinyin: readonly string[] }[], filter?: (item: T) => boolean): WordHit<T>[] {
    const terms: { char: string; sound: string }[] = [];
    const seen = new Set<string>();
    for (const run of runs) {
      const cb = bigrams(run.chars);
      const sb = soundBigrams(run.chars, run.pinyin);
      cb.forEach((b, i) => {
        if (seen.has(b)) return;
        seen.add(b);
        terms.push({ char: b, sound: sb[i] ?? '' });
      });
    }
    if (terms.length === 0) return [];
    const hits: WordHit<T>[] = [];
    for (const d of this.docs) {
      if (filter && !filter(d.item)) continue;
      let score = 0;
      let matched = 0;
      for (const t of terms) {
        const cdf = this.charDf.get(t.char);
        if (cdf !== undefined) {
          if (d.chars.has(t.char)) {
            score += this.idf(cdf);
            matched++;
          }
          continue;
        }
        const sdf = t.sound ? this.soundDf.get(t.sound) : undefined;
        if (sdf !== undefined && d.sounds.has(t.sound)) {
          score += this.idf(sdf) * 0.8;
          matched++;
        }
      }
      if (matched > 0) hits.push({ item: d.item, score, coverage: matched / terms.length });
    }
    return hits.sort((a, b) => b.score - a.score);
  }
}
