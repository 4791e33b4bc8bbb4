import type { CaseCategoryRecord, CaseRecord } from '../model/records.js';
import type { PlanMatrix } from '../plan/types.js';
import type { CasePatch } from '../ports/store.js';
import type { LookupKeys } from '../privacy/lookup-key.js';
import { parseIsoPartial } from '../parse-zh/date.js';
import { caseForm, type Contact, type Identity } from './case-form.js';
import { applies } from './engine.js';
import type { Answers, FormDef, FormEnv, ParseOutcome, StepDef } from './form.js';
import { casePending, RISK_LABEL } from './pending-fields.js';
import { caseLeadUnits, soundKey } from './submit.js';

export const COMPLETE_FORM_ID = 'case-complete';
export const COMPLETE_RESUME_MARK = '—— 继续补充个案信息 ——';
const PHONE_SUFFIX = '（手机）';

/**
 * What the case already says, as registration answers: the steps' conditions and parsers read
 * them (which category blocks apply, whose contact a partly known guardian is).
 */
export function knownAnswers(c: CaseRecord): Answers {
  const a: Answers = { ...c.details, categories: c.categories.map((k) => k.code), gender: c.gender };
  delete a.pendingFields;
  delete a.estimatedFields;
  delete a.guardianNoPhone;
  if (c.fullName) a.fullName = c.fullName;
  if (c.birthDate) a.identity = { idNumber: c.idNumber, birthDate: c.birthDate } satisfies Identity;
  a.village = c.village;
  if (c.guardianName || c.guardianPhone) a.guardianContact = { name: c.guardianName, mobile: c.guardianPhone } satisfies Contact;
  if (c.guardianRelation) a.guardianRelation = c.guardianRelation;
  if (c.guardianshipMode) a.guardianshipMode = c.guardianshipMode;
  return a;
}

/** The registration steps this case still lists as 待补充, in form order, each with its stored label. */
export function pendingSteps(c: CaseRecord, pending: readonly string[] = casePending(c)): Array<{ step: StepDef; label: string }> {
  const known = knownAnswers(c);
  const out: Array<{ step: StepDef; label: string }> = [];
  for (const step of caseForm.steps) {
    if (!applies(step, known)) continue;
    const label = pending.find((l) => l === step.label || l === step.label + PHONE_SUFFIX);
    if (label) out.push({ step, label });
  }
  return out;
}

/**
 * 「补充 DJ-…」 as a form, over the `labels` pending when it started (a field written meanwhile
 * keeps its step, so the saved dialog stays valid): only the case's pending fields, each asked and read by the
 * registration's own step (same answers accepted, 「不知道」 keeps it pending). An identity that
 * contradicts the case's gender or its category's age limits is refused, as at registration.
 */
export function completeForm(c: CaseRecord, labels: readonly string[]): FormDef {
  const known = knownAnswers(c);
  const steps: StepDef[] = pendingSteps(c, labels).map(({ step, label }) => {
    const phoneOnly = label !== step.label;
    const before = phoneOnly ? known[step.key] : undefined;
    const { when: _when, categories: _categories, optional: _optional, ...rest } = step;
    const parse = async (text: string, a: Answers, env: FormEnv, partial?: unknown): Promise<ParseOutcome> => {
      const all = { ...known, ...a };
      const r: ParseOutcome = step.parse ? await step.parse(text, all, env, partial ?? before) : { ok: false, error: '' };
      if (!step.parse) return r;
      if (r.ok === true && step.key === 'identity') return checkIdentity(r, c, all, env);
      return r;
    };
    return {
      ...rest,
      inFlow: true,
      // A guardian whose name is on file: only the phone is asked.
      prompt: phoneOnly ? `${step.label.replace(/姓名和/, '')}？（不知道可回复「不知道」）` : (a, env) => (typeof step.prompt === 'string' ? step.prompt : step.prompt({ ...known, ...a }, env)),
      ...(step.parse ? { parse } : {}),
    };
  });
  return {
    id: COMPLETE_FORM_ID,
    version: 1,
    title: '补充个案信息',
    confirm: false,
    cancelAtOnce: true,
    corrections: false,
    texts: {
      start: `补充个案 ${c.code} 的待补充信息（${steps.map((s) => s.label).join('、')}）。已答的会立即保存；「取消」结束。`,
      cancelled: () => `已结束补充，个案 ${c.code} 已答的内容都已保存。`,
      resumeMark: COMPLETE_RESUME_MARK,
      help: '正在补充个案信息。请回答问题；不清楚回复「不知道」（仍记为待补充）；「取消」结束。',
      updated: '补充个案信息的问题已更新，已填内容都保留了；请接着回答下面的问题。',
      requiredWayOut: null,
      cannotSkip: (label) => `「${label}」不能跳过；结束请回复「取消」。`,
    },
    steps,
  };
}

function checkIdentity(r: Extract<ParseOutcome, { ok: true }>, c: CaseRecord, all: Answers, env: FormEnv): ParseOutcome {
  const id = r.value as Identity;
  if (id.idNumber) {
    const g = Number(id.idNumber[16]) % 2 === 1 ? '男' : '女';
    if (g !== c.gender) return { ok: false, error: `身份证号显示性别为「${g}」，与个案登记的「${c.gender}」不一致，请核对` };
  }
  const failure = caseForm.check?.({ ...all, identity: id }, env);
  return failure ? { ok: false, error: failure.message } : r;
}

/** What registration computed the case's lead units from, besides the case itself. */
export interface LeadSource {
  plan: PlanMatrix;
  villages: readonly string[];
}

/**
 * The case's lead units as registration would compute them for `village`, or undefined when they
 * stay as stored. A category the plan no longer has keeps its stored units: an empty lead would
 * leave the case with no one to answer for it.
 */
function leadsAfter(c: CaseRecord, source: LeadSource, village: string): CaseCategoryRecord[] | undefined {
  const fresh = caseLeadUnits(source.plan, source.villages, c.categories.map((k) => k.code), village);
  const next = c.categories.map((k, i) => (source.plan.categories.some((p) => p.code === k.code) ? fresh[i]! : k));
  return JSON.stringify(next) === JSON.stringify(c.categories) ? undefined : next;
}

/**
 * What an answer changes on the case: the columns, the details JSON, the labels left pending,
 * and the lead units when the answer is one they are computed from (`leads`: all of them, then).
 * undefined: nothing (still unknown, or already written).
 */
export function patchFor(
  c: CaseRecord,
  lookup: LookupKeys,
  key: string,
  value: unknown,
  estimated: boolean,
  source: LeadSource,
): { patch: CasePatch; done: string[]; leads?: string[] } | undefined {
  const step = caseForm.steps.find((s) => s.key === key);
  if (!step || value === null || value === undefined) return undefined;
  const pending = casePending(c);
  const label = pending.find((l) => l === step.label || l === step.label + PHONE_SUFFIX);
  if (!label) return undefined;
  const details: Record<string, unknown> = { ...c.details };
  let left = pending.filter((l) => l !== label && l !== RISK_LABEL);
  const patch: CasePatch = {};
  let done = label;
  switch (key) {
    case 'fullName':
      Object.assign(patch, { fullName: value as string, dupKey: soundKey(lookup, value as string, c.village) });
      break;
    case 'identity': {
      const id = value as Identity;
      Object.assign(patch, { idNumber: id.idNumber, birthDate: id.birthDate, idHash: id.idNumber ? lookup.idLookupHash(id.idNumber) : null });
      const est = (Array.isArray(details.estimatedFields) ? (details.estimatedFields as string[]) : []).filter((k) => k !== 'identity');
      if (estimated || !parseIsoPartial(id.birthDate)?.month) est.push('identity');
      details.estimatedFields = est;
      break;
    }
    case 'village': {
      Object.assign(patch, { village: value as string, dupKey: soundKey(lookup, c.fullName, value as string) });
      // The village is the one pending field the lead units depend on (the plan's 各村 leads).
      const categories = leadsAfter(c, source, value as string);
      if (categories) patch.categories = categories;
      break;
    }
    case 'schoolStatus': {
      const s = value as { choice: string; detail: string | null };
      Object.assign(patch, { schoolStatus: s.choice, schoolDetail: s.detail });
      break;
    }
    case 'guardianContact':
    case 'bangjiaoContact': {
      const v = value as Contact;
      const name = v.name ?? (key === 'guardianContact' ? c.guardianName : c.bangjiaoName);
      const mobile = v.mobile ?? (key === 'guardianContact' ? c.guardianPhone : c.bangjiaoPhone);
      if (key === 'guardianContact') Object.assign(patch, { guardianName: name, guardianPhone: mobile });
      else Object.assign(patch, { bangjiaoName: name, bangjiaoPhone: mobile });
      if (key === 'guardianContact' && v.noPhone) details.guardianNoPhone = true;
      if (key === 'guardianContact' && v.relation && !c.guardianRelation) patch.guardianRelation = v.relation;
      // A name without a phone leaves the phone pending; nothing new at all changes nothing.
      if (!name) return undefined;
      if (!mobile && !v.noPhone) {
        if (label !== step.label) return undefined;
        left = [...left, step.label + PHONE_SUFFIX];
        done = `${step.label}（姓名）`;
      }
      break;
    }
    case 'guardianRelation':
      patch.guardianRelation = value as string;
      break;
    case 'guardianshipMode':
      patch.guardianshipMode = value as string;
      break;
    case 'riskLevel':
      patch.riskLevel = value as '低' | '中' | '高';
      break;
    default:
      details[key] = value;
  }
  const order = caseForm.steps.map((s) => s.label);
  left.sort((x, y) => order.indexOf(x.replace(PHONE_SUFFIX, '')) - order.indexOf(y.replace(PHONE_SUFFIX, '')));
  if (left.length) details.pendingFields = left;
  else delete details.pendingFields;
  patch.details = details;
  return patch.categories ? { patch, done: [done], leads: [...new Set(patch.categories.flatMap((k) => k.leadUnits))] } : { patch, done: [done] };
}
