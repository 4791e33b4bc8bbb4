import { matchChoices } from '../parse-zh/choice.js';
import { formatIsoPartial, isInFuture, parseDate } from '../parse-zh/date.js';
import { parseIdNumber } from '../parse-zh/id-number.js';
import { normalizeInput } from '../parse-zh/normalize.js';
import { parsePersonName } from '../parse-zh/person-name.js';
import type { CategoryCode } from '../plan/types.js';
import { RELATION, SCHOOL_STATUS } from './case-options.js';
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

const PARENTS_BOTH_AWAY = /父母(?:都|均|双双|双方|两人|俩)?(?:都)?(?:在)?(?:外地|外出|在外|外面|外省)(?:打工|务工)?|父母(?:都|均)(?:外出)?(?:打工|务工)/;

const CATEGORY_WORDS: Array<[RegExp, CategoryCode]> = [
  [/留守/, '05'],
  [PARENTS_BOTH_AWAY, '05'],
  [/闲散|辍学在家|不上学也不工作/, '01'],
  [/不良行为|严重不良/, '02'],
  [/流浪|乞讨/, '03'],
  [/服刑|坐牢|在押|强制隔离戒毒|社区矫正/, '04'],
];

const CARER = /由(.{1,4}?)(?:照顾|照料|抚养|监护|看护|带着|带)|跟(?:着)?(.{1,4}?)(?:生活|住|过)/;

/** Words that look like a name (2–4 Han characters) but are not one. */
const NOT_A_NAME = /[村镇乡岁]$|出生|父母|父亲|母亲|爸爸|妈妈|奶奶|爷爷|外婆|外公|姥姥|姥爷|打工|务工|照顾|留守|小学|初中|高中|男孩|女孩|个案|登记|流浪|乞讨|服刑|闲散|不良|\d/;

/**
 * Reads what a first message already says: 「新增个案：王小明，男，2013年5月出生，王庄村，
 * 父母都在外地打工，由奶奶照顾」 gives name, gender, birth month, village, category 留守, the
 * parents' situation and the carer. Only values the message states plainly are taken; the
 * engine validates them and asks for everything else.
 */
export function prefillCase(input: string, env: FormEnv): PrefillResult {
  const raw = normalizeInput(input);
  const m = INTAKE_TRIGGER.exec(raw);
  const text = m ? (m[1] ?? '') : raw;
  const answers: Answers = {};
  const segments = text.split(/[，,；;。\s、]+/).filter(Boolean);
  const claimed = new Set<number>();

  segments.forEach((seg, i) => {
    const id = parseIdNumber(seg, env.now);
    if (id.ok) {
      answers.identity = { idNumber: id.id, birthDate: formatIsoPartial(id.birthDate) };
      claimed.add(i);
    }
  });
  segments.forEach((seg, i) => {
    if (claimed.has(i)) return;
    if (/^(男|女)(孩|生|童|性)?$/.test(seg)) {
      answers.gender = seg[0];
      claimed.add(i);
      return;
    }
    if (!answers.identity && /出生|生于|年|\d{4}[.\-/]\d/.test(seg)) {
      const d = parseDate(seg, env.now);
      if (d.ok && d.date.month !== undefined && !isInFuture(d.date, env.now)) {
        answers.identity = { idNumber: null, birthDate: formatIsoPartial(d.date) };
        claimed.add(i);
        return;
      }
    }
    if (!answers.village && /村$/.test(seg)) {
      const v = matchChoices(seg, villageChoices(env.villages));
      if (v.ok) {
        answers.village = v.values[0];
        claimed.add(i);
        return;
      }
    }
    const school = SCHOOL_STATUS.find((o) => [o.label, ...(o.aliases ?? [])].includes(seg));
    if (!answers.schoolStatus && school) {
      answers.schoolStatus = { choice: school.value, detail: null };
      claimed.add(i);
    }
  });

  const categories: CategoryCode[] = [];
  for (const [re, code] of CATEGORY_WORDS) if (re.test(text) && !categories.includes(code)) categories.push(code);
  if (categories.length) answers.categories = categories;
  if (PARENTS_BOTH_AWAY.test(text)) answers.parentsAway = '父母均外出务工';

  const carer = CARER.exec(text);
  const who = carer?.[1] ?? carer?.[2];
  if (who) {
    const r = matchChoices(who, RELATION);
    if (r.ok) answers.guardianRelation = r.values[0];
  }

  for (let i = 0; i < segments.length; i++) {
    if (claimed.has(i)) continue;
    const seg = segments[i]!;
    if (seg.length > 4 && !seg.includes('·')) continue;
    if (NOT_A_NAME.test(seg)) continue;
    const name = parsePersonName(seg);
    if (name) {
      answers.fullName = name;
      break;
    }
  }
  return { answers };
}
