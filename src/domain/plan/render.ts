import type { PlanFrequency, PlanMatrix, PlanProblem } from './types.js';

/** The whole matrix as plain Chinese text, for `plan show` and for people checking the parse. */

const PERIOD: Record<PlanFrequency['period'], string> = { month: '每月', quarter: '每季度' };
const TIMES = ['', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 「镇团委每月调度一次风险隐患排查情况」, 「闲散青少年：每月至少接触一次（结对帮扶）」. */
export function describeFrequency(f: PlanFrequency, categoryName?: string): string {
  const times = `${TIMES[f.times] ?? f.times}次`;
  const period = PERIOD[f.period];
  switch (f.what) {
    case 'contact':
      return `${categoryName ? `${categoryName}：` : ''}${f.by ?? ''}${period}至少接触${times}（结对帮扶）`;
    case 'risk-screening':
      return `${f.by ?? ''}${period}调度${times}风险隐患排查情况`;
    case 'progress':
      return `${f.by ?? ''}${period}调度${times}工作进展情况`;
  }
}

export function renderPlan(m: PlanMatrix): string {
  const out: string[] = [];
  out.push(`《${m.title || '（未找到标题）'}》`);
  out.push('');
  out.push(`总牵头单位：${m.overallLead.unit || '（未找到）'}　〔${m.overallLead.clause || '—'}〕`);
  out.push(`${m.targets.clause || '一'}、${m.targets.title || '工作对象'}：${m.targets.text || '（未找到）'}`);
  out.push(`${m.goals.clause || '二'}、${m.goals.title || '工作目标'}：${m.goals.text || '（未找到）'}`);
  out.push('');
  for (const c of m.categories) {
    out.push(`【${c.code} ${c.name}】〔${c.clause}〕${c.heading}`);
    out.push(`  定义：${c.definition || '（未找到）'}`);
    if (c.includes.length > 0) {
      out.push('  包括：');
      for (const item of c.includes) out.push(`    · ${item}`);
    }
    if (c.maxAgeExclusive !== undefined) out.push(`  年龄：未满${c.maxAgeExclusive}周岁`);
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
      const cat = f.category ? m.categories.find((c) => c.code === f.category)?.name : undefined;
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
  if (problems.length === 0) return '实施方案解析通过，没有发现问题。';
  const lines = [`发现 ${problems.length} 个问题：`];
  for (const p of problems) {
    const where = p.line > 0 ? `第${p.line}行` : '全文';
    const excerpt = p.text ? `　「${p.text.length > 40 ? `${p.text.slice(0, 40)}…` : p.text}」` : '';
    lines.push(`  ${where}：${p.message}${excerpt}`);
  }
  return lines.join('\n');
}
