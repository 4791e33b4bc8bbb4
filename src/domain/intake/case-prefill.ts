import { formatIsoPartial, isInFuture } from '../parse-zh/date.js';
import { extractMobile } from '../parse-zh/mobile.js';
import { birthYearFromAge, parseEstimatedAge, parseLooseDate, spotChoices } from '../parse-zh/spoken.js';
import { parseIdNumber } from '../parse-zh/id-number.js';
import { normalizeInput } from '../parse-zh/normalize.js';
import { parsePersonName } from '../parse-zh/person-name.js';
import type { CategoryCode } from '../plan/types.js';
import { BEHAVIORS, CUSTODY_TYPE, DISPOSITION, GENDER, GUARDIANSHIP_RATING, REFERRED_TO, RELATION, SCHOOL_STATUS } from './case-options.js';
import type { Answers, FormEnv, PrefillResult } from './form.js';
import type { ChoiceOption } from '../parse-zh/choice.js';

/**
 * The village pick-list of a config, built once: the choice matcher caches its pinyin index by
 * the options array, so a fresh array per message rebuilt that index for every new intake.
 */
const villageLists = new WeakMap<readonly string[], readonly ChoiceOption[]>();
export function villageChoices(villages: readonly string[]): readonly ChoiceOption[] {
  let list = villageLists.get(villages);
  if (!list) villageLists.set(villages, (list = villages.map((x) => ({ value: x, label: x }))));
  return list;
}

/** Words that start an intake; the text after them is read for prefill. */
export const INTAKE_TRIGGER = /^(?:新增个案|上报个案|新个案|登记个案|个案登记|新建个案|录入个案|新增|登记)(?:\s*[:：，,\s]\s*([\s\S]*))?$/;

const PARENTS_BOTH_AWAY = /(?:父母|爸妈|爹娘|爸爸妈妈|他爹他娘|她爸她妈|他爸他妈)(?:都|均|双双|双方|两人|俩)?(?:都)?(?:在|去|去了|到)?(?:外地|外出|在外|外面|外省|外头|[\p{Script=Han}]{2,4}?)(?:打工|务工)|(?:父母|爸妈|爹娘)(?:都|均)(?:在外地|在外|外出|在外面|在外头)/u;

const CATEGORY_WORDS: Array<[RegExp, CategoryCode]> = [
  [/留守/, '05'],
  [PARENTS_BOTH_AWAY, '05'],
  [/闲散|辍学|不上学|没来上学|不念书|不读书|在家闲着|在家待|啥也不干|没再找工作|一直在家/, '01'],
  [/不良|打架|斗殴|偷|盗窃|抢|旷课|逃学|抽烟|喝酒|训诫|拘留|行拘|寻衅|伤害|缓刑|夜不归宿|不回家|不起诉|不予刑事处罚/, '02'],
  [/流浪|乞讨|要饭|要钱/, '03'],
  [/服刑|坐牢|牢里|监狱|在押|戒毒|社区矫正|死刑|判了|服型/, '04'],
];

/** A child the plan calls 流浪乞讨 is also out of school; the 闲散 words then describe the begging. */
function categoriesOf(text: string): CategoryCode[] {
  const out: CategoryCode[] = [];
  for (const [re, code] of CATEGORY_WORDS) if (re.test(text) && !out.includes(code)) out.push(code);
  // 「判三缓三」「缓刑」 are the child's own sentence (不良), not a parent's (服刑), unless a parent is named.
  if (out.includes('04') && /缓刑|判三缓三|缓三|附条件/.test(text) && !/(?:爹|爸|娘|妈|父|母)[^，,。]{0,4}(?:坐牢|服刑|监狱|戒毒|矫正|死刑|判)/.test(text)) out.splice(out.indexOf('04'), 1);
  if (out.includes('03') && out.includes('01')) out.splice(out.indexOf('01'), 1);
  // 「偷东西被拘留」 of a parent is 服刑's business, not the child's behaviour.
  return out;
}

const CARER = /由(.{1,4}?)(?:照顾|照料|抚养|监护|看护|带着|带)|跟(?:着)?(.{1,4}?)(?:生活|住|过)|(.{1,3}?)(?:带着|照顾|在带)/;

/** Common surnames: a name the bot guesses from free text must start with one, or it asks. */
const SURNAMES = new Set([...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝']);

/** Words that look like a name (2–4 Han characters) but are not one. */
const NOT_A_NAME = /[村镇乡岁]$|出生|父母|父亲|母亲|爸爸|妈妈|奶奶|爷爷|外婆|外公|姥姥|姥爷|打工|务工|照顾|留守|小学|初中|高中|男孩|女孩|个案|登记|流浪|乞讨|服刑|闲散|不良|口音|外地|不知|\d/;

const RELATION_BEFORE = /(?:奶奶|爷爷|外婆|外公|姥姥|姥爷|爸爸|妈妈|父亲|母亲|爹|娘|大姑|姑姑|舅舅|叔叔|阿姨|监护人|家长)$/;

function knownName(candidate: string | undefined): string | undefined {
  if (!candidate) return undefined;
  const n = parsePersonName(candidate);
  if (!n || n.length > 4 || NOT_A_NAME.test(n) || !SURNAMES.has(n[0]!)) return undefined;
  return n;
}

/**
 * Reads what a first message already says: 「新增个案：王小明，男，2013年5月出生，王庄村，
 * 父母都在外地打工，由奶奶照顾」 or 「我们村有个留守娃要登记一下，叫李小花，女的，爸妈都去江苏
 * 打工了，爷爷带着」. Only values the message states plainly are taken; a name must look like
 * one (a known surname, no relation word glued on), else it is asked. The engine validates the
 * rest and asks for everything else.
 */
export function prefillCase(input: string, env: FormEnv): PrefillResult {
  const raw = normalizeInput(input);
  const m = INTAKE_TRIGGER.exec(raw);
  const text = m ? (m[1] ?? '') : raw;
  const answers: Answers = {};
  const partial: Answers = {};
  const estimated: string[] = [];
  const segments = text.split(/[，,；;。\s、：:]+/).filter(Boolean);
  const claimed = new Set<number>();

  const idm = /(?<!\d)\d{17}[\dXx](?!\d)/.exec(text);
  if (idm) {
    const id = parseIdNumber(idm[0].toUpperCase(), env.now);
    if (id.ok) answers.identity = { idNumber: id.id, birthDate: formatIsoPartial(id.birthDate) };
  }
  segments.forEach((seg, i) => {
    if (/^(男|女)(孩|生|童|性|娃|的|孩子)?$/.test(seg)) {
      answers.gender ??= seg[0];
      claimed.add(i);
      return;
    }
    // A date is a birth date when it says so, or is a plain full date; 「今年9月开学以后」 is not.
    const birthy = /出生|生于|生的|生人|年生|月生|日生|号生/.test(seg) || (/^\d{4}(?:年\d{1,2}月(?:\d{1,2}[日号])?|[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?)$/.test(seg));
    if (!answers.identity && birthy) {
      const d = parseLooseDate(seg, env.now);
      if (d && d.date.month !== undefined && !isInFuture(d.date, env.now)) {
        answers.identity = { idNumber: null, birthDate: formatIsoPartial(d.date) };
        claimed.add(i);
        return;
      }
    }
    if (/村(?:人|的)?$/.test(seg)) claimed.add(i);
    const school = SCHOOL_STATUS.find((o) => [o.label, ...(o.aliases ?? [])].includes(seg));
    if (!answers.schoolStatus && school) {
      answers.schoolStatus = { choice: school.value, detail: null };
      claimed.add(i);
    }
  });
  if (!answers.gender) {
    const g = spotChoices(text, GENDER);
    if (g.length === 1) answers.gender = g[0];
  }
  if (!answers.identity) {
    const age = parseEstimatedAge(text) ?? (/(?:^|\s)(\d{1,2})(?:\s|$)/.exec(text) && /男|女/.test(text) ? { min: Number(/(?:^|\s)(\d{1,2})(?:\s|$)/.exec(text)![1]), max: Number(/(?:^|\s)(\d{1,2})(?:\s|$)/.exec(text)![1]) } : undefined);
    // An age is kept but the ID number is still asked (it gives the exact date and gender);
    // 「不知道」 then keeps the estimate.
    if (age && age.max <= 25) partial.identity = { idNumber: null, birthDate: String(birthYearFromAge(age, env.now)) };
  }
  const villages = spotVillages(text, env.villages);
  if (villages.length === 1) answers.village = villages[0];
  else if (!villages.length && /(?:我们|俺们|俺|咱们|咱|本)村/.test(text) && env.reporter?.village) answers.village = env.reporter.village;

  const grade = /([\p{Script=Han}]{0,6}?)((?:[一二三四五六]年级)|(?:初|高)[一二三])/u.exec(text);
  if (grade && !answers.schoolStatus) {
    const level = grade[2]!.endsWith('年级') ? '小学' : grade[2]![0] === '初' ? '初中' : '高中';
    answers.schoolStatus = { choice: level, detail: `${grade[1]}${grade[2]}`.replace(/^.*?(?=[\p{Script=Han}]{0,4}(?:中学|中心校|小学)|$)/u, '') || grade[2]! };
  }

  const categories = categoriesOf(text);
  if (categories.length) answers.categories = categories;
  if (PARENTS_BOTH_AWAY.test(text)) answers.parentsAway = '父母均外出务工';

  const carer = CARER.exec(text);
  const who = carer?.[1] ?? carer?.[2] ?? carer?.[3];
  if (who) {
    const r = spotChoices(who, RELATION);
    if (r.length === 1) answers.guardianRelation = r[0];
  }

  // A phone in the first message belongs to the guardian named next to it.
  const phone = extractMobile(text);
  const guardianName = (() => {
    for (const named of text.matchAll(/(?:奶奶|爷爷|外婆|外公|姥姥|姥爷|爸爸|妈妈|父亲|母亲|爹|娘|大姑|姑姑|舅舅|叔叔|阿姨|监护人|家长)(?:叫|是|名叫)?([\p{Script=Han}]{2,3}?)(?=[，,。\s]|电话|手机|带|照顾|$)/gu)) {
      const n = knownName(named[1]);
      if (n) return n;
    }
    return undefined;
  })();
  if (guardianName && phone) answers.guardianContact = { name: guardianName, mobile: phone.mobile };
  else if (guardianName) partial.guardianContact = { name: guardianName, mobile: null };

  if (/我来(?:做|当|担任)?(?:他|她)?的?帮扶|我来负责|我负责帮扶|我当帮扶/.test(text) && env.reporter) answers.mentor = env.reporter.userid;
  else {
    // 「让孙干事帮扶」「帮扶责任人是赵主任」: the mentor is not asked, so one named here is taken.
    const named = namedMentor(text, env.members);
    if (named) answers.mentor = named;
  }
  const rating = /监护(?:情况)?(较好|一般|差|较差|良好)/.exec(text);
  if (rating) {
    const r = spotChoices(rating[1]!, GUARDIANSHIP_RATING);
    if (r.length === 1) answers.guardianshipRating = r[0];
  }

  // The child's name: after 叫 (not a relative's 叫), or a plain name-like segment.
  const called =
    /(?<![奶爷婆公姥爸妈亲爹娘姑舅叔姨])(?:叫|名叫|叫做)([\p{Script=Han}]{2,3})(?=[，,。\s的]|$)/u.exec(text) ??
    /(?:学生|孩子|娃|小孩|女孩|男孩|女娃|男娃|小姑娘|小伙子|小子|女生|男生)(?:叫)?([\p{Script=Han}]{2,3})(?=[，,。\s]|$)/u.exec(text);
  const fromCalled = knownName(called?.[1]);
  if (fromCalled && fromCalled !== guardianName) answers.fullName = fromCalled;
  else {
    for (let i = 0; i < segments.length; i++) {
      if (claimed.has(i)) continue;
      const seg = segments[i]!;
      if (seg.length > 3 || RELATION_BEFORE.test(segments[i - 1] ?? '')) continue;
      const name = knownName(seg);
      if (name && name !== guardianName) {
        answers.fullName = name;
        break;
      }
    }
  }
  spotSituation(text, answers);
  return { answers, ...(estimated.length ? { estimated } : {}), ...(Object.keys(partial).length ? { partial } : {}) };
}

/** 「让孙干事帮扶」「帮扶责任人是赵主任」: the words where a mentor's name stands. */
const MENTOR_NAMED = [/(?:让|由|请|交给)([\p{Script=Han}·]{2,8}?)(?:来)?(?:帮扶|负责|结对)/u, /帮扶(?:责任)?人(?:是|为|就是|[:：])?\s*([\p{Script=Han}·]{2,8})/u];

/** A configured member named as the mentor; one scan of the members, for towns with thousands. */
function namedMentor(text: string, members: FormEnv['members']): string | undefined {
  const spots = MENTOR_NAMED.flatMap((re) => re.exec(text)?.[1] ?? []);
  if (!spots.length) return undefined;
  return members.find((m) => m.name.length >= 2 && spots.some((w) => w.startsWith(m.name)))?.userid;
}

const PARENT_THEN_CUSTODY = /(爹|爸|父|娘|妈|母|父母|爹娘|爸妈|爸爸妈妈)[^，,。；;]{0,6}?(坐牢|服刑|监狱|牢里|在押|判|戒毒|矫正|死刑|死缓|无期|抓)/u;

/**
 * The category details a sentence states: 「他爹坐牢了」 (父亲, 服刑在押), 「被派出所训诫了」
 * (公安机关矫治教育措施, 涉及公安程序), 「打架」 (结伙斗殴). Only what a phrase names plainly.
 */
function spotSituation(text: string, answers: Answers): void {
  const pc = PARENT_THEN_CUSTODY.exec(text);
  if (pc) {
    const who = /父母|爹娘|爸妈|爸爸妈妈/.test(pc[1]!) ? '父母双方' : /爹|爸|父/.test(pc[1]!) ? '父亲' : '母亲';
    answers.imprisonedParent ??= who;
    const custody = spotChoices(pc[0], CUSTODY_TYPE);
    if (custody.length === 1) answers.custodyType ??= custody[0];
  }
  const behaviors = spotChoices(text, BEHAVIORS);
  if (behaviors.length) answers.behaviors ??= behaviors;
  const disposition = spotChoices(text, DISPOSITION).filter((d) => d !== '尚未处置');
  if (disposition.length === 1) answers.disposition ??= disposition[0];
  if (/训诫|拘留|行拘|起诉|判处|判了|缓刑|立案|刑事|治安处罚/.test(text)) answers.justiceInvolvement ??= '有';
  // 「爸妈都去江苏打工了」「父母都在浙江宁波打工」: where the parents work.
  const where = /(?:在|去|到|去了)([\p{Script=Han}]{2,6}?)(?:那边|一带)?(?:打工|务工|上班|干活)/u.exec(text);
  if (where && !/外地|外面|外头|外省|外边|城里/.test(where[1]!) && /父|母|爸|妈|爹|娘|他们|两口子/.test(text)) answers.parentsWorkplace ??= where[1];
  const referred = spotChoices(text, REFERRED_TO);
  if (referred.length === 1 && /送|交|领|带回|救助/.test(text)) answers.referredTo ??= referred[0];
}

/** Keys a later answer may fill in passing, for questions not asked yet. */
export const SITUATION_KEYS = ['guardianRelation', 'imprisonedParent', 'custodyType', 'behaviors', 'disposition', 'justiceInvolvement', 'referredTo', 'parentsAway', 'parentsWorkplace'] as const;


/**
 * Villages named in a sentence: the full name (李庄村), or the short one (李庄) when it stands as
 * a place (「俺们李庄的」), not inside another name (墩集 in 墩集中学, 墩集镇).
 */
function spotVillages(text: string, villages: readonly string[]): string[] {
  const full = spotChoices(text, villageChoices(villages));
  if (full.length) return full;
  const s = text.replace(/\s+/g, '');
  const found: string[] = [];
  for (const v of villages) {
    if (!v.endsWith('村') || v.length <= 2) continue;
    const short = v.slice(0, -1);
    const re = new RegExp(`${short}(?=的|人|那|这|村|[，,。\\s]|$)`, 'u');
    if (re.test(s) && !found.includes(v)) found.push(v);
  }
  return found;
}
