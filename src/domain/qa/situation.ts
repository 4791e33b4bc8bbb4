import { parseChineseNumber, CHINESE_NUMERAL_CHARS } from '../parse-zh/numerals.js';
import type { PlanCategory, PlanMatrix } from '../plan/types.js';
import { NEGATIONS, PERSON_WORDS, PLAN_WORDS, SAID_WORDS, WITH_MARKERS, type Fact, type Who } from './situation-words.js';

/**
 * A described child (「娃他爹坐牢了 娃才9岁」) checked against each category's own definition. What
 * each category needs is read from its definition and 包括 list: which parent states it lists,
 * whether it is about parents working away (and accepts the other parent 无监护能力), begging,
 * being out of school and work, or offending; and its age limit. Nothing here names a town's
 * categories or units.
 */

type Kind = 'parentCustody' | 'leftBehind' | 'begging' | 'offending' | 'idle';

const CUSTODIAL: readonly Fact[] = ['prison', 'correction', 'detox', 'death'];
const OFFENDING: readonly Fact[] = ['suspended', 'notProsecuted', 'noPunishment', 'underAge', 'detained', 'repeated', 'offence', 'misconduct', 'police'];

export interface CategoryRule {
  category: PlanCategory;
  kind: Kind;
  /** parentCustody: the parent states its definition lists. */
  custodial: Fact[];
  /** leftBehind: one parent away with the other unable to care also counts. */
  acceptsUnable: boolean;
  /** leftBehind: a child living with the parents is not left behind. */
  requiresApart: boolean;
}

function defText(c: PlanCategory): string {
  return [c.definition, ...c.includes].join('；');
}

function mentions(text: string, f: Fact): boolean {
  return (PLAN_WORDS[f] ?? []).some((w) => text.includes(w));
}

/** The rule each category's definition states; categories whose definition says none of these are left out. */
export function categoryRules(plan: PlanMatrix): CategoryRule[] {
  const out: CategoryRule[] = [];
  for (const c of plan.categories) {
    const t = defText(c);
    const custodial = CUSTODIAL.filter((f) => mentions(t, f));
    const base = { category: c, custodial, acceptsUnable: mentions(t, 'unable'), requiresApart: mentions(t, 'livesWithParents') };
    if (/父母|父亲|母亲|双亲|监护人/.test(t) && custodial.length > 0) out.push({ ...base, kind: 'parentCustody' });
    else if (mentions(t, 'away')) out.push({ ...base, kind: 'leftBehind' });
    else if (mentions(t, 'beg')) out.push({ ...base, kind: 'begging' });
    else if (mentions(t, 'offence') || mentions(t, 'misconduct')) out.push({ ...base, kind: 'offending' });
    else if (mentions(t, 'notInSchool') || mentions(t, 'noJob') || mentions(t, 'laidOff')) out.push({ ...base, kind: 'idle' });
  }
  return out;
}

// ── reading the description ──

interface Lexeme {
  word: string;
  fact?: Fact;
  who?: Who;
}

/** Words by their first character, longest first, so a lookup tries only words that can start there. */
let lexicon: Map<string, Lexeme[]> | undefined;
function words(): Map<string, Lexeme[]> {
  if (!lexicon) {
    const all: Lexeme[] = [];
    for (const [fact, ws] of Object.entries(SAID_WORDS) as [Fact, readonly string[]][]) for (const w of ws) all.push({ word: w, fact });
    for (const [who, ws] of Object.entries(PERSON_WORDS) as [Who, readonly string[]][]) for (const w of ws) all.push({ word: w, who });
    all.sort((a, b) => b.word.length - a.word.length);
    lexicon = new Map();
    for (const l of all) {
      const k = l.word[0]!;
      const list = lexicon.get(k);
      if (list) list.push(l);
      else lexicon.set(k, [l]);
    }
  }
  return lexicon;
}

function wordAt(lex: Map<string, Lexeme[]>, text: string, i: number, facts = false): Lexeme | undefined {
  return lex.get(text[i]!)?.find((l) => (!facts || l.fact) && text.startsWith(l.word, i));
}

export interface ParentState {
  facts: Set<Fact>;
  /** The words used, for the answer's reason (坐牢, 戒毒所). */
  said: string[];
}

export interface Description {
  age?: { min: number; max: number; text: string };
  father: ParentState;
  mother: ParentState;
  /** Facts about the child. */
  child: Set<Fact>;
  childSaid: string[];
  /** Custodial facts about someone who is not a parent (叔, 爷爷). */
  relativeCustody: string[];
  livesWithParents: boolean;
  /** A parent's detox was said to be voluntary (自己去医院戒的). */
  voluntary: boolean;
  /** A child or parent was named (娃, 他爸), not only 青少年 in general. */
  people: boolean;
}

const NUM = `\\d{1,2}|[${CHINESE_NUMERAL_CHARS}]{1,3}`;
const DIGITS = '一二三四五六七八九';

/** 「12岁」「十五岁半」「十一二岁」「七八岁」「十来岁」「娃14」「17了」. */
export function findAge(text: string): Description['age'] {
  const range = new RegExp(`(十)?([${DIGITS}])([${DIGITS}])岁`).exec(text);
  if (range) {
    const base = range[1] ? 10 : 0;
    const a = base + DIGITS.indexOf(range[2]!) + 1;
    const b = base + DIGITS.indexOf(range[3]!) + 1;
    if (b === a + 1) return { min: a, max: b, text: range[0] };
  }
  const about = /(十|二十)来岁/.exec(text);
  if (about) {
    const n = about[1] === '十' ? 10 : 20;
    return { min: n, max: n + 3, text: about[0] };
  }
  const m = new RegExp(`(${NUM})\\s*(多)?周?岁`).exec(text);
  if (m) {
    const n = parseChineseNumber(m[1]!);
    // 「二十多岁」 is 20 to 29, 「十多岁」 10 to 19.
    const more = m[2] ? (n !== undefined && n % 10 === 0 ? 9 : 1) : 0;
    if (n !== undefined && n <= 40) return { min: n, max: n + more, text: m[0] };
  }
  // A bare number after a person word or ending a phrase: 「娃14」「小子19了」「娃 13 不上学」.
  const bare = new RegExp(`(?:娃|孩子|小子|女娃|男娃|姑娘|学生|今年|才|已经|他|她)\\s*(${NUM})(?=了|\\s|$|[，,。 ]|跟|在|岁)|(?:^|\\s)(${NUM})了(?=\\s|[，,]|$)`).exec(text);
  if (bare) {
    const n = parseChineseNumber((bare[1] ?? bare[2])!);
    if (n !== undefined && n >= 1 && n <= 30) return { min: n, max: n, text: bare[0].trim() };
  }
  return undefined;
}

const NEGATED = new RegExp(`(?:${NEGATIONS.join('|')})(?:再|找|去|有|在|出去|能)?$`);

function negated(text: string, at: number): boolean {
  return NEGATED.test(text.slice(Math.max(0, at - 3), at));
}

/** Facts only a child has (parents do not 逃学 or beg): they go to the child whoever was named last. */
/** Words for young people in general, not a described child. */
const GENERIC = ['青少年', '未成年人'];

const CHILD_ONLY: readonly Fact[] = ['beg', 'noAbode', 'leftHome', 'notInSchool', 'inSchool', 'police', 'underAge', 'notProsecuted', 'noPunishment', 'laidOff'];
/** Misconduct only a pupil has (adults drink and smoke too). */
const CHILD_ONLY_WORDS = ['逃学', '旷课', '逃课'];

/** A space-separated phrase starting with these goes on about the same person: 「他爸被判了缓刑 在社区矫正」. */
const CONTINUES = /^(在|被|是|也|还|又|就|都|但|而|刚|一直|常年|现在|已经|后来|不是)/;

/**
 * Reads who is in what state. Each fact belongs to the last person named before it (「他爸在
 * 戒毒所」), the child by default; a person after 跟着/和 is who the child lives with.
 * `namedSpans` (category names) are skipped so 「服刑人员子女」 is not read as a sentence.
 */
export function describe(question: string, custodialDefaultsToParent: boolean): Description {
  const text = question.normalize('NFKC');
  const d: Description = {
    father: { facts: new Set(), said: [] },
    mother: { facts: new Set(), said: [] },
    child: new Set(),
    childSaid: [],
    relativeCustody: [],
    livesWithParents: false,
    voluntary: false,
    people: false,
  };
  const age = findAge(text);
  if (age) d.age = age;
  // 「20岁 判缓刑 社区矫正中 他有个3岁的孩子」: what came before is about the parent.
  const ownChild = /(?:他|她)?(?:有个|有一个|的)(?:\d{1,2}|[一二三四五六七八九十]{1,3})岁的(?:孩子|娃|儿子|女儿|闺女)/.exec(text);
  let who: Who = 'child';
  let explicitChild = false;
  let lastParent: 'father' | 'mother' | undefined;
  let factSinceParent = false;
  const lex = words();
  for (let i = 0; i < text.length; ) {
    if (ownChild && i === 0) {
      // Everything before the own-child phrase describes a parent of the child asked about.
      const head = text.slice(0, ownChild.index);
      for (let k = 0; k < head.length; ) {
        const w = wordAt(lex, head, k, true);
        if (!w) {
          k++;
          continue;
        }
        const f = w.fact!;
        if (CUSTODIAL.includes(f) || f === 'suspended') {
          const fact: Fact = f === 'suspended' ? 'correction' : f;
          d.father.facts.add(fact);
          d.father.said.push(w.word);
        }
        k += w.word.length;
      }
      const a = findAge(text.slice(ownChild.index));
      if (a) d.age = a;
      else delete d.age;
      i = ownChild.index + ownChild[0].length;
      who = 'child';
      continue;
    }
    if (/\s/.test(text[i]!)) {
      // Typed without punctuation, a space ends a sentence; the next one is about the child again
      // unless it carries straight on (在…, 被…, 是…).
      if (!CONTINUES.test(text.slice(i + 1))) who = 'child';
      i++;
      continue;
    }
    const w = wordAt(lex, text, i);
    if (!w) {
      i++;
      continue;
    }
    if (w.who) {
      if (w.who === 'child' && w.word.length === 1) {
        // 「她爹」「他妈」「娃他爹」: a possessive before a parent word, not the child as subject.
        const next = wordAt(lex, text, i + 1);
        if (next?.who && next.who !== 'child' && next.who !== 'relative') {
          i += 1;
          continue;
        }
      }
      const isParent = w.who === 'father' || w.who === 'mother';
      // 「她爹她娘都在外地」「爸爸和妈妈」: two parents named in a row are both the subject.
      if (isParent && lastParent && lastParent !== w.who && !factSinceParent) {
        who = 'parents';
        lastParent = undefined;
        i += w.word.length;
        continue;
      }
      const marker = WITH_MARKERS.some((m) => text.slice(0, i).replace(/[他她娃的]+$/, '').endsWith(m));
      lastParent = isParent && !marker ? (w.who as 'father' | 'mother') : undefined;
      factSinceParent = false;
      if (w.who === 'child') {
        // 「他妈」「她爸爸」: a possessive before a parent word, not the child speaking.
        who = 'child';
        explicitChild = true;
      } else if (marker) {
        if (w.who === 'father' || w.who === 'mother') (w.who === 'father' ? d.father : d.mother).facts.add('home');
        if (w.who === 'parents') d.livesWithParents = true;
        who = 'child';
      } else {
        who = w.who;
      }
      if (w.who !== 'relative' && !GENERIC.includes(w.word)) d.people = true;
      i += w.word.length;
      continue;
    }
    const fact = w.fact!;
    factSinceParent = true;
    const neg = negated(text, i);
    i += w.word.length;
    if (fact === 'livesWithParents') {
      if (!neg) d.livesWithParents = true;
      continue;
    }
    if (fact === 'voluntary') {
      if (!neg) d.voluntary = true;
      continue;
    }
    // 「他妈离家出走了」: a parent who left is a parent who cannot care; otherwise leaving home is the child's.
    if (fact === 'leftHome' || w.word === '离家出走') {
      if (who === 'father' || who === 'mother') {
        (who === 'father' ? d.father : d.mother).facts.add('unable');
        (who === 'father' ? d.father : d.mother).said.push(w.word);
        continue;
      }
    }
    if (CHILD_ONLY.includes(fact) || CHILD_ONLY_WORDS.includes(w.word)) who = 'child';
    if (who === 'relative') {
      if (CUSTODIAL.includes(fact) && !neg) d.relativeCustody.push(w.word);
      continue;
    }
    if (who === 'father' || who === 'mother' || who === 'parents') {
      const targets = who === 'parents' ? [d.father, d.mother] : [who === 'father' ? d.father : d.mother];
      let f: Fact | undefined = fact;
      if (neg) f = fact === 'away' ? 'home' : fact === 'home' ? 'away' : undefined;
      if (f === 'working') f = 'home';
      if (f === 'suspended') f = 'correction';
      if (f && (CUSTODIAL.includes(f) || ['away', 'home', 'unable', 'detained', 'custody', 'released', 'voluntary'].includes(f))) {
        for (const t of targets) {
          t.facts.add(f);
          t.said.push(w.word);
        }
      }
      continue;
    }
    // The child.
    let f: Fact | undefined = fact;
    if (neg) {
      f = fact === 'inSchool' ? 'notInSchool' : fact === 'working' ? 'noJob' : undefined;
    }
    if (!f) continue;
    if (CUSTODIAL.includes(f) && !explicitChild && custodialDefaultsToParent) {
      // 「服刑人员子女 社区矫正的算不算」: a parent's state with no parent named.
      d.father.facts.add(f);
      d.father.said.push(w.word);
      continue;
    }
    if (f === 'prison' || f === 'correction' || f === 'custody') f = 'offence';
    if (f === 'detox') f = 'offence';
    if (f === 'away') f = w.word === '打工' || w.word === '务工' ? 'working' : undefined;
    if (f === 'home' || f === 'unable' || f === 'released' || !f) continue;
    d.child.add(f);
    d.childSaid.push(w.word);
  }
  for (const p of [d.father, d.mother]) {
    // 「刚从戒毒所出来」「前年就出狱了」: the state is over.
    if (p.facts.has('released')) for (const f of CUSTODIAL) p.facts.delete(f);
  }
  if (d.voluntary) {
    for (const p of [d.father, d.mother]) {
      if (p.facts.delete('detox')) p.facts.add('voluntary');
    }
  }
  return d;
}

/** Whether the description says anything a definition could be checked against. */
export function hasFacts(d: Description, namesCategory: boolean): boolean {
  // 「青少年犯罪率」「刑事责任年龄」: words about offences, but no child described.
  // 「偷东西被拘留了」 names no one but states two facts about a child; one word alone is a topic.
  const weakFacts: readonly Fact[] = ['inSchool', 'working', 'repeated', 'home'];
  const distinct = new Set([...d.child, ...d.father.facts, ...d.mother.facts].filter((f) => !weakFacts.includes(f)));
  if (!d.age && !d.people && !namesCategory && distinct.size < 2) return false;
  const strongChild = [...d.child].some((f) => f !== 'inSchool' && f !== 'working' && f !== 'repeated');
  const parent = (p: ParentState) => [...p.facts].some((f) => f !== 'home');
  if (strongChild || parent(d.father) || parent(d.mother) || d.relativeCustody.length > 0 || d.livesWithParents) return true;
  // 「10岁 爹妈都在家 就是不好好上学 算闲散不」: weak facts, but a child and a category to check.
  const weak = d.child.size > 0 || d.father.facts.size > 0 || d.mother.facts.size > 0;
  return weak && (d.age !== undefined || d.people) && (namesCategory || (d.age !== undefined && d.people));
}

// ── checking the definitions ──

export interface Verdict {
  rule: CategoryRule;
  fits: boolean;
  /** Why it fits or not, in plain words: 「父母都外出务工、12岁未满16周岁」. */
  reason: string;
  /** The 包括 item that matched, quoted whole, when one did. */
  include?: string;
}

const PARENT_NAME = { father: '父亲', mother: '母亲' } as const;
const STATE_WORDS: Partial<Record<Fact, string>> = {
  prison: '在监狱服刑',
  correction: '在社区矫正',
  detox: '被强制戒毒',
  death: '被判处死刑',
  away: '外出务工',
  unable: '无法监护',
};

function parentLabel(d: Description, f: Fact): string | undefined {
  const a = d.father.facts.has(f);
  const b = d.mother.facts.has(f);
  if (a && b) return '父母双方';
  if (a) return PARENT_NAME.father;
  if (b) return PARENT_NAME.mother;
  return undefined;
}

function ageNote(d: Description, limit: number | undefined): { ok: boolean; note: string } {
  if (limit === undefined) return { ok: true, note: '' };
  const lim = `未满${limit}周岁`;
  if (!d.age) return { ok: true, note: `（须${lim}）` };
  const said = d.age.min === d.age.max ? `${d.age.min}岁` : `${d.age.min}～${d.age.max}岁`;
  if (d.age.max < limit) return { ok: true, note: `、${said}${lim}` };
  if (d.age.min >= limit) return { ok: false, note: `${said}，已不是「${lim}」` };
  return { ok: true, note: `（${said}，须${lim}才算）` };
}

function includeWith(c: PlanCategory, facts: readonly Fact[]): string | undefined {
  return c.includes.find((item) => facts.some((f) => mentions(item, f)));
}

export function judge(rule: CategoryRule, d: Description): Verdict | undefined {
  const c = rule.category;
  const age = ageNote(d, c.maxAgeExclusive);
  const no = (reason: string): Verdict => ({ rule, fits: false, reason });
  switch (rule.kind) {
    case 'parentCustody': {
      const states = rule.custodial.filter((f) => d.father.facts.has(f) || d.mother.facts.has(f));
      if (states.length > 0) {
        const why = states.map((f) => `${parentLabel(d, f)}${STATE_WORDS[f]}`).join('、');
        if (!age.ok) return no(`${why}，但${age.note}`);
        return { rule, fits: true, reason: `${why}${age.note}` };
      }
      const other: string[] = [];
      for (const [f, say] of [['detained', '被行政拘留'], ['custody', '在看守所候审、尚未判决'], ['released', '已经出狱或出所'], ['voluntary', '是自愿戒毒而非强制戒毒']] as const) {
        const who = parentLabel(d, f);
        if (who) other.push(`${who}${say}`);
      }
      if ((d.father.facts.has('detox') || d.mother.facts.has('detox')) && !rule.custodial.includes('detox')) other.push('方案所列情形不含戒毒');
      if (d.relativeCustody.length > 0) other.push(`${d.relativeCustody[0]}的是其他亲属，不是父母`);
      if (other.length > 0) return no(`${other.join('；')}，不在方案所列情形（${rule.custodial.map((f) => STATE_WORDS[f]).join('、')}）之内`);
      return undefined;
    }
    case 'leftBehind': {
      const fa = d.father.facts;
      const mo = d.mother.facts;
      const canCare = (s: Set<Fact>) => !s.has('away') && !s.has('unable') && !s.has('prison') && !s.has('detox') && !s.has('death');
      const unableWhy = (s: Set<Fact>, p: ParentState) =>
        s.has('prison') ? '在监狱服刑' : s.has('detox') ? '被强制戒毒' : s.has('death') ? '被判处死刑' : s.has('unable') ? `${(w => (w ? `${w}、` : ''))(p.said.find((w) => SAID_WORDS.unable.includes(w)))}无监护能力` : '';
      let why: string | undefined;
      if (fa.has('away') && mo.has('away')) why = '父母都外出务工';
      else if (fa.has('away') || mo.has('away')) {
        const [awayName, other, otherState] = fa.has('away') ? ['父亲', mo, d.mother] : ['母亲', fa, d.father];
        const otherName = awayName === '父亲' ? '母亲' : '父亲';
        if (!canCare(other) && rule.acceptsUnable && !other.has('away')) why = `${awayName}外出务工、${otherName}${unableWhy(other, otherState)}`;
        else if (other.size === 0 || other.has('home') || other.has('correction')) {
          return no(`只有${awayName}外出务工，${otherName}${other.has('correction') ? '虽在社区矫正但' : ''}在家、能够监护，不是「父母双方外出务工或一方外出务工另一方无监护能力」`);
        }
      } else if (fa.has('home') && mo.has('home') && (d.age || d.child.size > 0)) {
        return undefined;
      }
      if (!why) return undefined;
      if (d.livesWithParents && rule.requiresApart) return no(`${why}，但孩子跟父母一起生活，不是「无法与父母共同生活」`);
      if (!age.ok) return no(`${why}，但${age.note}`);
      return { rule, fits: true, reason: `${why}${age.note}` };
    }
    case 'begging': {
      if (!d.child.has('beg')) return undefined;
      const why = `离家在外流浪乞讨`;
      if (!age.ok) return no(`${why}，但${age.note}（不是未成年人）`);
      return { rule, fits: true, reason: `${why}${age.note}` };
    }
    case 'offending': {
      const facts = OFFENDING.filter((f) => d.child.has(f) && f !== 'repeated');
      if (facts.length === 0) return undefined;
      if (!age.ok) return no(`有违法或不良行为，但${age.note}`);
      const legal: Fact[] = ['suspended', 'notProsecuted', 'noPunishment', 'underAge', 'detained'];
      const include = includeWith(c, facts.filter((f) => legal.includes(f)));
      const said = [...new Set(d.childSaid.filter((w) => OFFENDING.some((f) => SAID_WORDS[f].includes(w))))].slice(0, 3).join('、');
      const kind = facts.some((f) => f !== 'misconduct') ? '有违法行为' : '有不利于自身健康成长的不良行为';
      return { rule, fits: true, reason: `${said ? `${said}，` : ''}${kind}${age.note}`, ...(include ? { include } : {}) };
    }
    case 'idle': {
      const ch = d.child;
      const outOfSchool = ch.has('notInSchool') || ch.has('beg') || ch.has('laidOff') || (ch.has('noJob') && !ch.has('inSchool'));
      const noWork = (ch.has('noJob') || ch.has('laidOff') || ch.has('beg') || ch.has('notInSchool')) && !ch.has('working');
      if (outOfSchool && noWork) {
        if (!age.ok) return no(age.note);
        const include = includeWith(c, ch.has('laidOff') ? ['laidOff'] : ch.has('notInSchool') ? ['notInSchool'] : []);
        return { rule, fits: true, reason: `不在学、无职业${age.note}`, ...(include ? { include } : {}) };
      }
      if (ch.has('inSchool') && !ch.has('notInSchool')) return no('还在上学，不是「不在学、无职业」');
      if (ch.has('working')) return no('已经在工作，不是「不在学、无职业」');
      return undefined;
    }
  }
}

export interface Classification {
  description: Description;
  fits: Verdict[];
  ruledOut: Verdict[];
}

/**
 * Every category the description fits, and those it was checked against and does not (named in
 * the question, or partly met). A category whose definition already contains another's
 * conditions (流浪乞讨 includes 无职业) takes the child alone when both fit.
 */
export function classify(rules: readonly CategoryRule[], question: string, named: readonly PlanCategory[]): Classification | undefined {
  const custodialNamed = rules.some((r) => r.kind === 'parentCustody' && named.includes(r.category));
  const d = describe(question, custodialNamed);
  if (!hasFacts(d, named.length > 0)) return undefined;
  let fits: Verdict[] = [];
  const ruledOut: Verdict[] = [];
  for (const r of rules) {
    const v = judge(r, d);
    if (v?.fits) fits.push(v);
    else if (v) ruledOut.push(v);
    else if (named.includes(r.category)) ruledOut.push({ rule: r, fits: false, reason: '所说情况不符合定义' });
  }
  if (fits.some((v) => v.rule.kind === 'begging')) {
    const idle = fits.find((v) => v.rule.kind === 'idle');
    if (idle && !d.child.has('laidOff')) fits = fits.filter((v) => v !== idle);
  }
  return { description: d, fits, ruledOut };
}
