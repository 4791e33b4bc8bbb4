import { defaultAliases, foreignUnitNames, planUnitTerms, type AliasTable } from '../plan/aliases.js';
import type { CategoryCode, PlanCategory, PlanMatrix, PlanRequirement, PlanTask } from '../plan/types.js';
import { isHan } from '../text/normalize.js';
import { Vocabulary, prepareText, type Mention, type PreparedText } from '../text/vocabulary.js';
import { INTENT_WORDS, STOP_CHARS, STOP_WORDS, type Intent } from './intents.js';
import { WordIndex } from './word-index.js';

/**
 * What a question mentions — categories, units, intent words — and the content words left over
 * for finding a task by its wording. Built once per plan: all vocabulary pinyin is computed here.
 */

export interface TaskRef {
  category: PlanCategory;
  task: PlanTask;
}

export interface Analysis {
  text: PreparedText;
  categories: PlanCategory[];
  units: string[];
  intents: Set<Intent>;
  /** The intent words as found, for telling an intent word from a task's own wording. */
  intentTerms: { intent: Intent; term: string }[];
  /** Runs of content characters (with pinyin) once mentions and filler words are removed. */
  runs: { chars: string[]; pinyin: string[] }[];
}

export class QaVocabulary {
  readonly categories: Vocabulary<string>;
  readonly units: Vocabulary<readonly string[]>;
  readonly intents: Vocabulary<Intent>;
  /** Units of other towns the alias table knows (see foreignUnitNames). */
  readonly foreignUnits: readonly string[];
  private readonly stopWords: Vocabulary<true>;
  readonly tasks: WordIndex<TaskRef>;
  readonly requirements: WordIndex<PlanRequirement>;
  /** Definitions and 包括 lists, so 「行政拘留的青少年」 finds its category without naming it. */
  readonly definitions: WordIndex<PlanCategory>;

  constructor(
    readonly plan: PlanMatrix,
    aliases: AliasTable = defaultAliases(),
  ) {
    // Keyed by PlanCategory.key: a category outside the standard five has no code.
    const catTerms: { text: string; value: string; notIn?: readonly string[] }[] = [];
    for (const c of plan.categories) {
      catTerms.push({ text: c.name, value: c.key });
      // A merged category (农村留守儿童和困境儿童) is found by each of its parts.
      for (const part of c.name.split(/和|及|与/)) if (part !== c.name && part.length >= 4) catTerms.push({ text: part, value: c.key });
      const entry = c.code ? aliases.category(c.code) : undefined;
      if (entry) {
        catTerms.push({ text: entry.name, value: c.key });
        for (const a of entry.aliases) catTerms.push({ text: a, value: c.key, notIn: entry.notIn });
      }
    }
    // The short name people use, read off the plan's own name: 有不良行为…青少年 → 不良, 农村留守儿童 → 留守.
    for (const c of plan.categories) {
      const short = shortCategoryName(c.name);
      if (short) catTerms.push({ text: short, value: c.key });
    }
    this.categories = new Vocabulary(catTerms);

    // Plan-relative: another town's plan never gets the alias table's 墩集 names.
    const unitTerms = planUnitTerms(plan, aliases).map((t) => ({ text: t.text, value: t.units, ...(t.notIn ? { notIn: t.notIn } : {}) }));
    this.foreignUnits = foreignUnitNames(plan, aliases);
    this.units = new Vocabulary(unitTerms);

    this.intents = new Vocabulary(
      (Object.entries(INTENT_WORDS) as [Intent, readonly string[]][]).flatMap(([intent, words]) =>
        words.map((w) => ({ text: w, value: intent })),
      ),
    );
    this.stopWords = new Vocabulary(STOP_WORDS.map((w) => ({ text: w, value: true as const })));

    const refs = plan.categories.flatMap((category) => category.tasks.map((task) => ({ category, task })));
    this.tasks = new WordIndex(refs, (r) => r.task.text);
    this.requirements = new WordIndex(plan.requirements, (r) => r.text);
    this.definitions = new WordIndex(plan.categories, (c) =>
      [c.definition.replace(c.name, ''), ...c.includes].join('；'),
    );
  }

  /**
   * `asContent`: intent words to read as the question's content instead (认定 in 「认定和补贴发放由谁负责」,
   * where the task itself says 认定审核): they are neither masked nor counted as an intent.
   */
  analyse(question: string, asContent: readonly string[] = []): Analysis {
    const text = prepareText(question);
    const n = text.chars.length;
    const masked = new Uint8Array(n);
    const mask = (ms: readonly Mention<unknown>[]) => {
      for (const m of ms) for (let k = m.start; k < m.end; k++) masked[k] = 1;
    };

    const catMentions = this.categories.findAll(text);
    const unitCandidates = this.units.findAll(text).filter((u) => !catMentions.some((c) => overlaps(c, u)));
    const unitMentions = unitCandidates.filter((u) => !isActivityWord(u, text, unitCandidates));
    const intentMentions = this.intents
      .findAll(text)
      .filter((i) => !catMentions.some((c) => overlaps(c, i)) && !unitMentions.some((u) => overlaps(u, i)))
      // A refusal needs the word itself: 因地制宜 sounds like 地址 but asks nothing about an address.
      .filter((i) => i.value !== 'unanswerable' || i.exact === i.end - i.start)
      .filter((i) => !asContent.includes(i.term));
    mask(catMentions);
    mask(unitMentions);
    mask(intentMentions);
    mask(this.stopWords.findAll(text).filter((s) => s.exact === s.end - s.start));
    for (let k = 0; k < n; k++) if (STOP_CHARS.includes(text.chars[k]!)) masked[k] = 1;

    const runs: Analysis['runs'] = [];
    let cur: { chars: string[]; pinyin: string[] } | undefined;
    for (let k = 0; k < n; k++) {
      if (masked[k]) {
        cur = undefined;
        continue;
      }
      if (!cur) {
        cur = { chars: [], pinyin: [] };
        runs.push(cur);
      }
      cur.chars.push(text.chars[k]!);
      cur.pinyin.push(text.pinyin[k]!);
    }

    const categories: PlanCategory[] = [];
    for (const m of catMentions) {
      const c = this.plan.categories.find((x) => x.key === m.value);
      if (c && !categories.includes(c)) categories.push(c);
    }
    const units: string[] = [];
    for (const m of unitMentions) for (const u of m.value) if (!units.includes(u)) units.push(u);
    return {
      text,
      categories,
      units,
      intents: new Set(intentMentions.map((m) => m.value)),
      intentTerms: intentMentions.map((m) => ({ intent: m.value, term: m.term })),
      runs: runs.filter((r) => r.chars.length >= 2),
    };
  }
}

const UNIT_SUFFIX = /[所委院校联办局站队会部]$/;

/**
 * A bare alias without a unit suffix (宣传, 就业, 司法) glued to a preceding content character is
 * part of an activity — 禁毒宣传, 公共就业 — not a unit. After 镇 or a filler character it is the unit.
 */
function isActivityWord(m: Mention<readonly string[]>, text: PreparedText, units: readonly Mention<unknown>[]): boolean {
  if (UNIT_SUFFIX.test(m.term) || m.start === 0) return false;
  if (units.some((u) => u.end === m.start)) return false; // 派出所公安: two names in a row
  const before = text.chars[m.start - 1]!;
  return isHan(before) && before !== '镇' && !STOP_CHARS.includes(before);
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The first two characters of a category's distinctive part (without 有/农村 and the person word), or undefined. */
export function shortCategoryName(name: string): string | undefined {
  const core = name.replace(/^(有|农村|城镇|城市)/, '').replace(/(青少年|未成年人|儿童|子女|人员|少年|青年)$/, '');
  const two = [...core].slice(0, 2).join('');
  return two.length === 2 && two !== name ? two : undefined;
}
