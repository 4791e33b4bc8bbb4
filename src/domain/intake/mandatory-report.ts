/**
 * Signs that oblige an immediate report to the police (未保法 Art. 11; docs/domain-rules.md §3.3 P13). The
 * bot cannot judge a case; it makes sure nobody registers one of these quietly.
 */

export type ReportSign =
  | 'SUSPECTED_ABUSE'
  | 'UNDER16_ALONE'
  | 'UNDER8_UNATTENDED'
  | 'NO_CAREGIVER'
  | 'MISSING'
  | 'BEGGING_WITH_ADULT'
  | 'SELF_HARM'
  | 'PREGNANCY_UNDER14'
  | 'INCITED_BY_ADULT';

export const SIGN_TEXT: Record<ReportSign, string> = {
  SUSPECTED_ABUSE: '疑似遭受虐待或伤害',
  UNDER16_ALONE: '未满16周岁独自生活',
  UNDER8_UNATTENDED: '未满8周岁无人看护',
  NO_CAREGIVER: '无人照料',
  MISSING: '下落不明或走失',
  BEGGING_WITH_ADULT: '被成年人带领或控制流浪乞讨',
  SELF_HARM: '有自伤、自残或轻生情况',
  PREGNANCY_UNDER14: '未满14周岁怀孕',
  INCITED_BY_ADULT: '受成年人教唆、胁迫实施不良行为',
};

/** Who the bot says must be told. */
export const REPORT_TO = '镇派出所';

/** Age the child may have: from the birth date when known, else from 「8岁」 in the text. */
export interface AgeHint {
  min: number;
  max: number;
}

export interface SignFacts {
  text: string;
  age?: AgeHint;
  guardianshipMode?: string;
  accompaniedBy?: string;
  incitedByAdult?: boolean;
}

/** A keyword hit counts unless a negation sits right before it (「没有自残」). */
function mentions(text: string, re: RegExp): boolean {
  const g = new RegExp(re.source, 'g');
  for (let m = g.exec(text); m; m = g.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 5), m.index);
    if (!/(没有|没|无|未|不|非|否认)(发现|见到|看到|出现|存在|有)?$/.test(before)) return true;
    if (m[0].length === 0) g.lastIndex++;
  }
  return false;
}

const ABUSE = /虐待|家暴|家庭暴力|打伤|殴打孩子|体罚|伤痕|淤青|性侵|猥亵|被打/;
const SELF_HARM = /自残|自伤|自杀|割腕|轻生/;
const ALONE = /独自(?:生活|居住|在家|一人)|一个人(?:住|生活|在家)|独居/;
const UNATTENDED = /(?:无人|没人|没有人)(?:照看|照顾|看管|照料|监护|管)/;
const MISSING = /失踪|走失|下落不明|找不到人/;
const BEGGING_ADULT = /(?:成年人|大人|成人|他人|陌生人|别人).{0,6}(?:带|领|控制|胁迫|指使|逼).{0,6}(?:乞讨|要饭|讨钱)|被.{0,6}(?:控制|胁迫|逼).{0,6}乞讨/;
const PREGNANT = /怀孕|有孕/;

export function detectSigns(f: SignFacts): ReportSign[] {
  const out = new Set<ReportSign>();
  const t = f.text;
  const under = (n: number) => f.age === undefined || f.age.min < n;
  const surelyUnder = (n: number) => f.age !== undefined && f.age.max < n;
  if (mentions(t, ABUSE)) out.add('SUSPECTED_ABUSE');
  if (mentions(t, SELF_HARM)) out.add('SELF_HARM');
  if (mentions(t, ALONE)) {
    if (under(16)) out.add('UNDER16_ALONE');
    if (surelyUnder(8)) out.add('UNDER8_UNATTENDED');
  }
  if (mentions(t, UNATTENDED)) out.add(surelyUnder(8) ? 'UNDER8_UNATTENDED' : 'NO_CAREGIVER');
  if (mentions(t, MISSING)) out.add('MISSING');
  if (mentions(t, BEGGING_ADULT)) out.add('BEGGING_WITH_ADULT');
  if (mentions(t, PREGNANT) && under(14)) out.add('PREGNANCY_UNDER14');
  if (f.guardianshipMode === '无人监护') out.add(under(16) ? 'UNDER16_ALONE' : 'NO_CAREGIVER');
  if (f.accompaniedBy === '其他成年人') out.add('BEGGING_WITH_ADULT');
  if (f.incitedByAdult === true) out.add('INCITED_BY_ADULT');
  return [...out];
}

/** What the bot says at once when a sign appears. */
export function reportNotice(signs: readonly string[]): string {
  const what = signs.map((s) => SIGN_TEXT[s as ReportSign] ?? s).join('、');
  return (
    `⚠️ 强制报告提醒：所述情况（${what}）属于必须立即报告的情形。` +
    `请立即向${REPORT_TO}报告（紧急情况拨打 110），并告知镇民政所。` +
    '依据《未成年人保护法》第十一条。本次提醒已记录。'
  );
}
