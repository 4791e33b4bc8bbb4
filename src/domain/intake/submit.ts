import type { LoadedConfig } from '../../config/load.js';
import type { Reply } from '../model/message.js';
import type { CaseCategoryRecord, CaseRecord } from '../model/records.js';
import type { Store } from '../ports/store.js';
import { ageRange, chinaDate, datesCompatible, formatChineseDate, parseIsoPartial } from '../parse-zh/date.js';
import type { CategoryCode, PlanMatrix } from '../plan/types.js';
import { maskName } from '../privacy/mask.js';
import type { LookupKeys } from '../privacy/lookup-key.js';
import { categoryName } from './case-options.js';
import { pinyin } from '../text/pinyin.js';
import { caseForm, identityOf, OUTSIDE_TOWN, type Contact } from './case-form.js';
import { summary, type EngineState } from './engine.js';
import { pendingFields, pendingReminder, RISK_LABEL } from './pending-fields.js';
import type { Answers, FormEnv } from './form.js';

/**
 * The name + village lookup key by sound: 李晓花 and 李小花 read the same (li xiao hua), so a
 * homophone or a typo of the same sound finds the case already on file.
 */
export function soundKey(keys: LookupKeys, fullName: string, village: string): string {
  return keys.nameVillageKey(`py:${pinyin(fullName.trim(), { toneType: 'none', type: 'array' }).join(' ')}`, village);
}

/**
 * Codes of existing cases that look like this child: the same ID number, or a name that sounds
 * the same in the same village with a compatible birth date (or no birth date yet on one side).
 * Asked as soon as name and village are known, so a cadre learns it before typing the rest.
 */
export async function findDuplicateCodes(store: Store, keys: LookupKeys, a: Answers): Promise<string[]> {
  const codes = new Set<string>();
  const id = identityOf(a);
  if (id?.idNumber) for (const c of await store.cases.findByIdHash(keys.idLookupHash(id.idNumber))) codes.add(c.code);
  if (typeof a.fullName === 'string' && typeof a.village === 'string' && a.village !== OUTSIDE_TOWN) {
    const birth = id ? parseIsoPartial(id.birthDate) : undefined;
    const seen = new Set<number>();
    for (const key of [soundKey(keys, a.fullName, a.village), keys.nameVillageKey(a.fullName, a.village)]) {
      for (const c of await store.cases.findByDupKey(key)) {
        if (seen.has(c.id) || c.status === 'closed') continue;
        seen.add(c.id);
        const other = parseIsoPartial(c.birthDate);
        if (!birth || !other || datesCompatible(birth, other) || Math.abs(birth.year - other.year) <= 1) codes.add(c.code);
      }
    }
  }
  return [...codes];
}

/** 「12–13岁」: an age band for people who should not see the birth date. */
export function ageBand(birthDate: string, now: Date): string {
  const b = parseIsoPartial(birthDate);
  if (!b) return '年龄不详';
  const { min, max } = ageRange(b, now);
  return min === max ? `${min}岁` : `${min}–${max}岁`;
}

/**
 * The new-case notice for groups: the code and the mentor, nothing that narrows down the child
 * (docs/domain-rules.md P4). Category and lead unit give away why a child is on file (a 司法所 lead means a
 * prisoner's child), a masked name plus a village names them. Only for a case that is 留守 and
 * nothing else may a town let groups see the village too (config groupNotice.leftBehindVillage).
 */
export function groupNoticeText(config: Pick<LoadedConfig, 'groupNotice'>, code: string, mentorName: string, categories: readonly CategoryCode[], village: string): string {
  const showVillage = config.groupNotice?.leftBehindVillage === true && categories.length > 0 && categories.every((c) => c === '05');
  return `新增个案 ${code}${showVillage ? `（${village}）` : ''}，帮扶责任人：${mentorName}。详情请帮扶责任人私聊机器人查看。`;
}

export interface SubmitInput {
  store: Store;
  /** The town's lookup keys, the ones its duplicate checks search with. */
  lookup: LookupKeys;
  config: LoadedConfig;
  plan: PlanMatrix;
  now: Date;
  reporterUserId: string;
  state: EngineState;
  env: FormEnv;
}

/**
 * Turns a confirmed draft into a case: reserves the code, stores the case with its lead units,
 * links the must-report prompts, and queues the masked group notice and the mentor's notice.
 * Runs inside the caller's transaction, so the case and its notices commit together.
 */
export async function submitCase(input: SubmitInput): Promise<{ record: CaseRecord; reply: Reply }> {
  const { store, lookup, config, plan, now, reporterUserId, state, env } = input;
  const a = state.answers;
  const id = identityOf(a) ?? { idNumber: null, birthDate: '' };
  const categories = a.categories as CategoryCode[];
  const contact = (a.guardianContact ?? null) as Contact | null;
  const bangjiao = (a.bangjiaoContact ?? null) as Contact | null;
  const school = (a.schoolStatus ?? null) as { choice: string; detail: string | null } | null;
  const mentor = config.members.find((m) => m.userid === a.mentor);
  const code = await store.cases.nextCode(config.casePrefix, chinaDate(now).year);
  const details: Record<string, unknown> = {};
  for (const step of caseForm.steps) {
    if (step.categories && step.key in a && a[step.key] !== null && step.key !== 'bangjiaoContact') details[step.key] = a[step.key];
  }
  // What the reporter did not know: shown as 待补充 and the mentor is asked to complete it.
  const pending = pendingFields(state);
  // The risk level's own column says whether it is assessed (null until then): not listed here.
  const unknownFields = pending.filter((l) => l !== RISK_LABEL);
  if (unknownFields.length) details.pendingFields = unknownFields;
  if (state.estimated?.length) details.estimatedFields = [...state.estimated];
  if (contact?.noPhone) details.guardianNoPhone = true;
  const fullName = typeof a.fullName === 'string' ? a.fullName : UNKNOWN_NAME;
  const village = typeof a.village === 'string' ? a.village : UNKNOWN_VILLAGE;
  const record = await store.cases.insert({
    code,
    categories: caseLeadUnits(plan, config.villages, categories, village),
    primaryCategory: categories[0]!,
    fullName,
    gender: a.gender as '男' | '女',
    birthDate: id.birthDate,
    idNumber: id.idNumber,
    idHash: id.idNumber ? lookup.idLookupHash(id.idNumber) : null,
    dupKey: soundKey(lookup, fullName, village),
    village,
    schoolStatus: school?.choice ?? null,
    schoolDetail: school?.detail ?? null,
    guardianName: contact?.name ?? null,
    guardianRelation: (a.guardianRelation as string | undefined) ?? null,
    guardianPhone: contact?.mobile ?? null,
    guardianshipMode: (a.guardianshipMode as string | undefined) ?? null,
    // Not assessed yet unless the reporter gave it: the mentor sets it with a contact.
    riskLevel: (a.riskLevel ?? null) as '低' | '中' | '高' | null,
    mentorUserId: mentor?.userid ?? null,
    mentorName: mentor?.name ?? null,
    reporterUserId,
    bangjiaoName: bangjiao?.name ?? null,
    bangjiaoPhone: bangjiao?.mobile ?? null,
    notes: (a.notes as string | null | undefined) ?? null,
    details,
    inferredFields: [...state.prefilled, ...Object.keys(state.derived)],
    createdAt: now,
  });
  await store.cases.attachMandatoryReports(state.reportIds, record.id);
  await store.audit.append({ at: now, actor: reporterUserId, action: 'create', caseCode: code });

  const catNames = categories.map((c) => categoryName(plan, c)).join('、');
  const leads = [...new Set(record.categories.flatMap((c) => c.leadUnits))].join('、') || '（方案未载明）';
  const mentorName = mentor?.name ?? '未指定';
  const groupText = groupNoticeText(config, code, mentorName, categories, record.village);
  for (const g of config.groups.filter((x) => x.broadcast)) {
    await store.outbox.enqueue(
      { target: { kind: 'chat', id: g.chatid }, reply: { text: groupText }, reason: 'case.created', dedupeKey: `case.created:${code}:${g.chatid}` },
      now,
    );
  }
  if (mentor && mentor.userid !== reporterUserId) {
    const reporter = config.members.find((m) => m.userid === reporterUserId);
    const birth = parseIsoPartial(record.birthDate);
    const mentorText =
      `您已被指定为个案 ${code} 的帮扶责任人：${catNames}，${record.village}，${maskName(record.fullName)}，` +
      `${ageBand(record.birthDate, now)}${birth ? `（${formatChineseDate(birth).replace(/\d+日$/, '')}生）` : ''}。` +
      `牵头单位：${leads}。登记人：${reporter?.name ?? reporterUserId}。请注意保护孩子隐私，不在群内讨论个案细节。`;
    await store.outbox.enqueue(
      { target: { kind: 'user', id: mentor.userid }, reply: { text: mentorText + pendingReminder(pending, code) }, reason: 'case.mentor-assigned', dedupeKey: `case.mentor:${code}` },
      now,
    );
  }
  const full = summary(caseForm, state, env, false).text.replace(/^.*\n/, '');
  return {
    record,
    reply: { text: `已保存个案 ${code}。
牵头单位：${leads}
${full}${mentor?.userid === reporterUserId ? pendingReminder(pending, code) : ''}
（群内只会显示个案编号和帮扶责任人。）` },
  };
}

/** Stands in for an unknown name or village in the store, which needs text there. */
export const UNKNOWN_NAME = '姓名不详';
export const UNKNOWN_VILLAGE = '不详';

/**
 * Each category's lead units for a case from `village`. Registration and 「补充」 both use it, so a
 * village filled in later routes the case as if it had been known from the start.
 */
export function caseLeadUnits(plan: PlanMatrix, villages: readonly string[], codes: readonly CategoryCode[], village: string): CaseCategoryRecord[] {
  return codes.map((c) => ({ code: c, leadUnits: leadsFor(plan.categories.find((p) => p.code === c)?.leadUnits ?? [], villages, village) }));
}

/**
 * A category led by the villages (a plan's 各村, listed by the config) is led, for one case, by
 * the case's own village; a case from outside the listed villages keeps them all.
 */
function leadsFor(leads: readonly string[], villages: readonly string[], village: string): string[] {
  if (!villages.includes(village) || !leads.includes(village)) return [...leads];
  return leads.filter((u) => u === village || !villages.includes(u));
}
