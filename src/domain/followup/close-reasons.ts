import { matchChoices, type ChoiceOption } from '../parse-zh/choice.js';

/** Closure reasons of docs/domain-rules.md §5.2, coded so reports can count them. */
export interface CloseReason {
  code: string;
  label: string;
  aliases: string[];
}

export const CLOSE_REASONS: readonly CloseReason[] = [
  { code: 'C01', label: '年龄超出范围', aliases: ['超龄', '年龄超出', '满18岁', '满16岁', '满25岁', '成年'] },
  { code: 'C02', label: '已入学(复学)', aliases: ['已入学', '入学', '复学', '已复学', '返校', '上学了'] },
  { code: 'C03', label: '已稳定就业', aliases: ['就业', '稳定就业', '已就业', '找到工作', '上班了'] },
  { code: 'C04', label: '父母返乡或随迁', aliases: ['父母返乡', '返乡', '随迁', '跟父母走了', '父母回来'] },
  { code: 'C05', label: '已返回家庭并稳定', aliases: ['返回家庭', '回家', '已回家'] },
  { code: 'C06', label: '父母刑满释放或监护恢复', aliases: ['刑满释放', '出狱', '监护恢复', '释放'] },
  { code: 'C07', label: '连续一年无不良行为', aliases: ['一年无不良行为', '无不良行为', '表现良好'] },
  { code: 'C08', label: '迁出本镇', aliases: ['迁出', '搬走', '外迁', '搬家'] },
  { code: 'C09', label: '转入专门学校或其他机构', aliases: ['专门学校', '转入专门学校', '转入机构', '转介机构'] },
  { code: 'C10', label: '死亡', aliases: ['去世', '身故'] },
  { code: 'C99', label: '其他', aliases: ['其它'] },
];

const OPTIONS: ChoiceOption[] = CLOSE_REASONS.map((r) => ({ value: r.code, label: r.label, aliases: r.aliases }));

export type CloseReasonResult =
  | { ok: true; reason: CloseReason; /** Free text, required for 其他. */ detail: string | null }
  | { ok: false; why: 'unknown' | 'needs-detail' };

/** 「已入学」「复学了」「其他 随亲属去外省」: the coded reason, tolerant of wording and typos. */
export function parseCloseReason(text: string): CloseReasonResult {
  const r = matchChoices(text, OPTIONS, { allowDetail: true });
  if (!r.ok) return { ok: false, why: 'unknown' };
  const reason = CLOSE_REASONS.find((x) => x.code === r.values[0])!;
  const detail = r.detail?.trim() || null;
  if (reason.code === 'C99' && !detail) return { ok: false, why: 'needs-detail' };
  return { ok: true, reason, detail: reason.code === 'C99' ? detail : null };
}

/** How a closure is stored in `cases.close_reason`: the code, then the label, then any text. */
export function formatCloseReason(reason: CloseReason, detail: string | null): string {
  return detail ? `${reason.code} ${reason.label}：${detail}` : `${reason.code} ${reason.label}`;
}

/** The reason's label from a stored `close_reason`, for counting; the free text is dropped. */
export function closeReasonLabel(stored: string | null): string {
  const code = stored?.slice(0, 3);
  return CLOSE_REASONS.find((r) => r.code === code)?.label ?? '其他';
}

export const CLOSE_REASON_LIST = CLOSE_REASONS.map((r, i) => `${i + 1}. ${r.label}`).join('\n');
export const CLOSE_REASON_CHOICES = CLOSE_REASONS.map((r) => ({ label: r.label, value: r.label }));
