import { z } from 'zod';
import type { Member } from '../../config/schema.js';
import type { FormDef } from '../intake/form.js';
import { MAX_LISTED_CHOICES } from '../intake/engine.js';
import { matchChoices } from '../parse-zh/choice.js';
import { stripEdgePunctuation } from '../parse-zh/normalize.js';
import { matchTerm } from '../text/match.js';
import { caseCodeStep } from './case-code-step.js';

export const REASSIGN_FORM_ID = 'reassign-mentor';
export const REASSIGN_RESUME_MARK = '—— 继续更换帮扶人 ——';

export interface ReassignFormDeps {
  members: readonly Member[];
  /** The case's mentor now, to refuse giving it to the same person. */
  mentorOf: (code: string) => Promise<string | null>;
  /** In a group a typed name is never repeated: it may be the child's. */
  group: boolean;
}

/**
 * 更换帮扶人 as a form: the case (given with the command) and the new mentor, a configured member
 * matched loosely (周巴 finds 周八). Saved as soon as the mentor is known.
 */
export function reassignForm(deps: ReassignFormDeps): FormDef {
  const { members, group } = deps;
  const names = members.map((m) => m.name);
  const listed = members.length <= MAX_LISTED_CHOICES;
  return {
    id: REASSIGN_FORM_ID,
    version: 1,
    title: '更换帮扶人',
    confirm: false,
    cancelAtOnce: true,
    corrections: false,
    texts: {
      start: null,
      cancelled: (a) => `已取消，个案 ${String(a.code ?? '')} 的帮扶责任人没有更换。`,
      resumeMark: REASSIGN_RESUME_MARK,
      help: '正在更换帮扶责任人。请回复新的帮扶责任人姓名；「取消」放弃。',
      updated: '更换帮扶人的问题已更新，已填内容都保留了；请接着回答下面的问题。',
      requiredWayOut: '不更换了请回复「取消」。',
      cannotSkip: (label) => `「${label}」不能跳过；不更换了请回复「取消」。`,
    },
    steps: [
      caseCodeStep('更换帮扶人'),
      {
        key: 'mentor',
        label: '新的帮扶责任人',
        editNames: ['帮扶人', '帮扶责任人'],
        prompt: (a) => `请写明个案 ${String(a.code)} 新的帮扶责任人姓名${listed ? `（可选：${names.join('、')}）` : '（须在工作人员名单中）'}。`,
        kind: 'custom',
        required: true,
        options: members.map((m) => ({ value: m.userid, label: m.name, aliases: [] })),
        schema: z.string().refine((id) => members.some((m) => m.userid === id)),
        expect: '工作人员姓名',
        example: names[0] ?? '王五',
        display: (id) => members.find((m) => m.userid === id)?.name ?? String(id),
        parse: async (text, a) => {
          const name = stripEdgePunctuation(text.replace(/^\s*(?:为|成|给|改为|换成)/, ''));
          if (!name) return { ok: false, error: '请写明新的帮扶责任人姓名。', whole: true };
          // A listed number (「2」) after the second miss, else the name matched loosely.
          const byNumber = listed && /^\d{1,2}$/.test(name) ? matchChoices(name, members.map((m) => ({ value: m.userid, label: m.name, aliases: [] }))) : undefined;
          const picked = byNumber?.ok ? members.find((m) => m.userid === byNumber.values[0]) : undefined;
          const term = picked ? picked.name : matchTerm(name, names);
          const matches = term ? members.filter((m) => m.name === term) : [];
          if (matches.length !== 1) {
            const echo = group ? '这位工作人员' : `「${name}」`;
            return { ok: false, error: `工作人员名单中没有找到唯一的${echo}。`, whole: true };
          }
          const to = matches[0]!;
          if (to.userid === await deps.mentorOf(String(a.code))) return { ok: false, error: `${to.name} 已经是个案 ${String(a.code)} 的帮扶责任人。`, whole: true };
          return { ok: true, value: to.userid };
        },
      },
    ],
  };
}
