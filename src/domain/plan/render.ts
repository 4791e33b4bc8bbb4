import type { Period, PlanFrequency, PlanMatrix, PlanProblem } from './types.js';

/** The whole matrix as plain Chinese text, for `plan show` and for people checking the parse. */

export const PERIOD_WORD: Record<Period, string> = {
  week: '每周',
  'half-month': '每半月',
  month: '每月',
  quarter: '每季度',
  'half-year': '每半年',
  year: '每年',
  semester: '每学期',
};
const TIMES = ['', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 「镇团委每月调度一次风险隐患排查情况」, 「闲散青少年：每月至少接触一次（结对帮扶）」. */
export function describeFrequency(f: PlanFrequency, categoryName?: string): string {
  const times = `${TIMES[f.times] ?? f.times}次`;
  const period = PERIOD_WORD[f.period];
  // The plan's own verb (接触 / 家访 / 通报), never another plan's wording.
  const verb = (re: RegExp, fallback: string) => {
    const at = f.text.search(/每(?:个)?(?:半个?月|半年|周|星期|月|季度|学期|年)/);
    return re.exec(at < 0 ? f.text : f.text.slice(at))?.[0] ?? fallback;
  };
  switch (f.what) {
    case 'report':
    case 'other':
      return f.text.replace(/^[一二三四五六七八九十]是/, '');
    case 'contact': {
      const pairing = /结对帮扶/.test(f.text) ? '（结对帮扶）' : '';
      const v = verb(/接触|入户走访|走访|家访|探访|回访|谈话|见面|电话联系|联系/, '联系');
      return `${categoryName ? `${categoryName}：` : ''}${f.by ?? ''}${period}至少${v}${times}${pairing}`;
    }
    case 'risk-screening':
      return `${f.by ?? ''}${period}${verb(/调度|通报/, '调度')}${times}风险隐患排查情况`;
    case 'progress':
      return `${f.by ?? ''}${period}${verb(/调度|通报/, '调度')}${times}工作进展情况`;
  }
}

export function renderPlan(m: PlanMatrix): string {
  const out: string[] = [];
  out.push(`《${m.title || '（未找到标题）'}》`);
  out.push('');
  out.push(`总牵头单位：${m.overallLead.unit || '（未找到）'}　〔${m.overallLead.clause || '—'}〕`);
  if (m.overallLead.office) out.push(`领导小组办公室：${m.overallLead.office}`);
  out.push(`${(m.targets.clause || '一').replace(/、$/, '')}、${m.targets.title || '工作对象'}：${m.targets.text || '（未找到）'}`);
  out.push(`${(m.goals.clause || '二').replace(/、$/, '')}、${m.goals.title || '工作目标'}：${m.goals.text || '（未找到）'}`);
  out.push('');
  for (const c of m.categories) {
    out.push(`【${c.code ?? '标准类别外'} ${c.name}】〔${c.clause}〕${c.heading}`);
    out.push(`  定义：${c.definition || '（未找到）'}`);
    if (c.includes.length > 0) {
      out.push('  包括：');
      for (const item of c.includes) out.push(`    · ${item}`);
    }
    if (c.ages) out.push(`  年龄：${c.ages.text}`);
    else if (c.maxAgeExclusive !== undefined) out.push(`  年龄：未满${c.maxAgeExclusive}周岁`);
    if (c.contact) out.push(`  联系频次：${PERIOD_WORD[c.contact.period]}至少${c.contact.times}次　〔${c.contact.clause}〕`);
    out.push(`  牵头单位：${c.leadUnits.join('、') || '（未找到）'}`);
    out.push(`  责任单位：${c.responsibleUnits.join('、') || '（无）'}`);
    out.push(`  工作内容（${c.tasks.length}条）：`);
    for (const t of c.tasks) {
      out.push(`    ${t.no}. ${t.text}`);
      out.push(`       承担单位：${t.units.join('、') || '（未注明）'}　〔${t.clause}〕`);
    }
    out.push('');
  }
  if (m.requirements.length > 0) {
    out.push('工作要求：');
    for (const r of m.requirements) out.push(`  〔${r.clause}〕${r.text}`);
    out.push('');
  }
  if (m.frequencies.length > 0) {
    out.push('工作频次：');
    for (const f of m.frequencies) {
      const cat = f.category ? m.categories.find((c) => c.key === f.category)?.name : undefined;
      out.push(`  · ${describeFrequency(f, cat)}　〔${f.clause}〕`);
    }
    out.push('');
  }
  out.push(`涉及单位（${m.units.length}个）：${m.units.join('、')}`);
  if (m.problems.length > 0) {
    out.push('');
    out.push(renderProblems(m.problems));
  }
  return out.join('\n');
}

/** One line per problem, with its line number, for `plan check`. */
export function renderProblems(problems: readonly PlanProblem[]): string {
  const errors = problems.filter((p) => p.severity !== 'notice');
  const notices = problems.filter((p) => p.severity === 'notice');
  const lines: string[] = [];
  if (errors.length === 0) lines.push('实施方案解析通过，没有发现问题。');
  else {
    lines.push(`发现 ${errors.length} 个问题：`);
    for (const p of errors) lines.push(problemLine(p));
  }
  if (notices.length > 0) {
    lines.push(`提示 ${notices.length} 条（不影响使用）：`);
    for (const p of notices) lines.push(problemLine(p));
  }
  return lines.join('\n');
}

function problemLine(p: PlanProblem): string {
  const where = p.line > 0 ? `第${p.line}行` : '全文';
  const excerpt = p.text ? `　「${p.text.length > 40 ? `${p.text.slice(0, 40)}…` : p.text}」` : '';
  return `  ${where}：${p.message}${excerpt}`;
}

/** Problems that lose something (not notices): `plan check` and `plan show` exit 1 on any. */
export function hasErrors(m: Pick<PlanMatrix, 'problems'>): boolean {
  return m.problems.some((p) => p.severity !== 'notice');
}
