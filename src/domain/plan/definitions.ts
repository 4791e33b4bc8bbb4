import { chineseNumeral } from './headings.js';
import type { StatedAges } from './types.js';

/**
 * Definitions as plans write them — 「X是指…」, 「本方案所称X，是指…」, 「X包括:甲;乙;丙」 — and the
 * ages they state: 6周岁至25周岁, 6至25周岁, 16-25周岁, 未满16周岁, 不满十六周岁, 6周岁以上不满18周岁.
 */

const NUM = '[\\d一二三四五六七八九十两]+';

/** 「本方案所称留守儿童，是指…」 → 留守儿童是指…: the framing words are not part of the name. */
export function cleanDefinition(s: string): string {
  return s.replace(/^本(?:方案|通知|意见)(?:所称|中所称|所指|中的)/, '').replace(/[，,]\s*是指/, '是指');
}

/** The subject a definition sentence defines: 「闲散青少年是指…」 → 闲散青少年. */
export function definedName(sentence: string): string | undefined {
  const s = cleanDefinition(sentence);
  const at = s.search(/是指|包括[:：]?/);
  if (at <= 0) return undefined;
  const name = s.slice(0, at).trim().replace(/^[“"]|[”"]$/g, '');
  return name.length >= 2 && name.length <= 24 && !/[，,。；;]/.test(name) ? name : undefined;
}

export function isDefinition(sentence: string): boolean {
  return /是指/.test(sentence) || /^[^，,。]{2,24}包括[:：]?/.test(cleanDefinition(sentence));
}

/** The 包括… list of a definition, one item each (split on ；), without the closing 等。 */
export function includesOf(definition: string): string[] {
  const at = definition.indexOf('包括');
  if (at < 0) return [];
  let rest = definition.slice(at + 2).replace(/^[:：]/, '');
  rest = rest.replace(/[。.]\s*$/, '').replace(/等$/, '');
  return rest
    .split(/[；;]/)
    .map((s) => s.trim().replace(/等$/, ''))
    .filter((s) => s.length > 0);
}

const n = (s: string) => chineseNumeral(s === '两' ? '二' : s);

/** The age range a definition states in numbers, or undefined (a bare 未成年人 states none). */
export function statedAges(definition: string): StatedAges | undefined {
  const text = definition.replace(/《[^》]*》/g, '');
  const between = new RegExp(`(${NUM})\\s*(?:周岁)?\\s*(?:至|到|-|—|－|~|～)\\s*(${NUM})\\s*周?岁(?:之间)?`).exec(text);
  if (between) return { min: n(between[1]!), max: n(between[2]!), maxInclusive: true, text: between[0] };
  const upper = new RegExp(`(?:(${NUM})\\s*周岁以上\\s*)?[未不]满\\s*(${NUM})\\s*周?岁`).exec(text);
  if (upper) return { ...(upper[1] ? { min: n(upper[1]) } : {}), max: n(upper[2]!), maxInclusive: false, text: upper[0] };
  return undefined;
}

/**
 * Age limit (exclusive) a definition implies: a stated upper bound (16-25周岁 → 26, 未满16周岁 →
 * 16), else 18 for a definition about 未成年人 — but not for a law's title (《预防未成年人犯罪法》).
 */
export function ageLimitOf(definition: string): number | undefined {
  const ages = statedAges(definition);
  if (ages?.max !== undefined) return ages.maxInclusive ? ages.max + 1 : ages.max;
  if (/未成年/.test(definition.replace(/《[^》]*》/g, '').replace(/预防未成年人犯罪法|未成年人保护法/g, ''))) return 18;
  return undefined;
}

/**
 * A category's name from its heading: 「加强闲散青少年的服务管理」 → 闲散青少年, 「农村留守儿童和困境
 * 儿童的关爱保护」 → 农村留守儿童和困境儿童. Undefined when the heading is no such phrase.
 */
export function nameFromHeading(heading: string): string | undefined {
  const at = heading.lastIndexOf('的');
  if (at <= 0) return undefined;
  const name = heading.slice(0, at).replace(/^(加强|做好|强化|推进|开展|落实|深化|健全)/, '').trim();
  return name.length >= 2 ? name : undefined;
}

/** 「留守儿童关爱保护工作」 without a 的: the name is the heading without its trailing work words. */
export function bareHeadingName(heading: string): string {
  return heading
    .replace(/^(加强|做好|强化|推进|开展|落实)/, '')
    .replace(/(的)?(关爱保护|关爱服务|服务管理|教育矫治|救助保护|帮扶救助|帮扶工作|兜底保障|帮扶|救助|管理|工作)+$/, '')
    .trim();
}
