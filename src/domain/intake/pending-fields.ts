import type { CaseRecord } from '../model/records.js';
import { caseForm } from './case-form.js';
import { applies, type EngineState } from './engine.js';

export const RISK_LABEL = caseForm.steps.find((s) => s.key === 'riskLevel')!.label;

/**
 * Labels of the fields a new case still lacks, in form order: those the reporter did not know,
 * and those registration does not ask (docs/intake.md) that were not given anyway.
 */
export function pendingFields(state: EngineState): string[] {
  const out: string[] = [];
  for (const step of caseForm.steps) {
    if (!applies(step, state.answers)) continue;
    const later = step.inFlow === false && !step.optional && (state.answers[step.key] ?? null) === null;
    if (later || state.unknown?.includes(step.key)) out.push(step.label);
    else if (state.unknown?.includes(`${step.key}.mobile`) || phoneUnknown(step.kind, state.answers[step.key])) out.push(`${step.label}（手机）`);
  }
  return out;
}

/**
 * What the case keeps listing as 待补充: the risk level while it is not assessed (a contact that
 * sets it ends that), then the fields recorded as unknown at registration.
 */
export function casePending(c: Pick<CaseRecord, 'details' | 'riskLevel'>): string[] {
  const stored = Array.isArray(c.details.pendingFields) ? (c.details.pendingFields as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  const rest = stored.filter((l) => l !== RISK_LABEL);
  return c.riskLevel === null ? [RISK_LABEL, ...rest] : rest;
}

/** The reminder under a new case, for whoever mentors it. */
export function pendingReminder(pending: readonly string[], code: string): string {
  if (!pending.length) return '';
  const risk = pending.includes(RISK_LABEL) ? `风险等级请在首次走访后写上，如「走访 ${code} 上门 见到孩子 风险中」；` : '';
  return `\n待补充：${pending.join('、')}。${risk}其他了解后请私聊我发送「补充 ${code}」，只问还缺的。`;
}

/** 「李长贵 电话不知道」: a contact saved with its name and no phone, when a phone there is. */
function phoneUnknown(kind: string, v: unknown): boolean {
  if (kind !== 'contact' || !v || typeof v !== 'object') return false;
  const c = v as { name?: string | null; mobile?: string | null; noPhone?: boolean };
  return Boolean(c.name) && !c.mobile && !c.noPhone;
}
