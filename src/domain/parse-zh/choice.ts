import { spellingsEach } from '../text/pinyin.js';
import { TermMatcher } from '../text/match.js';
import { normalizeText } from '../text/normalize.js';
import { parseChineseNumber } from './numerals.js';

/** One option of a pick-list. `value` is what is stored; `label` what the user sees. */
export interface ChoiceOption {
  value: string;
  label: string;
  /** Other words people use for it: 奶奶 for 祖母, 留守 for 农村留守儿童. */
  aliases?: readonly string[];
}

export type ChoiceResult =
  | { ok: true; values: string[]; /** Text after the choice, when `allowDetail`. */ detail?: string }
  | { ok: false; reason: 'empty' | 'unknown' | 'ambiguous' | 'single-only'; token?: string; candidates?: string[] };

export interface ChoiceOptions {
  /** Several answers at once: 1、3 / 1,3 / 1 3 / 留守 服刑. */
  multiple?: boolean;
  /** A single choice followed by free detail: 「小学，墩集中心校三年级」. */
  allowDetail?: boolean;
}

const SEPARATORS = /[、,，;；\s/|]+|(?<=\d)(?:和|及)(?=\d)/;

type One = { value: string } | { ambiguous: string[] } | undefined;

interface Prepared {
  options: readonly ChoiceOption[];
  exact: Map<string, string>;
  initials: Map<string, Set<string>>;
  spelled: Map<string, Set<string>>;
  fuzzy: TermMatcher;
  termToValue: Map<string, string>;
}

const cache = new WeakMap<readonly ChoiceOption[], Prepared>();

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  if (!key) return;
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function prepare(options: readonly ChoiceOption[]): Prepared {
  const hit = cache.get(options);
  if (hit) return hit;
  const exact = new Map<string, string>();
  const initials = new Map<string, Set<string>>();
  const spelled = new Map<string, Set<string>>();
  const termToValue = new Map<string, string>();
  const han: { n: string; value: string }[] = [];
  for (const o of options) {
    for (const term of [o.label, o.value, ...(o.aliases ?? [])]) {
      const n = normalizeText(term);
      if (!n) continue;
      if (!exact.has(n)) exact.set(n, o.value);
      if (!termToValue.has(term)) termToValue.set(term, o.value);
      if (/\p{Script=Han}/u.test(n)) han.push({ n, value: o.value });
    }
  }
  // Converted in one go, so a compiled run reads a long list's spellings from its cache.
  const sp = spellingsEach(han.map((h) => h.n));
  han.forEach((h, i) => {
    addTo(initials, sp.initials[i]!, h.value);
    addTo(spelled, sp.spelled[i]!, h.value);
  });
  const prepared: Prepared = { options, exact, initials, spelled, fuzzy: new TermMatcher([...termToValue.keys()]), termToValue };
  cache.set(options, prepared);
  return prepared;
}

function labelOf(p: Prepared, value: string): string {
  return p.options.find((o) => o.value === value)?.label ?? value;
}

function matchOne(p: Prepared, raw: string): One {
  const token = normalizeText(raw);
  if (!token) return undefined;
  // By number: 3, 第3项, 三.
  const numText = token.replace(/^第/, '').replace(/[个项条号]$/, '');
  const n = parseChineseNumber(numText);
  if (n !== undefined && /^[\d〇零一二两三四五六七八九十]+$/.test(numText)) {
    return n >= 1 && n <= p.options.length ? { value: p.options[n - 1]!.value } : undefined;
  }
  const exact = p.exact.get(token);
  if (exact !== undefined) return { value: exact };
  if (/^[a-z]+$/.test(token)) {
    const set = p.initials.get(token) ?? p.spelled.get(token);
    if (set && set.size === 1) return { value: [...set][0]! };
    if (set && set.size > 1) return { ambiguous: [...set].map((v) => labelOf(p, v)) };
    return undefined;
  }
  // 「不高」 names 高 but means the opposite: a negated answer is never matched loosely.
  if (/^(不|没|非|无|未)/.test(token)) return undefined;
  const term = p.fuzzy.match(raw);
  if (term !== undefined) return { value: p.termToValue.get(term)! };
  // Tell the user which options a partial word could mean rather than just "not understood";
  // one character is too little to pick an option on its own.
  const values = new Set<string>();
  for (const [t, v] of p.exact) if (t.includes(token)) values.add(v);
  if (values.size > 1) return { ambiguous: [...values].map((v) => labelOf(p, v)) };
  if (values.size === 1 && [...token].length >= 2) return { value: [...values][0]! };
  return undefined;
}

/**
 * What a typed answer picks from `options`: by number, label, alias, stored value, pinyin
 * initials or full pinyin, or a fuzzy (partial or homophone) match when only one option fits.
 * With `multiple`, several answers separated by 、 , ， ; space or / are accepted; every part
 * must match, so a typo is reported instead of silently dropped.
 */
export function matchChoices(input: string, options: readonly ChoiceOption[], opts: ChoiceOptions = {}): ChoiceResult {
  const p = prepare(options);
  const text = input.normalize('NFKC').trim();
  if (!normalizeText(text)) return { ok: false, reason: 'empty' };
  const tokens = text.split(SEPARATORS).filter((t) => normalizeText(t));
  const exactWhole = p.exact.get(normalizeText(text));
  if (exactWhole !== undefined) return { ok: true, values: [exactWhole] };
  // A detail must be split off before fuzzy matching, which would find the choice inside it.
  if (opts.allowDetail && !opts.multiple) {
    const head = tokens[0] ?? '';
    const first = tokens.length > 1 ? matchOne(p, head) : undefined;
    if (first && 'value' in first) {
      return { ok: true, values: [first.value], detail: text.slice(text.indexOf(head) + head.length).replace(/^[、,，;；\s/|:：]+/, '').trim() };
    }
    // 「小学三年级」: an option label at the start, detail glued on.
    const norm = normalizeText(text);
    const prefix = [...p.exact.keys()].filter((k) => norm.startsWith(k) && k.length < norm.length).sort((a, b) => b.length - a.length)[0];
    if (prefix) return { ok: true, values: [p.exact.get(prefix)!], detail: norm.slice(prefix.length) };
  }
  const whole = matchOne(p, text);
  if (whole && 'value' in whole) return { ok: true, values: [whole.value] };
  if (tokens.length <= 1) {
    if (whole && 'ambiguous' in whole) return { ok: false, reason: 'ambiguous', token: text, candidates: whole.ambiguous };
    return { ok: false, reason: 'unknown', token: text };
  }
  if (!opts.multiple) return { ok: false, reason: 'single-only' };
  const values: string[] = [];
  for (const t of tokens) {
    const one = matchOne(p, t);
    if (!one) return { ok: false, reason: 'unknown', token: t };
    if ('ambiguous' in one) return { ok: false, reason: 'ambiguous', token: t, candidates: one.ambiguous };
    if (!values.includes(one.value)) values.push(one.value);
  }
  return { ok: true, values };
}
