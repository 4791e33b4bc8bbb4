import { memberIndex } from '../../config/member-index.js';
import { z } from 'zod';
import { findAgeInText, parseAge } from '../parse-zh/age.js';
import { CHINESE_NUMERAL_CHARS } from '../parse-zh/numerals.js';
import {
  ageRange,
  datesCompatible,
  formatChineseDate,
  formatIsoPartial,
  isInFuture,
  parseDate,
  parseIsoPartial,
} from '../parse-zh/date.js';
import { compactDigits, ID_ERROR_TEXT, parseIdNumber } from '../parse-zh/id-number.js';
import { normalizeInput } from '../parse-zh/normalize.js';
import { parseYesNo } from '../parse-zh/yes-no.js';
import type { CategoryCode } from '../plan/types.js';
import {
  ACCOMPANIED_BY,
  ageWindow,
  BEHAVIORS,
  categoryName,
  categoryOptions,
  CATEGORY_CODES,
  CUSTODY_TYPE,
  DISPOSITION,
  GENDER,
  GUARDIANSHIP_MODE,
  GUARDIANSHIP_RATING,
  IMPRISONED_PARENT,
  JUSTICE_INVOLVEMENT,
  MODE_FROM_RELATION,
  PARENTS_AWAY,
  REFERRED_TO,
  RELATION,
  RISK_LEVEL,
  SCHOOL_STATUS,
  WISHES,
} from './case-options.js';
import type { Answers, FormDef, FormEnv, ParseOutcome, StepDef } from './form.js';
import { detectSigns, reportNotice } from './mandatory-report.js';
import { prefillCase, SITUATION_KEYS, villageChoices } from './case-prefill.js';
import { warmForm } from './engine.js';
import { matchChoices, type ChoiceOption } from '../parse-zh/choice.js';
import { extractMobile } from '../parse-zh/mobile.js';
import {
  birthYearFromAge,
  extractPersonName,
  parseEstimatedAge,
  parseLooseDate,
  parseMonthOnly,
  saysElsewhere,
  saysMyself,
  saysNoPhone,
  saysOwnVillage,
  saysUnknown,
  spotChoices,
} from '../parse-zh/spoken.js';

/** The answer of the identity step: an ID number when there is one, and the birth date. */
export interface Identity {
  idNumber: string | null;
  /** 2013-05 or 2013-05-06. */
  birthDate: string;
}

/** A name or a mobile may be unknown (null); a contact with neither is recorded as unknown. */
export interface Contact {
  name: string | null;
  mobile: string | null;
  /** The person said there is no phone at all, rather than that they do not know it. */
  noPhone?: boolean;
  /** A relation named with the person (「外婆 吴玉芳」): fills 监护人与孩子关系 when not asked yet. */
  relation?: string;
}

const ISO_PARTIAL = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const identitySchema = z.object({
  idNumber: z.string().regex(/^\d{17}[\dX]$/).nullable(),
  birthDate: z.string().regex(ISO_PARTIAL),
});
const contactSchema = z.object({
  noPhone: z.boolean().optional(),
  relation: z.string().optional(), name: z.string().min(2).max(30).nullable(), mobile: z.string().regex(/^1[3-9]\d{9}$/).nullable() });
const text = (max: number) => z.string().trim().min(1).max(max);
const oneOf = (opts: readonly ChoiceOption[]) => z.enum(opts.map((o) => o.value) as [string, ...string[]]);
const choiceWithDetail = (opts: readonly ChoiceOption[]) => z.object({ choice: oneOf(opts), detail: z.string().max(200).nullable() });

const cats = (a: Answers): CategoryCode[] => (Array.isArray(a.categories) ? (a.categories as CategoryCode[]) : []);
export const identityOf = (a: Answers): Identity | undefined => (a.identity ?? undefined) as Identity | undefined;

function birthOf(a: Answers) {
  const id = identityOf(a);
  return id ? parseIsoPartial(id.birthDate) : undefined;
}

const BARE_NUMBER = new RegExp(`^(?:\\d{1,3}|[${CHINESE_NUMERAL_CHARS}]{1,4})$`);

function parseIdentity(input: string, answers: Answers, env: FormEnv, partial?: unknown): ParseOutcome {
  const norm = normalizeInput(input).toUpperCase();
  const inText = /(?<!\d)\d{17}[\dX](?!\d)/.exec(norm)?.[0];
  const compact = compactDigits(norm);
  const idCandidate = inText ?? (/^\d{14,}[\dX]?$/.test(compact) ? compact : undefined);
  if (idCandidate && idCandidate.length >= 15) {
    const r = parseIdNumber(idCandidate, env.now);
    if (!r.ok) return { ok: false, error: ID_ERROR_TEXT[r.reason] };
    return { ok: true, value: { idNumber: r.id, birthDate: formatIsoPartial(r.birthDate) } satisfies Identity };
  }
  const given = partial as Identity | undefined;
  // A year given before: this answer may add its month, or say the month is not known.
  const plain = normalizeInput(input).replace(/[\s，,。.！!？?]+/g, '');
  if (given && /^\d{4}$/.test(given.birthDate)) {
    // Here the question was 「几月份出生？」, so a bare 「2」 is February.
    const month = parseMonthOnly(input) ?? (BARE_NUMBER.test(plain) ? parseMonthOnly(`${plain}月`) : undefined);
    if (month !== undefined) return { ok: true, value: { idNumber: null, birthDate: `${given.birthDate}-${String(month).padStart(2, '0')}` } };
    if (saysUnknown(input)) return { ok: true, value: given, note: 'estimated' };
  }
  // A bare 4-digit year is a year (「2014」 as 「2014年」).
  if (/^(?:19|20)\d{2}$/.test(plain)) return parseIdentity(`${plain}年`, answers, env, partial);
  // A number without 岁 says no unit: 「2」 typed here is far likelier a menu number sent one
  // question late, or a slip, than an age of two; asked again rather than guessed.
  if (BARE_NUMBER.test(plain)) return { ok: false, error: `「${plain}」看不出是年龄还是选项序号：孩子几岁请写「${plain}岁」，也可以写出生年月或身份证号` };
  const d0 = parseDate(input, env.now);
  const loose = d0.ok ? { date: d0.date } : parseLooseDate(input, env.now);
  if (loose && (loose.date.month !== undefined || /年/.test(input))) {
    const d = loose.date;
    if (isInFuture(d, env.now)) return { ok: false, error: '出生日期不能晚于今天' };
    if (d.month === undefined && /不知道|不清|不详|不记得|记不清/.test(input)) {
      return { ok: true, value: { idNumber: null, birthDate: String(d.year) } satisfies Identity, note: 'estimated' };
    }
    if (d.month === undefined) {
      // Only a year: keep it and ask the month once; 「不知道」 then keeps the year as an estimate.
      return { ok: 'partial', value: { idNumber: null, birthDate: String(d.year) } satisfies Identity, ask: `记下了：${d.year}年出生。几月份出生？不知道可回复「不知道」。` };
    }
    const prev = identityOf(answers);
    const prevBirth = prev ? parseIsoPartial(prev.birthDate) : undefined;
    // A date that agrees with the ID number already given keeps the number.
    if (prev?.idNumber && prevBirth && datesCompatible(prevBirth, d)) return { ok: true, value: prev };
    const value = { idNumber: null, birthDate: formatIsoPartial(d) } satisfies Identity;
    return loose.approximate ? { ok: true, value, note: 'approximate' } : { ok: true, value };
  }
  if (!d0.ok && d0.reason === 'invalid' && !loose) return { ok: false, error: '这个出生日期不存在' };
  const age = parseEstimatedAge(input) ?? (parseAge(input) !== undefined ? { min: parseAge(input)!, max: parseAge(input)! } : undefined);
  if (age) return { ok: true, value: { idNumber: null, birthDate: String(birthYearFromAge(age, env.now)) } satisfies Identity, note: 'estimated' };
  if (saysUnknown(input)) return given ? { ok: true, value: given, note: 'estimated' } : { ok: 'unknown' };
  return { ok: false, error: '没能识别为身份证号、出生日期或年龄' };
}

function displayIdentity(v: unknown): string {
  const id = v as Identity;
  const birth = parseIsoPartial(id.birthDate);
  const b = birth ? formatChineseDate(birth) : id.birthDate;
  return id.idNumber ? `${id.idNumber}（出生日期 ${b}）` : `身份证号未填；出生日期 ${b}`;
}

/**
 * Options built once per config list: the choice matcher caches its pinyin index by the options
 * array, so a fresh array per message would rebuild it for every answer (thousands of cadres in
 * a county-size config made each answer cost tens of milliseconds).
 */
function memoByList<T, R>(build: (list: readonly T[]) => R): (list: readonly T[]) => R {
  const cache = new WeakMap<readonly T[], R>();
  return (list) => {
    let r = cache.get(list);
    if (r === undefined) cache.set(list, (r = build(list)));
    return r;
  };
}

const memberOptions = memoByList((members: readonly FormEnv['members'][number][]) =>
  members.map((m) => ({ value: m.userid, label: `${m.name}（${m.unit}）`, aliases: [m.name, m.userid] })),
);
const mentorOptions = (env: FormEnv): readonly ChoiceOption[] => memberOptions(env.members);

/** The schemas over config lists likewise: a 3,000-value enum per answer is not free either. */
const memberIds = memoByList((members: readonly FormEnv['members'][number][]) => z.enum(members.map((m) => m.userid) as [string, ...string[]]));

/**
 * The listed mentors for a set of lead units, in config order; remembered per unit set, since a
 * plan has few distinct sets and a town may have thousands of cadres to walk.
 */
const mentorsOfUnits = memoByList((members: readonly FormEnv['members'][number][]) => {
  const options = memberOptions(members);
  const byUnits = new Map<string, readonly ChoiceOption[]>();
  return (units: ReadonlySet<string>): readonly ChoiceOption[] => {
    const key = [...units].sort().join('\u0000');
    let list = byUnits.get(key);
    if (!list) byUnits.set(key, (list = members.flatMap((m, i) => (units.has(m.unit) ? [options[i]!] : []))));
    return list;
  };
});

const villageList = memoByList((villages: readonly string[]) =>
  villages.map((v) => ({ value: v, label: v, aliases: v.endsWith('村') && v.length > 2 ? [v.slice(0, -1)] : [] })),
);
const villageOptions = (env: FormEnv): readonly ChoiceOption[] => villageList(env.villages);
const villageEnum = memoByList((villages: readonly string[]) => z.enum(['非本镇', ...villages] as [string, ...string[]]));

/** 「是」「有个成年的男的带着她」 → yes; 「没有」「自己去的」 → no. */
function parseIncited(input: string): ParseOutcome {
  const s = normalizeInput(input).replace(/\s+/g, '');
  const yn = parseYesNo(s);
  if (yn !== undefined) return { ok: true, value: yn };
  if (/^(?:没有|没|不是|否|无)/.test(s) || /自己(?:去|干|偷|打)|没人(?:教|让|指使)/.test(s)) return { ok: true, value: false };
  if (/^(?:有|是)/.test(s) || /成年人|大人|社会上的人|社会青年|带着|指使|教唆|逼|让他|让她|胁迫|引诱/.test(s)) return { ok: true, value: true };
  if (saysUnknown(s)) return { ok: 'unknown' };
  return { ok: false, error: '请回答「是」「否」或「不知道」' };
}

const contactDisplay = (v: unknown) => {
  const c = v as Contact;
  return `${c.name ?? '姓名待补充'} ${c.mobile ?? (c.noPhone ? '（无手机）' : '手机待补充')}`;
};

/**
 * 「李长贵 电话不知道」「奶奶叫刘秀英，她没有手机的呀」「外婆 吴玉芳 18755701234」: a name and a
 * mobile, either of which may be unknown. What is given is kept and only the rest is asked.
 */
function parseContact(input: string, answers: Answers, env: FormEnv, partial?: unknown): ParseOutcome {
  const before = (partial ?? undefined) as Contact | undefined;
  const found = extractMobile(input);
  const rest = found ? found.rest : input;
  // A configured member (「司法所的钱所长」) is reachable through the bot: the name is enough.
  const member = env.members.find((m) => m.name.length >= 2 && rest.includes(m.name));
  if (member && !found) return { ok: true, value: { name: member.name, mobile: null } satisfies Contact };
  // 「她自己都成年了，她的电话是…」: the child is her own contact.
  const self = /(?:她|他)自己|本人/.test(rest) && typeof answers.fullName === 'string' ? (answers.fullName as string) : undefined;
  const name = self ?? extractPersonName(rest) ?? before?.name ?? null;
  const mobile = found?.mobile ?? before?.mobile ?? null;
  const noPhone = saysNoPhone(input);
  const rel = spotChoices(rest.split(/没有?手机|电话|手机/)[0]!, RELATION);
  const relation = rel.length ? { relation: rel[0]! } : {};
  const dunno = saysUnknown(input) || /不知道|不清楚|不详/.test(input);
  if (name && (mobile || noPhone || dunno)) return { ok: true, value: { name, mobile, ...(noPhone ? { noPhone } : {}), ...relation } satisfies Contact };
  if (mobile && dunno) return { ok: true, value: { name: null, mobile } satisfies Contact };
  // 「他爹电话134…」: the relation is given instead of a name; the name is left to complete.
  if (mobile && rel.length && !name) return { ok: true, value: { name: null, mobile, ...relation } satisfies Contact };
  const wrongNumber = !found && /\d{7,}/.exec(compactDigits(input))?.[0];
  if (name && wrongNumber) {
    return { ok: 'partial', value: { name, mobile: null } satisfies Contact, ask: `「${wrongNumber}」不是有效的手机号（应为 1 开头的 11 位数字）。已记下姓名：${name}，请重发手机号；不知道可回复「不知道」。` };
  }
  if (name) return { ok: 'partial', value: { name, mobile: null } satisfies Contact, ask: `记下了姓名：${name}。手机号是多少？没有或不知道可回复「没有」或「不知道」。` };
  if (mobile) return { ok: 'partial', value: { name: null, mobile } satisfies Contact, ask: `记下了手机号：${mobile}。这个人叫什么名字？不知道可回复「不知道」。` };
  if (before && (dunno || noPhone || /^(没有|无|没)$/.test(input.trim()))) return { ok: true, value: { ...before, ...(noPhone || /^(没有|无|没)$/.test(input.trim()) ? { noPhone: true } : {}) } };
  if (dunno) return { ok: 'unknown' };
  return { ok: false, error: '没有找到姓名或 11 位手机号' };
}

function parseName(input: string): ParseOutcome {
  if (/叫啥|叫什么|不知道叫|名字不知道|不知道名字|姓名不详|没有名字|问不出/.test(input)) return { ok: 'unknown' };
  const name = extractPersonName(input);
  if (name) return { ok: true, value: name };
  if (saysUnknown(input)) return { ok: 'unknown' };
  return { ok: false, error: '姓名应为 2–30 个汉字（少数民族姓名可用「·」）' };
}

/** The village: 「我们村」 is the reporter's own, 「外地的」 is outside the town. */
export const OUTSIDE_TOWN = '非本镇';
function parseVillage(input: string, _answers: Answers, env: FormEnv): ParseOutcome {
  if (saysOwnVillage(input) || /^(?:俺|我们|咱)村/.test(normalizeInput(input))) {
    if (env.reporter?.village) return { ok: true, value: env.reporter.village };
    if (saysOwnVillage(input)) return { ok: false, error: '名单里没有登记您所在的村，请写出村名' };
  }
  const opts = villageOptions(env);
  const r = matchChoices(input, opts);
  if (r.ok) return { ok: true, value: r.values[0]! };
  const spotted = spotChoices(input, opts);
  if (spotted.length === 1) return { ok: true, value: spotted[0]! };
  if (saysElsewhere(input)) return { ok: true, value: OUTSIDE_TOWN };
  if (saysUnknown(input)) return { ok: 'unknown' };
  return { ok: false, error: r.ok === false && r.reason === 'ambiguous' ? `「${input.trim()}」可能是：${r.candidates!.join('、')}` : `没有「${input.trim()}」这个村（外地户籍可回复「外地」）` };
}

const GRADE = /([一二三四五六1-6])年级|(初|高)([一二三123])|(初中|高中|小学|幼儿园|中职|职高|技校|中专|大学|大专)/;
/**
 * 「墩集中学初三」「中心校四年级」「初一」: a grade says the level (一至六年级 小学, 初一–初三 初中,
 * 高一–高三 高中); the school and grade are kept as detail. Out of school and work are read too.
 */
function parseSchool(input: string, _answers: Answers, env: FormEnv): ParseOutcome {
  const s = normalizeInput(input).replace(/\s+/g, '');
  const detail = stripEdge(input).slice(0, 200) || null;
  const r = matchChoices(input, SCHOOL_STATUS, { allowDetail: true });
  if (r.ok && !/不|没/.test(s)) return { ok: true, value: { choice: r.values[0]!, detail: r.detail || null } };
  void env;
  const g = GRADE.exec(s);
  if (g && !/不上|没上|不读|辍学|退学|不念/.test(s.slice(0, g.index + 4))) {
    const level = g[1] ? '小学' : g[2] === '初' ? '初中' : g[2] === '高' ? '高中' : ({ 职高: '中职', 技校: '中职', 中专: '中职', 大学: '大专及以上', 大专: '大专及以上' } as Record<string, string>)[g[4]!] ?? g[4]!;
    return { ok: true, value: { choice: level, detail } };
  }
  if (/辍学|退学|不上学|不上了|不念|不读|没上学|没去上学|没来上学|不去学校|摇头|没读完/.test(s)) {
    if (/打工|上班|干活|工作/.test(s) && !/没工作|无业|不工作/.test(s)) return { ok: true, value: { choice: '在业', detail } };
    return { ok: true, value: { choice: /毕业/.test(s) ? '已毕业未升学' : '辍学', detail } };
  }
  if (/中学/.test(s)) return { ok: true, value: { choice: '初中', detail } };
  if (/中心校|小学/.test(s)) return { ok: true, value: { choice: '小学', detail } };
  if (/在家|闲着|没工作|无业|待业|啥也不干|不干活/.test(s)) return { ok: true, value: { choice: '无业', detail } };
  if (/打工|上班|工作|厂里/.test(s)) return { ok: true, value: { choice: '在业', detail } };
  const spotted = spotChoices(input, SCHOOL_STATUS);
  if (spotted.length) return { ok: true, value: { choice: spotted[0]!, detail } };
  if (saysUnknown(input)) return { ok: 'unknown' };
  return { ok: false, error: '没能看出就学或就业情况' };
}
const stripEdge = (t: string) => normalizeInput(t).replace(/^[\s，,。]+|[\s，,。]+$/g, '');

const ONE_PARENT_GONE = /跑了|没影|走了|去世|死了|不在了|过世|病|残疾|瘫|坐牢|服刑|戒毒|联系不上|离婚|改嫁|失踪|精神/;
/** 「他妈出去打工了 他爸早跑了没影了」 → one parent away and the other unable to care. */
function parseParentsAway(input: string): ParseOutcome {
  const s = normalizeInput(input).replace(/\s+/g, '');
  if (ONE_PARENT_GONE.test(s)) return { ok: true, value: '一方外出务工、另一方无监护能力' };
  const r = matchChoices(input, PARENTS_AWAY);
  if (r.ok) return { ok: true, value: r.values[0]! };
  const both = /(?:父母|爸妈|爹娘|爸爸妈妈|他爹他娘|她爸她妈|他爸他妈|两口子|俩人|两个人).*(?:都|均|一起|双双)|都(?:在外|出去|去|外出)|双方/.test(s);
  if (both) return { ok: true, value: '父母均外出务工' };
  const spotted = spotChoices(input, PARENTS_AWAY);
  if (spotted.length) return { ok: true, value: spotted[0]! };
  if (/打工|务工|外出|在外/.test(s)) return { ok: true, value: '父母均外出务工' };
  return { ok: false, error: '没能看出父母外出的情况' };
}

/** 「我」「我自己」 mean the reporter; 「让孙干事帮扶吧」 names a member inside a phrase. */
function parseMentor(input: string, _answers: Answers, env: FormEnv): ParseOutcome {
  if (saysMyself(input) && env.reporter) return { ok: true, value: env.reporter.userid };
  const opts = mentorOptions(env);
  const r = matchChoices(input, opts);
  if (r.ok) return { ok: true, value: r.values[0]! };
  const spotted = spotChoices(input, opts);
  if (spotted.length === 1) return { ok: true, value: spotted[0]! };
  if (saysUnknown(input)) return { ok: 'unknown' };
  return { ok: false, error: r.reason === 'ambiguous' ? `「${input.trim()}」可能是：${r.candidates!.join('、')}` : `工作人员名单里没有「${input.trim()}」` };
}

const STEPS: StepDef[] = [
  {
    key: 'categories',
    label: '类别',
    editNames: ['人员类型', '类型', '个案类别'],
    prompt: '属于哪一类重点青少年？',
    kind: 'multi',
    required: true,
    options: (env) => categoryOptions(env.plan),
    schema: z.array(z.enum(CATEGORY_CODES as [CategoryCode, ...CategoryCode[]])).min(1),
    expect: '类别的序号或名称，可多选',
    example: '5 或「留守」，两类都是就回复「2、5」',
  },
  {
    key: 'fullName',
    label: '姓名',
    editNames: ['名字', '孩子姓名'],
    prompt: '孩子的姓名？',
    kind: 'custom',
    parse: parseName,
    schema: z.string().min(2).max(30),
    expect: '2–30 个汉字的姓名',
    example: '王小明',
  },
  {
    key: 'identity',
    label: '身份证号/出生日期',
    editNames: ['身份证号', '身份证', '身份证号码', '出生日期', '生日', '出生'],
    prompt: '孩子的身份证号？没有身份证号的，请输入出生日期；只知道大概年龄也可以（如「十一二岁」）。',
    kind: 'custom',
    readsUnknown: true,
    parse: parseIdentity,
    schema: identitySchema,
    display: displayIdentity,
    expect: '18 位身份证号，或出生日期（至少到月份）',
    example: '34132420130506123X 或 2013年5月6日',
  },
  {
    key: 'gender',
    label: '性别',
    prompt: '孩子的性别？',
    kind: 'choice',
    // The record needs it (the store allows only 男/女), and a reporter who saw the child knows it.
    required: true,
    options: GENDER,
    schema: oneOf(GENDER),
    expect: '「男」或「女」',
    example: '男',
  },
  {
    key: 'village',
    label: '户籍村',
    editNames: ['村', '户籍', '村庄', '所在村', '户籍所在村'],
    prompt: '户籍在哪个村？（不是本镇的回复「外地」）',
    kind: 'custom',
    options: villageOptions,
    parse: parseVillage,
    schema: (env) => villageEnum(env.villages),
    expect: '本镇村名或序号',
    example: '王庄村',
  },
  {
    key: 'schoolStatus',
    label: '就学/就业情况',
    editNames: ['就学', '学校', '年级', '就业', '上学', '就学情况', '就业情况'],
    prompt: '目前的就学或就业情况？可在后面附上学校和年级，如「小学，墩集中心校三年级」。',
    kind: 'custom',
    allowDetail: true,
    options: SCHOOL_STATUS,
    parse: parseSchool,
    schema: choiceWithDetail(SCHOOL_STATUS),
    expect: '就学或就业情况（序号或名称），可附学校和年级',
    example: '小学，墩集中心校三年级',
  },
  {
    key: 'guardianContact',
    label: '监护人姓名和手机',
    editNames: ['监护人', '监护人姓名', '监护人电话', '监护人手机', '手机', '电话', '联系方式'],
    prompt: '监护人的姓名和手机号？可一并说明和孩子的关系，如「奶奶 张桂兰 13812345678」。',
    kind: 'contact',
    readsUnknown: true,
    parse: parseContact,
    optional: (a) => cats(a).includes('03'),
    schema: contactSchema,
    display: contactDisplay,
    expect: '监护人姓名和 11 位手机号',
    example: '张桂兰 13812345678',
  },
  {
    key: 'guardianRelation',
    label: '监护人与孩子关系',
    editNames: ['监护关系', '照料人', '监护人关系', '关系'],
    // A street child whose guardian nobody knows has no relation or mode to ask about yet.
    when: (a) => !(cats(a).includes('03') && a.guardianContact === null),
    prompt: '实际监护（照料）孩子的人是孩子的什么人？',
    kind: 'choice',
    options: RELATION,
    schema: oneOf(RELATION),
    expect: '关系（序号或名称）',
    example: '奶奶',
  },
  {
    key: 'guardianshipMode',
    label: '监护方式',
    editNames: ['监护'],
    // A begging child's guardian is mostly not known when found (the plan's 流浪 task 2 is to find
    // them), so the mode is not asked; one that follows from a named relation is still kept.
    when: (a) => !cats(a).includes('03'),
    prompt: '孩子目前的监护方式？',
    kind: 'choice',
    options: GUARDIANSHIP_MODE,
    schema: oneOf(GUARDIANSHIP_MODE),
    expect: '监护方式（序号或名称）',
    example: '祖辈监护',
  },
  // ⑤ 农村留守儿童
  {
    key: 'parentsAway',
    label: '父母外出情况',
    categories: ['05'],
    prompt: '父母外出务工情况？',
    kind: 'choice',
    parse: (t) => parseParentsAway(t),
    options: PARENTS_AWAY,
    schema: oneOf(PARENTS_AWAY),
    expect: '序号或名称',
    example: '1',
  },
  {
    key: 'parentsWorkplace',
    label: '父母务工地',
    editNames: ['务工地', '打工地点', '父母打工地'],
    categories: ['05'],
    prompt: '父母各在哪里务工（省、市）？',
    kind: 'text',
    schema: text(200),
    expect: '父母的务工地（省、市）',
    example: '父亲江苏苏州，母亲浙江杭州',
  },
  {
    key: 'guardianshipRating',
    label: '监护情况评估',
    editNames: ['监护评估', '监护情况'],
    categories: ['05'],
    // An assessment made by whoever visits the family, not a fact the reporter must have: it is
    // completed after the case exists (待补充) unless the first message states it.
    inFlow: false,
    prompt: '监护情况评估？（较好：需求得到较好满足；一般：基本满足但有隐患；差：无人监护或监护人无能力）',
    kind: 'choice',
    options: GUARDIANSHIP_RATING,
    schema: oneOf(GUARDIANSHIP_RATING),
    expect: '「较好」「一般」或「差」',
    example: '一般',
  },
  // ④ 服刑人员未成年子女
  {
    key: 'imprisonedParent',
    label: '服刑（戒毒）的家长',
    editNames: ['服刑家长', '哪位家长'],
    categories: ['04'],
    prompt: '哪位家长在服刑或被限制人身自由？（不记录罪名和监所）',
    kind: 'choice',
    options: IMPRISONED_PARENT,
    schema: oneOf(IMPRISONED_PARENT),
    expect: '父亲、母亲或父母双方',
    example: '父亲',
  },
  {
    key: 'custodyType',
    label: '羁押类型',
    editNames: ['服刑类型', '限制类型'],
    categories: ['04'],
    prompt: '属于哪种情况？',
    kind: 'choice',
    options: CUSTODY_TYPE,
    schema: oneOf(CUSTODY_TYPE),
    expect: '序号或名称',
    example: '服刑在押',
  },
  {
    key: 'bangjiaoContact',
    label: '帮教联系人',
    editNames: ['帮教', '帮教人'],
    categories: ['04'],
    // The plan has the 司法所 and others appoint a 帮教联系人 for a case (服刑 task 2): that comes
    // after the case exists, so it is listed as 待补充 rather than asked of the reporter.
    inFlow: false,
    prompt: '司法所指定的帮教联系人姓名和手机号？',
    kind: 'contact',
    readsUnknown: true,
    parse: parseContact,
    schema: contactSchema,
    display: contactDisplay,
    expect: '帮教联系人姓名和 11 位手机号',
    example: '孙七 13912345678',
  },
  // ② 有不良行为或严重不良行为青少年
  {
    key: 'behaviors',
    label: '行为类型',
    editNames: ['不良行为', '行为'],
    categories: ['02'],
    prompt: '有哪些不良或严重不良行为？（预防未成年人犯罪法第28条、第38条）',
    kind: 'multi',
    options: BEHAVIORS,
    schema: z.array(oneOf(BEHAVIORS)).min(1),
    expect: '行为的序号或名称，可多选',
    example: '2、4 或「逃学 网瘾」',
  },
  {
    key: 'behaviorNote',
    label: '其他行为说明',
    categories: ['02'],
    when: (a) => Array.isArray(a.behaviors) && (a.behaviors as string[]).some((b) => b === 'BL09' || b === 'YZ09'),
    prompt: '请简要说明「其他」行为是什么（不写他人姓名）。',
    kind: 'text',
    schema: text(300),
    expect: '简要说明',
    example: '多次在校外向低年级学生索要零花钱',
  },
  {
    key: 'disposition',
    label: '处置情况',
    editNames: ['处置', '处理情况'],
    categories: ['02'],
    prompt: '目前的处置情况？',
    kind: 'choice',
    options: DISPOSITION,
    schema: oneOf(DISPOSITION),
    expect: '序号或名称',
    example: '家长管教',
  },
  {
    key: 'justiceInvolvement',
    label: '是否涉及司法程序',
    editNames: ['涉法', '司法'],
    categories: ['02'],
    prompt: '是否涉及公安或司法程序？（只记有/无/不详，不记细节）',
    kind: 'choice',
    options: JUSTICE_INVOLVEMENT,
    schema: oneOf(JUSTICE_INVOLVEMENT),
    expect: '「有」「无」或「不详」',
    example: '无',
  },
  {
    key: 'incitedByAdult',
    label: '受成年人教唆或胁迫',
    editNames: ['教唆', '胁迫'],
    categories: ['02'],
    prompt: '是否受到成年人教唆、胁迫或引诱？',
    kind: 'custom',
    parse: parseIncited,
    schema: z.boolean(),
    expect: '「是」或「否」',
    example: '否',
  },
  // ③ 流浪乞讨未成年人
  {
    key: 'foundPlace',
    label: '发现地点',
    categories: ['03'],
    prompt: '在哪里发现的？（写到村或镇一级即可）',
    kind: 'text',
    schema: text(100),
    expect: '发现地点（村或镇）',
    example: '墩集镇汽车站附近',
  },
  {
    key: 'accompaniedBy',
    label: '同行人',
    categories: ['03'],
    prompt: '发现时和谁在一起？',
    kind: 'choice',
    options: ACCOMPANIED_BY,
    schema: oneOf(ACCOMPANIED_BY),
    expect: '序号或名称',
    example: '无',
  },
  {
    key: 'referredTo',
    label: '处置去向',
    categories: ['03'],
    prompt: '目前送往哪里或如何处置？',
    kind: 'choice',
    options: REFERRED_TO,
    schema: oneOf(REFERRED_TO),
    expect: '序号或名称',
    example: '救助管理站',
  },
  // ① 闲散青少年
  {
    key: 'idleSince',
    label: '不在学（无业）起始时间',
    editNames: ['闲散时间', '起始时间'],
    categories: ['01'],
    prompt: '从什么时候起不在学（16岁以上：不在学且无业）？写到月份即可。',
    kind: 'date',
    schema: z.string().regex(ISO_PARTIAL),
    display: (v) => {
      const d = parseIsoPartial(String(v));
      return d ? formatChineseDate(d) : String(v);
    },
    expect: '年月',
    example: '2025年6月',
  },
  {
    key: 'wishes',
    label: '本人意愿',
    editNames: ['意愿'],
    categories: ['01'],
    // Asked of the young person by the mentor, for the help the plan offers (闲散 task 2): after
    // the case exists.
    inFlow: false,
    prompt: '本人有什么意愿？',
    kind: 'choice',
    options: WISHES,
    schema: oneOf(WISHES),
    expect: '序号或名称',
    example: '职业培训',
  },
  // Common, after the category blocks.
  {
    key: 'riskLevel',
    label: '风险等级',
    editNames: ['风险', '关注程度'],
    // Assessed by the mentor at the first contact and at the plan's monthly risk screening, not
    // known at registration: stored as not yet assessed (待补充) unless given.
    inFlow: false,
    prompt: '风险等级？',
    kind: 'choice',
    options: RISK_LEVEL,
    schema: oneOf(RISK_LEVEL),
    expect: '「低」「中」或「高」',
    example: '中',
  },
  {
    key: 'mentor',
    label: '帮扶责任人',
    editNames: ['责任人', '帮扶人', '帮扶'],
    prompt: '帮扶责任人是谁？（回复姓名；您本人负责回复「我」）',
    kind: 'custom',
    options: mentorOptions,
    parse: parseMentor,
    // Every case needs someone to contact the child monthly. It is the person reporting it unless
    // they name another (derive below), so it is not asked; 「修改 帮扶责任人」 changes it.
    inFlow: false,
    derivedMark: '（默认为登记人，可回复「修改 帮扶责任人」更换）',
    whenUnknown: (_a, env) => env.reporter?.userid,
    // With many cadres on file, offer those of the chosen categories' lead units.
    suggest: (answers, env) => {
      const codes = cats(answers);
      const units = new Set(env.plan.categories.filter((c) => c.code !== undefined && codes.includes(c.code)).flatMap((c) => c.leadUnits));
      return mentorsOfUnits(env.members)(units);
    },
    schema: (env) => memberIds(env.members),
    display: (v, env) => {
      const m = memberIndex(env.members).get(v as string);
      return m ? `${m.name}（${m.unit}）` : String(v);
    },
    expect: '帮扶责任人的姓名',
    example: '李四',
  },
  {
    key: 'notes',
    label: '情况说明',
    editNames: ['说明', '备注', '情况'],
    optional: true,
    inFlow: false,
    prompt: '请简要说明情况（只写与帮扶有关的事实，不写传闻和他人隐私）。',
    kind: 'text',
    schema: z.string().max(2000),
    expect: '情况说明',
    example: '父母春节返乡，平时由奶奶照顾，学习成绩中等',
  },
];

/** The intake form for a new case: common fields plus each category's own block (docs/domain-rules.md §5). */
export const caseForm: FormDef = {
  id: 'case-intake',
  version: 2,
  title: '新增个案登记',
  steps: STEPS,
  prefill: prefillCase,
  fillsInPassing: SITUATION_KEYS,

  derive(a, env) {
    const out: Record<string, { value: unknown; from: string }> = {};
    const id = identityOf(a)?.idNumber;
    if (id) out.gender = { value: Number(id[16]) % 2 === 1 ? '男' : '女', from: 'identity' };
    const named = (a.guardianContact as Contact | null | undefined)?.relation;
    if (!('guardianRelation' in a) && named) out.guardianRelation = { value: named, from: 'guardianContact' };
    const relation = typeof a.guardianRelation === 'string' ? a.guardianRelation : named;
    let mode = relation ? MODE_FROM_RELATION[relation] : undefined;
    // A parent caring alone where the other is away or gone is 单亲监护; otherwise a parent is 父母监护 (shown as inferred).
    if (!mode && (relation === '父' || relation === '母')) mode = a.parentsAway === '一方外出务工、另一方无监护能力' || cats(a).includes('04') ? '单亲监护' : '父母监护';
    if (mode) out.guardianshipMode = { value: mode, from: 'guardianRelation' };
    if (!('mentor' in a) && env.reporter) out.mentor = { value: env.reporter.userid, from: 'reporter' };
    return out;
  },

  check(a, env) {
    const birth = birthOf(a);
    if (!birth) return undefined;
    const age = ageRange(birth, env.now);
    for (const code of cats(a)) {
      const w = ageWindow(env.plan, code);
      const name = categoryName(env.plan, code);
      if (age.min >= w.maxExclusive) {
        return { message: `按出生日期（${formatChineseDate(birth)}），孩子已满 ${w.maxExclusive} 周岁，不属于「${name}」（未满 ${w.maxExclusive} 周岁）`, blame: 'categories' };
      }
      if (w.min !== undefined && age.max < w.min) {
        return { message: `按出生日期（${formatChineseDate(birth)}），孩子不满 ${w.min} 周岁，不属于「${name}」（${w.min} 周岁以上）`, blame: 'categories' };
      }
    }
    return undefined;
  },

  conflict(key, value, a, _env, derived) {
    const questions: string[] = [];
    const patch: Answers = {};
    const old = identityOf(a);
    if (key === 'identity') {
      const next = value as Identity;
      const nb = parseIsoPartial(next.birthDate)!;
      const ob = old ? parseIsoPartial(old.birthDate) : undefined;
      if (old?.idNumber && !next.idNumber && ob && !datesCompatible(ob, nb)) {
        questions.push(`新填的出生日期 ${formatChineseDate(nb)} 与身份证号中的 ${formatChineseDate(ob)} 不一致；以新日期为准将删除已填的身份证号。`);
      } else if (ob && next.idNumber && next.idNumber !== old?.idNumber && !datesCompatible(ob, nb)) {
        questions.push(`身份证号中的出生日期是 ${formatChineseDate(nb)}，与之前填写的 ${formatChineseDate(ob)} 不一致。`);
      }
      if (next.idNumber && typeof a.gender === 'string' && !('gender' in derived)) {
        const g = Number(next.idNumber[16]) % 2 === 1 ? '男' : '女';
        if (g !== a.gender) {
          questions.push(`身份证号显示性别为「${g}」，与之前填写的「${a.gender}」不一致。`);
          patch.gender = g;
        }
      }
    }
    if (key === 'gender' && old?.idNumber) {
      const g = Number(old.idNumber[16]) % 2 === 1 ? '男' : '女';
      if (g !== value) {
        questions.push(`身份证号显示性别为「${g}」，与新填写的「${String(value)}」不一致；以新填写的为准将删除已填的身份证号。`);
        patch.identity = { idNumber: null, birthDate: old.birthDate } satisfies Identity;
      }
    }
    if (!questions.length) return undefined;
    return { question: `${questions.join('\n')}\n以新填写的为准吗？`, ...(Object.keys(patch).length ? { patch } : {}) };
  },

  signs(a, input, env) {
    const birth = birthOf(a);
    const fromText = findAgeInText(input);
    const age = birth ? ageRange(birth, env.now) : fromText !== undefined ? { min: fromText, max: fromText } : undefined;
    return detectSigns({
      text: input,
      ...(age ? { age } : {}),
      ...(typeof a.guardianshipMode === 'string' ? { guardianshipMode: a.guardianshipMode } : {}),
      ...(typeof a.accompaniedBy === 'string' ? { accompaniedBy: a.accompaniedBy } : {}),
      ...(typeof a.incitedByAdult === 'boolean' ? { incitedByAdult: a.incitedByAdult } : {}),
    });
  },

  signNotice: reportNotice,
};

/** Builds the case form's config-wide lists and matchers, the prefill's village list among them. */
export function warmCaseForm(env: FormEnv): void {
  warmForm(caseForm, env);
  matchChoices('', villageChoices(env.villages));
}
