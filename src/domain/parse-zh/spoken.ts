import { CHINESE_NUMERAL_CHARS, parseChineseNumber } from './numerals.js';
import { chinaDate, isRealDate, parseDate, type PartialDate } from './date.js';
import { normalizeInput } from './normalize.js';
import { parsePersonName } from './person-name.js';
import type { ChoiceOption } from './choice.js';

/**
 * Readers for answers as people say them in a chat, around the strict parsers: 「2017年12月生的」,
 * 「去年腊月」, 「看着十一二岁」, 「不知道」, 「奶奶叫刘秀英」. Each returns undefined when unsure.
 */

/** Sentence tails and hedges that carry no value: 的, 吧, 呀, 左右, 大概. */
export function stripHedges(s: string): string {
  return normalizeInput(s)
    .replace(/^(?:大概|大约|约|应该是|好像是|可能是|差不多|就是|是|嗯|哦|噢|呃)\s*/u, '')
    .replace(/(?:左右|前后|上下)?(?:的样子|样子)?(?:吧|呀|啊|哦|呢|的|了|啦|嘛|哈|那边|这边)*[。.!！?？~～]*$/u, '')
    .trim();
}

const UNKNOWN_WHOLE =
  /^(?:我|俺|俺们|咱)?(?:也|还|都)?(?:不知道|不晓得|不清楚|不详|不太清楚|不大清楚|不太知道|说不清|记不清|搞不清|没问|没问过|还没问|未知|不知|不了解|暂时不知道|暂不清楚|待补充|稍后补充|以后补充|回头补充|回头再补|后面再补|先空着|空着|无法核实|无从得知)/u;
const UNKNOWN_INSIDE = /不知道|不晓得|不清楚|不详|说不清|未核实|无法核实|没带|无证件/u;

/** 「不知道」「不详」「不清楚」「稍后补充」 and their variants: the person does not know. */
export function saysUnknown(text: string): boolean {
  const s = stripHedges(text).replace(/\s+/g, '');
  if (!s) return false;
  return UNKNOWN_WHOLE.test(s) || (s.length <= 16 && UNKNOWN_INSIDE.test(s));
}

/** 「外地的，不是我们镇的」「外省的」「河南那边的」: the child's 户籍 is not in this town. */
export function saysElsewhere(text: string): boolean {
  return /外地|外省|外县|外乡|外镇|不是(?:我们|俺们|咱|本)(?:镇|村|地)|非本镇|外来|[省市县]的?(?:人|那边)/u.test(normalizeInput(text));
}

/** 「我们村」「俺村」「本村」「俺们村」: the reporter's own village. */
export function saysOwnVillage(text: string): boolean {
  return /^(?:就是|是)?(?:我们|俺们|俺|咱们|咱|我|本)村(?:的|里|子)?(?:人)?$/u.test(stripHedges(text).replace(/\s+/g, ''));
}

/** 「我」「我自己」「我来」「我来负责」「本人」: the person typing. */
export function saysMyself(text: string): boolean {
  return /^(?:就|还是|那就|让)?(?:我|俺|本人|我自己|俺自己|我本人)(?:自己)?(?:来)?(?:吧|呗)?(?:负责|帮扶|管|跟|来管|来负责|当|做)?(?:吧|呗|就行|好了)?$/u.test(
    stripHedges(text).replace(/\s+/g, ''),
  );
}

const LUNAR_MONTH: Record<string, number> = { 正: 1, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 冬: 11, 十一: 11, 腊: 12, 十二: 12 };

function relativeYear(word: string, now: Date): number | undefined {
  const y = chinaDate(now).year;
  const offsets: Record<string, number> = { 今年: 0, 去年: -1, 前年: -2, 大前年: -3, 上年: -1 };
  return word in offsets ? y + offsets[word]! : undefined;
}

export interface LooseDate {
  date: PartialDate;
  /** A lunar month (腊月) was converted: the Gregorian month is approximate. */
  approximate?: boolean;
}

/**
 * A date the strict parser refuses but a person means plainly: tails (「2017年12月生的」,
 * 「11月30号生的」 with a year), relative years (「去年3月」, 「前年腊月」), lunar months (腊月 →
 * the Gregorian month it mostly falls in, flagged approximate), 「八月份」 with a year.
 */
export function parseLooseDate(text: string, now: Date): LooseDate | undefined {
  let s = normalizeInput(text).replace(/\s+/g, '');
  s = s.replace(/[（(][^）)]*[）)]/g, '');
  // Words that cannot belong to a date: 「2016年6月1号，儿童节生的呀」 keeps its date part.
  const head = /^[^，,。；;]*/.exec(s)![0];
  for (const candidate of [s, head]) {
    const cleaned = candidate
      .replace(/^(?:大概|大约|约|应该是|好像是|可能是|是|在|于)/u, '')
      .replace(/(?:出生的|生的|出生|生人|生)?(?:吧|呀|啊|哦|呢|的|了|啦|左右)*$/u, '')
      .replace(/(\d)号/g, '$1日')
      .replace(/月份/g, '月');
    const strict = parseDate(cleaned, now);
    if (strict.ok) return { date: strict.date };
    const rel = /^(今年|去年|前年|大前年|上年)(?:的)?(.*)$/u.exec(cleaned);
    let yearPart: number | undefined;
    let rest = cleaned;
    if (rel) {
      yearPart = relativeYear(rel[1]!, now);
      rest = rel[2]!;
    } else {
      const y = /^(\d{4})年(.*)$/u.exec(cleaned);
      if (y) {
        yearPart = Number(y[1]);
        rest = y[2]!;
      }
    }
    if (yearPart === undefined) continue;
    if (!rest) return { date: { year: yearPart } };
    const lunar = /^(?:农历|阴历)?(正|腊|冬|十一|十二|[一二三四五六七八九十])月/u.exec(rest);
    if (lunar && (/[正腊冬]/u.test(lunar[1]!) || /农历|阴历/u.test(rest))) {
      // A lunar month falls about a month later in the Gregorian calendar; 腊月 spills into the next year.
      const lm = LUNAR_MONTH[lunar[1]!]!;
      const month = lm === 12 ? 1 : lm + 1;
      const year = lm === 12 ? yearPart + 1 : yearPart;
      return { date: { year, month }, approximate: true };
    }
    const season = SEASONS.find(([re]) => re.test(rest));
    const greg = /^(\d{1,2})月(?:(\d{1,2})日)?(?:$|[^\d日])/u.exec(rest.replace(new RegExp(`([${CHINESE_NUMERAL_CHARS}]+)(?=[月日])`, 'gu'), (r) => String(parseChineseNumber(r) ?? r)));
    if (greg) {
      const d: PartialDate = { year: yearPart, month: Number(greg[1]) };
      if (greg[2]) d.day = Number(greg[2]);
      if (isRealDate(d)) return { date: d };
    }
    if (season) return { date: { year: yearPart, month: season[1] }, approximate: true };
    // 「前年毕业就在家」: the year alone, when nothing after it looks like another date.
    if (!/\d|[一二三四五六七八九十]月/u.test(rest)) return { date: { year: yearPart }, approximate: true };
  }
  return undefined;
}

/** Words for a time of year, as the month they mostly mean. */
const SEASONS: Array<[RegExp, number]> = [
  [/^(?:过完年|过年|春节)/u, 2],
  [/^(?:开春|春天|春季|开年)/u, 3],
  [/^(?:五一)/u, 5],
  [/^(?:夏天|夏季|暑假|放暑假)/u, 7],
  [/^(?:秋天|秋季|开学|秋季开学)/u, 9],
  [/^(?:国庆|十一)/u, 10],
  [/^(?:冬天|冬季|年底|年末|寒假)/u, 12],
];

/** A month alone (「八月份生的吧 具体几号不知道」), for completing a year already given. */
export function parseMonthOnly(text: string): number | undefined {
  const s = normalizeInput(text).replace(/\s+/g, '');
  const m = new RegExp(`^(?:大概|大约|是)?([${CHINESE_NUMERAL_CHARS}]{1,3}|\\d{1,2})月(?:份)?`, 'u').exec(s);
  if (!m) return undefined;
  const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : parseChineseNumber(m[1]!);
  return n !== undefined && n >= 1 && n <= 12 ? n : undefined;
}

/**
 * An age someone guesses or reports: 「看着十一二岁」「约8岁」「七八岁的样子」「14岁吧」「他说他16了」
 * 「12岁左右」. Returns the range; a single age has min = max.
 */
export function parseEstimatedAge(text: string): { min: number; max: number } | undefined {
  const s = normalizeInput(text).replace(/\s+/g, '');
  const n = `[${CHINESE_NUMERAL_CHARS}]`;
  // 十一二岁, 七八岁: two consecutive numbers run together.
  const pair = new RegExp(`(十)?([一二三四五六七八九])([一二三四五六七八九])(?:岁|周岁)`, 'u').exec(s);
  if (pair) {
    const base = pair[1] ? 10 : 0;
    const a = base + parseChineseNumber(pair[2]!)!;
    const b = base + parseChineseNumber(pair[3]!)!;
    if (b === a + 1) return { min: a, max: b };
  }
  const one = new RegExp(`(\\d{1,2}|${n}{1,3})(?:来|多)?(?:周?岁|了)(?:半|多)?`, 'u').exec(s);
  if (one) {
    const v = /^\d+$/.test(one[1]!) ? Number(one[1]) : parseChineseNumber(one[1]!);
    if (v !== undefined && v >= 0 && v <= 30) return { min: v, max: v };
  }
  const bare = /^(?:约|大约|大概)?(\d{1,2})$/.exec(s);
  if (bare && Number(bare[1]) <= 30) return { min: Number(bare[1]), max: Number(bare[1]) };
  return undefined;
}

/** The birth year an estimated age points to (the older end, rounded): 十一二岁 on 2026-12 → 2014. */
export function birthYearFromAge(age: { min: number; max: number }, now: Date): number {
  return chinaDate(now).year - Math.ceil((age.min + age.max) / 2) - (age.min === age.max ? 0 : 0);
}

/** Words around a name in 「奶奶叫刘秀英」「外婆 吴玉芳」「他姥爷叫王德福 电话…」. */
const RELATION_WORDS =
  /(?:他|她|孩子|娃|娃的|孩子的)?(?:大姑|小姑|姑姑|姑妈|大姨|小姨|姨妈|阿姨|舅舅|舅妈|叔叔|婶婶|伯伯|大伯|大爷|奶奶|爷爷|外婆|外公|姥姥|姥爷|祖母|祖父|外祖母|外祖父|爸爸|妈妈|父亲|母亲|爹|娘|爸|妈|哥哥|姐姐|监护人|家长|帮教人|帮教联系人|联系人)/gu;
const FILLER_WORDS =
  /姓名|名字|真实姓名|自称|本人|手机号码|手机号|手机|电话号码|电话|联系方式|号码|是|叫做|叫|名叫|就是|的话|吧|呀|啊|呢|她|他|没有|没|不知道|不清楚|不详|也|俺|我|的/gu;

/** Two-to-four Han characters that read as words, not names. */
const NOT_A_NAME =
  /^(?:不知道|不清楚|不详|外地|口音|外地口音|孩子|小孩|男孩|女孩|男娃|女娃|这个|那个|一个|有个|没有|手机|电话|号码|一起|在家|打工|上学|学生|本地|未核实|身份|真实|其他|之前|现在|以后|大概|好像)$|[村镇乡县市省岁号]$|叫啥|是谁|什么|口音|样子|[哪谁么吗呢啊吧呀归]|到底|单位|牵头|负责/u;

/**
 * A person's name inside a short phrase, with relation words, 叫/是 and phone words removed.
 * Only a clean 2–4 character Han run counts; anything doubtful returns undefined so the bot asks.
 */
export function extractPersonName(text: string): string | undefined {
  const s = normalizeInput(text).replace(/\d[\d\s-]*/g, ' ');
  if (/叫啥|叫什么|不知道叫|名字不知道|姓名不详|没名字/u.test(s)) return undefined;
  const after = /(?:叫|名叫|叫做|姓名[是:：]?|名字[是:：]?)\s*([\p{Script=Han}·]{2,4})/u.exec(s);
  const candidates: string[] = [];
  if (after) candidates.push(after[1]!);
  const stripped = s.replace(RELATION_WORDS, ' ').replace(FILLER_WORDS, ' ');
  candidates.push(...stripped.split(/[^\p{Script=Han}·]+/u).filter(Boolean));
  for (const c of candidates) {
    const cleaned = c.replace(/^(?:是|叫)/u, '');
    if (cleaned.length < 2 || cleaned.length > 4) continue;
    if (NOT_A_NAME.test(cleaned)) continue;
    const name = parsePersonName(cleaned);
    if (name) return name;
  }
  return undefined;
}

/** 「她没有手机」「没手机」「电话没有」「无电话」: the person has no phone (not: unknown). */
export function saysNoPhone(text: string): boolean {
  return /没有?(?:手机|电话)|(?:手机|电话)(?:也)?没有|无(?:手机|电话)|不用手机/u.test(normalizeInput(text));
}

/**
 * The options a free phrase mentions, by label or alias as a substring, longest first and not
 * overlapping: 「就奶奶一个人带着的」 → 祖母. Aliases of one character are too loose and ignored.
 */
export function spotChoices(text: string, options: readonly ChoiceOption[]): string[] {
  const s = normalizeInput(text).replace(/\s+/g, '');
  const terms: Array<{ term: string; value: string }> = [];
  for (const o of options) for (const t of [o.label, ...(o.aliases ?? [])]) if ([...t].length >= 2) terms.push({ term: t, value: o.value });
  terms.sort((a, b) => b.term.length - a.term.length);
  const taken: boolean[] = new Array(s.length).fill(false);
  const found: Array<{ at: number; value: string }> = [];
  for (const { term, value } of terms) {
    let from = 0;
    for (;;) {
      const at = s.indexOf(term, from);
      if (at < 0) break;
      from = at + 1;
      if (taken.slice(at, at + term.length).some(Boolean)) continue;
      // 「不是坐牢」 names an option to deny it.
      if (/[不没非未无]$/u.test(s.slice(Math.max(0, at - 2), at)) && !/^不/u.test(term)) continue;
      for (let i = at; i < at + term.length; i++) taken[i] = true;
      found.push({ at, value });
    }
  }
  const out: string[] = [];
  for (const f of found.sort((a, b) => a.at - b.at)) if (!out.includes(f.value)) out.push(f.value);
  return out;
}
