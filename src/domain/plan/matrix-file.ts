import { stringify } from 'yaml';
import { formatIssuePath, parseYamlText } from '../../config/yaml-text.js';
import { z } from 'zod';
import type { PlanMatrix, PlanProblem } from './types.js';

/**
 * The responsibility matrix as a YAML file the admin reviews: `plan import` writes what the
 * parser read (every entry with its clause and source line), the admin corrects it, and the
 * config's `plan:` may point at the corrected file instead of the raw text. Loading validates it
 * and names the offending path in Chinese.
 */

const period = z.enum(['week', 'half-month', 'month', 'quarter', 'half-year', 'year', 'semester'], {
  message: '应为 week（每周）、half-month（每半月）、month（每月）、quarter（每季度）、half-year（每半年）、year（每年）或 semester（每学期）',
});
const units = z.array(z.string().min(1, { message: '单位名称不能为空' })).default([]);
const text = z.string().default('');
const clause = z.string().default('');
const line = z.number().int().min(0).default(0);

const taskSchema = z.strictObject({ no: z.number().int().min(1), text: z.string().min(1, { message: '任务内容不能为空' }), units, clause, line });

const categorySchema = z.strictObject({
  code: z.enum(['01', '02', '03', '04', '05'], { message: '应为 01（闲散）、02（不良行为）、03（流浪乞讨）、04（服刑人员子女）、05（留守）之一，标准类别外的类别不写 code' }).nullish(),
  name: z.string().min(1, { message: '类别名称不能为空' }),
  heading: text,
  clause,
  line,
  definition: text,
  includes: z.array(z.string()).default([]),
  ages: z
    .object({ min: z.number().int().min(0).max(30).nullish(), max: z.number().int().min(1).max(35).nullish(), maxInclusive: z.boolean().default(false), text: text })
    .nullish(),
  maxAgeExclusive: z.number().int().min(1).max(36).nullish(),
  leads: units,
  responsible: units,
  contact: z.strictObject({ period, times: z.number().int().min(1).default(1), text, clause }).nullish(),
  tasks: z.array(taskSchema).default([]),
});

const sectionSchema = z.strictObject({ title: text, text, clause, line }).nullish();

const matrixSchema = z
  .object({
    title: z.string().min(1, { message: '方案标题不能为空' }),
    overallLead: z.strictObject({ unit: z.string().min(1, { message: '总牵头单位不能为空' }), clause, text, office: z.string().nullish(), line }),
    targets: sectionSchema,
    goals: sectionSchema,
    categories: z.array(categorySchema).min(1, { message: '至少要有一类工作对象' }),
    requirements: z.array(z.strictObject({ title: text, text, clause, line })).default([]),
    frequencies: z
      .array(
        z.strictObject({
          what: z.enum(['contact', 'risk-screening', 'progress', 'report', 'other'], {
            message: '应为 contact（联系走访）、risk-screening（风险隐患排查调度）、progress（工作进展调度）、report（按日报送）或 other',
          }),
          period,
          times: z.number().int().min(1).default(1),
          day: z.number().int().min(1).max(31).nullish(),
          by: z.string().nullish(),
          byUnits: units,
          to: z.string().nullish(),
          category: z.string().nullish(),
          text,
          clause,
          line,
        }),
      )
      .default([]),
    unitForms: z.record(z.string(), z.array(z.string())).default({}),
  })
  .superRefine((m, ctx) => {
    const codes = new Map<string, number>();
    m.categories.forEach((c, i) => {
      if (c.code) {
        if (codes.has(c.code)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'code'], message: `与 categories[${codes.get(c.code)}] 的类别代码相同` });
        codes.set(c.code, i);
      }
      if (c.leads.length === 0) ctx.addIssue({ code: 'custom', path: ['categories', i, 'leads'], message: `「${c.name}」没有牵头单位` });
      const nos = new Set<number>();
      c.tasks.forEach((t, k) => {
        if (nos.has(t.no)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'tasks', k, 'no'], message: `任务编号 ${t.no} 重复` });
        nos.add(t.no);
      });
    });
    const keys = new Set(m.categories.map((c, i) => c.code ?? `x${i + 1}`));
    m.frequencies.forEach((f, i) => {
      if (f.category && !keys.has(f.category)) {
        ctx.addIssue({ code: 'custom', path: ['frequencies', i, 'category'], message: `没有这个类别：应为某个类别的 code（如 05），标准类别外的类别写 x 加它在 categories 中的序号（如 x4）` });
      }
    });
  });

export type MatrixFile = z.infer<typeof matrixSchema>;

/** Thrown when a matrix file is not YAML or fails validation; the message names file and path. */
export class MatrixFileError extends Error {
  override name = 'MatrixFileError';
}

export function parseMatrixYaml(source: string, path: string): PlanMatrix {
  const raw = parseYamlText(source, `责任矩阵文件 ${path}`, (m) => new MatrixFileError(m));
  const r = matrixSchema.safeParse(raw ?? {});
  if (!r.success) {
    // As in the config: a misspelt key (`lead:` for `leads:`) is an error, not a field silently left empty.
    const what = (i: z.core.$ZodIssue) => (i.code === 'unrecognized_keys' ? `未知的字段「${i.keys.join('」「')}」（拼写错误？）` : i.message);
    const lines = r.error.issues.slice(0, 10).map((i) => `  ${formatIssuePath(i.path)}：${what(i)}`);
    const more = r.error.issues.length > 10 ? [`  （另有 ${r.error.issues.length - 10} 处问题）`] : [];
    throw new MatrixFileError([`责任矩阵文件 ${path} 有 ${r.error.issues.length} 处问题：`, ...lines, ...more].join('\n'));
  }
  return fromFile(r.data);
}

function fromFile(f: MatrixFile): PlanMatrix {
  const all: string[] = [];
  const add = (u: string | null | undefined) => {
    if (u && !all.includes(u)) all.push(u);
  };
  add(f.overallLead.unit);
  const categories = f.categories.map((c, i) => {
    for (const u of [...c.leads, ...c.responsible, ...c.tasks.flatMap((t) => t.units)]) add(u);
    const ages = c.ages ? { ...(c.ages.min != null ? { min: c.ages.min } : {}), ...(c.ages.max != null ? { max: c.ages.max } : {}), maxInclusive: c.ages.maxInclusive, text: c.ages.text } : undefined;
    const limit = c.maxAgeExclusive ?? (ages?.max !== undefined ? ages.max + (ages.maxInclusive ? 1 : 0) : undefined);
    return {
      ...(c.code ? { code: c.code } : {}),
      key: c.code ?? `x${i + 1}`,
      ordinal: i + 1,
      heading: c.heading || c.name,
      name: c.name,
      definition: c.definition,
      includes: c.includes,
      leadUnits: c.leads,
      responsibleUnits: c.responsible,
      tasks: c.tasks.map((t) => ({ no: t.no, text: t.text, units: t.units, clause: t.clause || `${c.clause}第${t.no}条`, line: t.line })),
      ...(limit !== undefined ? { maxAgeExclusive: limit } : {}),
      ...(ages ? { ages } : {}),
      ...(c.contact ? { contact: { period: c.contact.period, times: c.contact.times, text: c.contact.text, clause: c.contact.clause } } : {}),
      clause: c.clause,
      line: c.line,
    };
  });
  const frequencies = f.frequencies.map((x) => {
    for (const u of [x.by, x.to, ...x.byUnits]) add(u);
    return {
      what: x.what,
      period: x.period,
      times: x.times,
      ...(x.day != null ? { day: x.day } : {}),
      ...(x.by ? { by: x.by } : {}),
      ...(x.byUnits.length > 0 ? { byUnits: x.byUnits } : {}),
      ...(x.to ? { to: x.to } : {}),
      ...(x.category ? { category: x.category } : {}),
      text: x.text,
      clause: x.clause,
      line: x.line,
    };
  });
  const section = (s: MatrixFile['targets'], ordinal: number) => ({ ordinal, title: s?.title ?? '', text: s?.text ?? '', clause: s?.clause ?? '', line: s?.line ?? 0 });
  return {
    title: f.title,
    overallLead: { unit: f.overallLead.unit, clause: f.overallLead.clause, text: f.overallLead.text, ...(f.overallLead.office ? { office: f.overallLead.office } : {}), line: f.overallLead.line },
    targets: section(f.targets, 1),
    goals: section(f.goals, 2),
    categories,
    requirements: f.requirements.map((r, i) => ({ ordinal: i + 1, ...r })),
    frequencies,
    units: all,
    unitForms: f.unitForms,
    problems: [],
  };
}

/** The matrix as reviewable YAML, with what the parser could not place listed on top as comments. */
export function matrixToYaml(m: PlanMatrix, source: string): string {
  const doc = {
    title: m.title,
    overallLead: { unit: m.overallLead.unit, clause: m.overallLead.clause, text: m.overallLead.text, ...(m.overallLead.office ? { office: m.overallLead.office } : {}), line: m.overallLead.line ?? 0 },
    targets: { title: m.targets.title, text: m.targets.text, clause: m.targets.clause, line: m.targets.line },
    goals: { title: m.goals.title, text: m.goals.text, clause: m.goals.clause, line: m.goals.line },
    categories: m.categories.map((c) => ({
      code: c.code ?? null,
      name: c.name,
      heading: c.heading,
      clause: c.clause,
      line: c.line,
      definition: c.definition,
      includes: c.includes,
      ages: c.ages ? { min: c.ages.min ?? null, max: c.ages.max ?? null, maxInclusive: c.ages.maxInclusive ?? false, text: c.ages.text } : null,
      maxAgeExclusive: c.maxAgeExclusive ?? null,
      leads: c.leadUnits,
      responsible: c.responsibleUnits,
      contact: c.contact ?? null,
      tasks: c.tasks.map((t) => ({ no: t.no, text: t.text, units: t.units, clause: t.clause, line: t.line })),
    })),
    requirements: m.requirements.map((r) => ({ title: r.title, text: r.text, clause: r.clause, line: r.line })),
    frequencies: m.frequencies.map((f) => ({
      what: f.what,
      period: f.period,
      times: f.times,
      day: f.day ?? null,
      by: f.by ?? null,
      byUnits: f.byUnits ?? [],
      to: f.to ?? null,
      category: f.category ?? null,
      text: f.text,
      clause: f.clause,
      line: f.line,
    })),
    unitForms: m.unitForms ?? {},
  };
  const header = [
    `# 护苗助手责任矩阵，由 plan import 读取 ${source} 生成。`,
    '# 请逐项核对（每项注明了方案条款 clause 和原文行号 line），改正后在配置文件中写 plan: 本文件路径，',
    '# 并用 npm run humiao -- plan check 本文件 检查。',
    '# code：01 闲散 02 不良行为 03 流浪乞讨 04 服刑人员子女 05 留守；标准类别外的类别 code 留空（null），',
    '#       频次的 category 写 x 加它在 categories 中的序号（如 x4）。',
    '# period：week 每周 / half-month 每半月 / month 每月 / quarter 每季度 / half-year 每半年 / year 每年 / semester 每学期。',
    ...problemComments(m.problems),
  ];
  return `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}

function problemComments(problems: readonly PlanProblem[]): string[] {
  if (problems.length === 0) return ['# 读取时没有发现问题。'];
  return ['# 读取时发现以下问题，请对照原文补全：', ...problems.map((p) => `#   ${p.line > 0 ? `第${p.line}行` : '全文'}：${p.message}${p.text ? `「${p.text.slice(0, 40)}」` : ''}`)];
}
