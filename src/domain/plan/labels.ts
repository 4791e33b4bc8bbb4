/**
 * Who leads and who helps, as plans write it: labelled lines (牵头单位： / 牵头部门： / 责任单位：
 * / 责任部门： / 配合单位：), several on one line or before or after the tasks, and sentences
 * (此项工作由A牵头，B、C配合 / 由A和B共同牵头 / 由A负责，B配合).
 */

export type LabelKind = 'lead' | 'responsible' | 'work';

export interface LabelHit {
  kind: LabelKind;
  /** Where the label starts in the text. */
  at: number;
  /** The text after the label's colon, up to the next label. */
  value: string;
  valueAt: number;
}

const LABEL = /(牵头单位|牵头部门|主责单位|主办单位|责任单位|责任部门|配合单位|配合部门|协办单位|参与单位|工作内容|主要任务|工作任务|工作措施|主要措施)\s*(?:[：:]|为[：:]?)/g;

function kindOf(label: string): LabelKind {
  if (/^(牵头|主责|主办)/.test(label)) return 'lead';
  if (/责任|配合|协办|参与/.test(label)) return 'responsible';
  return 'work';
}

/**
 * Labels in a paragraph: each value runs to the next label. Only labels at the start of the
 * paragraph or after a space or a full stop count, so 「（责任单位：…）」 inside a task stays the task's.
 */
export function findLabels(text: string): LabelHit[] {
  const found: { kind: LabelKind; at: number; valueAt: number }[] = [];
  for (const m of text.matchAll(LABEL)) {
    const before = text[m.index - 1];
    if (m.index > 0 && !/[\s。.；;）)]/.test(before ?? '')) continue;
    found.push({ kind: kindOf(m[1]!), at: m.index, valueAt: m.index + m[0].length });
  }
  return found.map((f, i) => {
    const end = found[i + 1]?.at ?? text.length;
    return { ...f, value: text.slice(f.valueAt, end).trim() };
  });
}

/** A paragraph that is only a work label with nothing after it (「工作内容：」). */
export const WORK_LABEL_ONLY = /^(工作内容|主要任务|工作任务|工作措施|主要措施)\s*[：:]?$/;

export interface LeadSentence {
  leads: string;
  helpers?: string;
}

/**
 * 「此项工作由街道民政办和街道妇联共同牵头，街道团工委、辖区中小学校、各社区居委会配合」,
 * 「由镇民政办负责,派出所配合」, 「由派出所牵头,司法所、中小学校、镇关工委配合」.
 */
export function leadSentence(sentence: string): LeadSentence | undefined {
  const m = /(?:^|[，,])?(?:此项工作|该项工作|本项工作|这项工作)?由(.+?)(?:共同)?(?:牵头|负责)(?:[，,、]\s*(.+?)(?:配合|协助|参与))?[。.；;]?$/.exec(sentence);
  if (m && !/[。.]/.test(m[1]!)) return { leads: m[1]!, ...(m[2] ? { helpers: m[2] } : {}) };
  const joint = /^(.+?)(?:共同)?牵头[，,]\s*(.+?)(?:配合|协助|参与)[。.；;]?$/.exec(sentence);
  if (joint && !/由/.test(joint[1]!)) return { leads: joint[1]!, helpers: joint[2]! };
  return undefined;
}

/** 「成员单位：A、B」 / 「成　员：A、B」 / 「成员单位为：A、B。」 — the units the plan names as members. */
export function memberLists(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/成\s*员(?:单位)?\s*(?:为)?\s*[：:]\s*([^。]+?)(?:[。]|\.(?!\S*[:：])|$)/g)) out.push(m[1]!);
  return out;
}

/** The lead of the whole work: 牵头总负责 first, then where the office sits, then 由X牵头. */
export interface OverallLeadHit {
  unit: string;
  kind: 'overall' | 'office' | 'lead';
  at: number;
}

export function overallLeadIn(text: string): OverallLeadHit[] {
  const out: OverallLeadHit[] = [];
  for (const m of text.matchAll(/由([^，。,.；;、由]{2,14}?)牵头总负责|由([^，。,.；;、由]{2,14}?)(?:统一)?牵头负总责/g)) out.push({ unit: m[1] ?? m[2]!, kind: 'overall', at: m.index });
  for (const m of text.matchAll(/办公室设在([^，。,.；;、]{2,14})/g)) out.push({ unit: m[1]!, kind: 'office', at: m.index });
  for (const m of text.matchAll(/由([^，。,.；;、由]{2,12}?)牵头(?!总负责)/g)) out.push({ unit: m[1]!, kind: 'lead', at: m.index });
  return out;
}
