import { memberIndex } from '../../config/member-index.js';
import { z } from 'zod';
import { findAgeInText, parseAge } from '../parse-zh/age.js';
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
import { prefillCase, villageChoices } from './case-prefill.js';
import { warmForm } from './engine.js';
import { matchChoices, type ChoiceOption } from '../parse-zh/choice.js';

/** The answer of the identity step: an ID number when there is one, and the birth date. */
export interface Identity {
  idNumber: string | null;
  /** 2013-05 or 2013-05-06. */
  birthDate: string;
}

export interface Contact {
  name: string;
  mobile: string;
}

const ISO_PARTIAL = /^\d{4}-\d{2}(-\d{2})?$/;
const identitySchema = z.object({
  idNumber: z.string().regex(/^\d{17}[\dX]$/).nullable(),
  birthDate: z.string().regex(ISO_PARTIAL),
});
const contactSchema = z.object({ name: z.string().min(2).max(30), mobile: z.string().regex(/^1[3-9]\d{9}$/) });
const text = (max: number) => z.string().trim().min(1).max(max);
const oneOf = (opts: readonly ChoiceOption[]) => z.enum(opts.map((o) => o.value) as [string, ...string[]]);
const choiceWithDetail = (opts: readonly ChoiceOption[]) => z.object({ choice: oneOf(opts), detail: z.string().max(200).nullable() });

const cats = (a: Answers): CategoryCode[] => (Array.isArray(a.categories) ? (a.categories as CategoryCode[]) : []);
export const identityOf = (a: Answers): Identity | undefined => (a.identity ?? undefined) as Identity | undefined;

function birthOf(a: Answers) {
  const id = identityOf(a);
  return id ? parseIsoPartial(id.birthDate) : undefined;
}

function parseIdentity(input: string, answers: Answers, env: FormEnv): ParseOutcome {
  const compact = compactDigits(normalizeInput(input)).toUpperCase();
  if (/^\d{14,}[\dX]?$/.test(compact) || /^\d{17}X$/.test(compact)) {
    const r = parseIdNumber(compact, env.now);
    if (!r.ok) return { ok: false, error: ID_ERROR_TEXT[r.reason] };
    return { ok: true, value: { idNumber: r.id, birthDate: formatIsoPartial(r.birthDate) } satisfies Identity };
  }
  const d = parseDate(input, env.now);
  if (d.ok) {
    if (d.date.month === undefined) return { ok: false, error: '出生日期请至少写到月份' };
    if (isInFuture(d.date, env.now)) return { ok: false, error: '出生日期不能晚于今天' };
    const prev = identityOf(answers);
    const prevBirth = prev ? parseIsoPartial(prev.birthDate) : undefined;
    // A date that agrees with the ID number already given keeps the number.
    if (prev?.idNumber && prevBirth && datesCompatible(prevBirth, d.date)) return { ok: true, value: prev };
    return { ok: true, value: { idNumber: null, birthDate: formatIsoPartial(d.date) } satisfies Identity };
  }
  if (d.reason === 'invalid') return { ok: false, error: '这个出生日期不存在' };
  if (parseAge(input) !== undefined) return { ok: false, error: '只填年龄不够，请提供出生日期（至少到月份）' };
  return { ok: false, error: '没能识别为身份证号或出生日期' };
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
const villageEnum = memoByList((villages: readonly string[]) => z.enum(villages as [string, ...string[]]));

const contactDisplay = (v: unknown) => {
  const c = v as Contact;
  return `${c.name} ${c.mobile}`;
};

const STEPS: StepDef[] = [
  {
    key: 'categories',
    label: '类别',
    editNames: ['人员类型', '类型', '个案类别'],
    prompt: '属于哪一类重点青少年？',
    kind: 'multi',
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
    kind: 'name',
    schema: z.string().min(2).max(30),
    expect: '2–30 个汉字的姓名',
    example: '王小明',
  },
  {
    key: 'identity',
    label: '身份证号/出生日期',
    editNames: ['身份证号', '身份证', '身份证号码', '出生日期', '生日', '出生'],
    prompt: '孩子的身份证号？没有身份证号的，请输入出生日期。',
    kind: 'custom',
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
    options: GENDER,
    schema: oneOf(GENDER),
    expect: '「男」或「女」',
    example: '男',
  },
  {
    key: 'village',
    label: '户籍村',
    editNames: ['村', '户籍', '村庄', '所在村', '户籍所在村'],
    prompt: '户籍在哪个村？',
    kind: 'choice',
    options: villageOptions,
    schema: (env) => villageEnum(env.villages),
    expect: '本镇村名或序号',
    example: '王庄村',
  },
  {
    key: 'schoolStatus',
    label: '就学/就业情况',
    editNames: ['就学', '学校', '年级', '就业', '上学', '就学情况', '就业情况'],
    prompt: '目前的就学或就业情况？可在后面附上学校和年级，如「小学，墩集中心校三年级」。',
    kind: 'choice',
    allowDetail: true,
    options: SCHOOL_STATUS,
    schema: choiceWithDetail(SCHOOL_STATUS),
    expect: '就学或就业情况（序号或名称），可附学校和年级',
    example: '小学，墩集中心校三年级',
  },
  {
    key: 'guardianRelation',
    label: '监护人与孩子关系',
    editNames: ['监护关系', '照料人', '监护人关系', '关系'],
    prompt: '实际监护（照料）孩子的人是孩子的什么人？',
    kind: 'choice',
    options: RELATION,
    schema: oneOf(RELATION),
    expect: '关系（序号或名称）',
    example: '奶奶',
  },
  {
    key: 'guardianContact',
    label: '监护人姓名和手机',
    editNames: ['监护人', '监护人姓名', '监护人电话', '监护人手机', '手机', '电话', '联系方式'],
    prompt: '监护人的姓名和手机号？',
    kind: 'contact',
    optional: (a) => cats(a).includes('03'),
    schema: contactSchema,
    display: contactDisplay,
    expect: '监护人姓名和 11 位手机号',
    example: '张桂兰 13812345678',
  },
  {
    key: 'guardianshipMode',
    label: '监护方式',
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
    optional: true,
    prompt: '司法所指定的帮教联系人姓名和手机号？',
    kind: 'contact',
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
    kind: 'yesno',
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
    prompt: '帮扶责任人是谁？（回复姓名）',
    kind: 'choice',
    options: mentorOptions,
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

/** The intake form for a new case: common fields plus each category's own block (domain.md §5). */
export const caseForm: FormDef = {
  id: 'case-intake',
  title: '新增个案登记',
  steps: STEPS,
  prefill: prefillCase,

  derive(a) {
    const out: Record<string, { value: unknown; from: string }> = {};
    const id = identityOf(a)?.idNumber;
    if (id) out.gender = { value: Number(id[16]) % 2 === 1 ? '男' : '女', from: 'identity' };
    const mode = typeof a.guardianRelation === 'string' ? MODE_FROM_RELATION[a.guardianRelation] : undefined;
    if (mode) out.guardianshipMode = { value: mode, from: 'guardianRelation' };
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
