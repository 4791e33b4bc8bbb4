import { z } from 'zod';
import type { StepDef } from '../intake/form.js';
import { findCaseCode } from './contact-message.js';

/**
 * The first step of a form about one existing case (结案, 更换帮扶人 …): its code. The command
 * usually carries it, so the question is asked only when it did not; `doing` names the action
 * in the question (「请发送要结案的个案编号」).
 */
export function caseCodeStep(doing: string): StepDef {
  return {
    key: 'code',
    label: '个案编号',
    editNames: ['编号'],
    prompt: `请发送要${doing}的个案编号（例如 DJ-2026-0001）。`,
    kind: 'custom',
    required: true,
    schema: z.string().min(1),
    expect: '个案编号',
    example: 'DJ-2026-0001',
    parse: (text) => {
      const found = findCaseCode(text);
      return found ? { ok: true, value: found.code } : { ok: false, error: '没有找到个案编号' };
    },
  };
}
