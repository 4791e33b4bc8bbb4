import { z } from 'zod';
import type { FormDef } from '../intake/form.js';
import { normalizeInput, stripEdgePunctuation } from '../parse-zh/normalize.js';
import { parseYesNo } from '../parse-zh/yes-no.js';
import { CLOSE_REASONS, CLOSE_REASON_CHOICES, CLOSE_REASON_LIST, formatCloseReason, parseCloseReason } from './close-reasons.js';
import { caseCodeStep } from './case-code-step.js';

export const CLOSE_FORM_ID = 'close-case';
export const CLOSE_RESUME_MARK = '—— 继续结案 ——';

export const ASK_REASON = `请选择结案原因（回复序号或原因；「其他」请写明具体原因）：\n${CLOSE_REASON_LIST}`;
const OTHER = CLOSE_REASONS.find((r) => r.code === 'C99')!;
/** A stored reason: its code, its label and, for 其他, the words typed. */
const STORED_REASON = /^C\d{2} \S/;

/**
 * The reason as it may be shown in this chat: in a group only its label, never the words typed
 * for 其他 (they may name the child).
 */
export function shownReason(reason: string, group: boolean): string {
  const label = reason.slice(4);
  return group ? label.split('：')[0]! : label;
}

/**
 * 结案 as a form: the case (given with the command), the coded reason (docs/domain-rules.md §5.2; 「其他」
 * asks for its words), and a confirmation. Nothing is written until 「确认」.
 */
export function closeForm(opts: { group: boolean }): FormDef {
  const { group } = opts;
  return {
    id: CLOSE_FORM_ID,
    version: 1,
    title: '结案',
    confirm: false,
    cancelAtOnce: true,
    corrections: false,
    texts: {
      start: null,
      cancelled: (a) => `已取消，个案 ${String(a.code ?? '')} 未结案。`,
      resumeMark: CLOSE_RESUME_MARK,
      help: '正在办理结案。可用：「上一步」回到上一题；「修改 原因」改结案原因；「取消」放弃结案。',
      updated: '结案流程已更新，已填内容都保留了；请接着回答下面的问题。',
      requiredWayOut: '不结案了请回复「取消」。',
      cannotSkip: (label) => `「${label}」不能跳过；不结案了请回复「取消」。`,
    },
    steps: [
      caseCodeStep('结案'),
      {
        key: 'reason',
        label: '结案原因',
        editNames: ['原因'],
        prompt: ASK_REASON,
        kind: 'custom',
        required: true,
        listsOptions: true,
        options: CLOSE_REASON_CHOICES.map((c) => ({ value: c.value, label: c.label, aliases: [] })),
        schema: z.string().regex(STORED_REASON),
        expect: '结案原因',
        example: '已入学',
        display: (v) => shownReason(String(v), group),
        parse: (text, _answers, _env, partial) => {
          if (partial !== undefined) {
            // The words for 「其他」, asked after it was picked alone.
            const detail = stripEdgePunctuation(normalizeInput(text));
            return detail ? { ok: true, value: formatCloseReason(OTHER, detail) } : { ok: false, error: '请写明「其他」的具体原因。', whole: true };
          }
          const r = parseCloseReason(text);
          if (r.ok) return { ok: true, value: formatCloseReason(r.reason, r.detail) };
          if (r.why === 'needs-detail') return { ok: 'partial', value: formatCloseReason(OTHER, null), ask: '请写明「其他」的具体原因（不写他人姓名）。' };
          // What was typed is never repeated in a group (it may name the child).
          const echo = group || !text.trim() ? '' : `「${text.trim()}」`;
          return { ok: false, error: `没有识别出结案原因${echo}。`, whole: true };
        },
      },
      {
        key: 'confirmed',
        label: '确认结案',
        prompt: (a) => `确认将个案 ${String(a.code)} 结案？原因：${shownReason(String(a.reason), group)}。结案后不再提醒走访。请回复「确认」或「取消」。`,
        kind: 'custom',
        required: true,
        listsOptions: true,
        options: [{ value: '确认', label: '确认', aliases: [] }, { value: '取消', label: '取消', aliases: [] }],
        schema: z.literal(true),
        expect: '确认或取消',
        example: '确认',
        parse: (text, a) => {
          const yes = parseYesNo(text);
          if (yes === true) return { ok: true, value: true };
          if (yes === false) return { ok: 'end', reply: `已取消，个案 ${String(a.code)} 未结案。` };
          return { ok: false, error: '请回复「确认」结案，或「取消」。', whole: true };
        },
      },
    ],
  };
}
