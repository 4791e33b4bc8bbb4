import type { CaseRecord } from '../model/records.js';
import { caseForm } from '../intake/case-form.js';
import { categoryName, riskText } from '../intake/case-options.js';
import { casePending } from '../intake/pending-fields.js';
import { ageBand } from '../intake/submit.js';
import { formatChineseDate, parseIsoPartial } from '../parse-zh/date.js';
import type { PlanMatrix } from '../plan/types.js';
import { maskIdNumber, maskName, maskPhone } from '../privacy/mask.js';
import { isSealedCase, redactJustice, withoutJustice } from './sealed.js';

export interface CaseViewOptions {
  plan: PlanMatrix;
  now: Date;
  /** Full identity (name, ID number, birth date, phones, school class, notes): only after a reason. */
  full: boolean;
  /** The viewer's unit is a school: justice fields are left out entirely. */
  school: boolean;
  /** The viewer may open sealed details and gave a reason. */
  sealedOpen: boolean;
  /** The viewer's unit is in sealedAccess (to tell them how to open the sealed fields). */
  sealedAllowed: boolean;
}

function valueText(key: string, v: unknown): string {
  const step = caseForm.steps.find((s) => s.key === key);
  const opts = step && Array.isArray(step.options) ? step.options : [];
  const label = (x: unknown) => opts.find((o) => o.value === x)?.label ?? String(x);
  if (Array.isArray(v)) return v.map(label).join('、');
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (v && typeof v === 'object') return Object.values(v as Record<string, unknown>).filter((x) => x !== null && x !== undefined).map(String).join(' ');
  return label(v);
}

/**
 * The case as one private-chat message. By default identity is masked as docs/domain-rules.md P4 asks
 * for one-to-one chats (王*明, last 4 of the ID, 138****1234); the full form is for a viewer who
 * gave a reason. Justice fields are omitted for schools and sealed for everyone else unless
 * they may and did open them.
 */
export function renderCaseView(c: CaseRecord, o: CaseViewOptions): string {
  const cats = c.categories.map((x) => categoryName(o.plan, x.code)).join('、');
  const leads = [...new Set(c.categories.flatMap((x) => x.leadUnits))].join('、') || '（方案未载明）';
  const birth = parseIsoPartial(c.birthDate);
  const lines = [
    `个案 ${c.code}（${cats}；${c.status === 'open' ? '在册' : '已结案'}${o.full ? '；完整信息' : ''}）`,
    `姓名：${o.full ? c.fullName : maskName(c.fullName)}，${c.gender}，${ageBand(c.birthDate, o.now)}`,
  ];
  if (o.full && birth) lines.push(`出生日期：${formatChineseDate(birth)}`);
  if (c.idNumber) lines.push(`身份证号：${o.full ? c.idNumber : maskIdNumber(c.idNumber)}`);
  lines.push(`村：${c.village}`);
  if (c.schoolStatus) lines.push(`就学就业：${c.schoolStatus}${o.full && c.schoolDetail ? `（${c.schoolDetail}）` : ''}`);
  if (c.guardianRelation || c.guardianName || c.guardianPhone) {
    const name = c.guardianName ? (o.full ? c.guardianName : maskName(c.guardianName)) : '';
    const phone = c.guardianPhone ? (o.full ? c.guardianPhone : maskPhone(c.guardianPhone)) : '';
    lines.push(`监护人：${[c.guardianRelation, name, phone].filter(Boolean).join(' ')}`);
  }
  if (c.guardianshipMode) lines.push(`监护方式：${c.guardianshipMode}`);
  if (c.bangjiaoName || c.bangjiaoPhone) {
    const name = c.bangjiaoName ? (o.full ? c.bangjiaoName : maskName(c.bangjiaoName)) : '';
    const phone = c.bangjiaoPhone ? (o.full ? c.bangjiaoPhone : maskPhone(c.bangjiaoPhone)) : '';
    lines.push(`帮教联系人：${[name, phone].filter(Boolean).join(' ')}`);
  }
  const sealed = isSealedCase(c);
  // Schools do not learn justice details exist; others see the sealed notice in their place.
  const details = o.school ? withoutJustice(c.details) : sealed && !o.sealedOpen ? redactJustice(c.details) : c.details;
  for (const step of caseForm.steps) {
    if (!(step.key in details)) continue;
    const v = details[step.key];
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    lines.push(`${step.label}：${valueText(step.key, v)}`);
  }
  lines.push(`风险等级：${riskText(c.riskLevel)}`, `帮扶责任人：${c.mentorName ?? '未指定'}`, `牵头单位：${leads}`);
  const pending = casePending(c);
  if (pending.length) lines.push(`待补充：${pending.join('、')}`);
  if (o.full && c.notes) lines.push(`备注：${c.notes}`);
  if (!o.full) {
    lines.push(`如需完整身份信息，请发送「查看 ${c.code} 完整 原因」，例如「查看 ${c.code} 完整 核实监护人联系方式」。每次查看都会记录。`);
  }
  if (sealed && o.sealedAllowed && !o.sealedOpen && !o.school) lines.push('贵单位可在说明原因后查看封存信息（同上，发送「完整」及原因）。');
  return lines.join('\n');
}
