import type { PlanCategory, PlanFrequency, PlanMatrix, PlanRequirement, PlanTask } from '../plan/types.js';
import { describeFrequency } from '../plan/render.js';
import { capabilityLines } from './capabilities.js';

/** Answer texts. Every answer built here ends with 依据：<clauses>, except the honest 「没有规定」. */

export const NO_RULE = '实施方案中没有相关规定';

export function cite(clauses: readonly string[]): string {
  return `依据：${[...new Set(clauses)].join('、')}`;
}

export function join(units: readonly string[]): string {
  return units.length > 0 ? units.join('、') : '（无）';
}

/** Beyond this many characters a list of clauses shows each one's first sentence, not all of it. */
export const QUOTE_BUDGET = 1000;

/** A task's first sentence, whole (with its 。): the plan's words are never cut mid-sentence. */
export function firstSentence(text: string): string {
  return sentences(text)[0] ?? text;
}

/**
 * Clauses quoted whole when they fit the budget; otherwise each clause's first whole sentence,
 * with a line saying how to see the rest. `line` formats one clause around its quoted text.
 */
export function quoteClauses<T extends { text: string; clause: string }>(items: readonly T[], line: (item: T, quoted: string) => string): string[] {
  const total = items.reduce((n, t) => n + t.text.length, 0);
  const whole = total <= QUOTE_BUDGET;
  const out = items.map((t) => line(t, whole ? t.text : firstSentence(t.text)));
  if (!whole && items.some((t) => firstSentence(t.text) !== t.text)) {
    out.push(`（条目较多，每条只列第一句；问「${items[0]!.clause}」这样的条款号可看全文）`);
  }
  return out;
}

export function noRule(detail?: string): string {
  return [`${NO_RULE}${detail ? `：${detail}` : '。'}`, '', '我可以根据实施方案回答：', ...capabilityLines()].join('\n');
}

/**
 * The lead units; the responsible units only when asked too (「谁牵头，谁配合」): an answer to
 * 「牵头部门是哪个」 that also lists five other units reads as if they led as well.
 */
export function leadAnswer(c: PlanCategory, withResponsible = true): string {
  const also = withResponsible ? `责任单位：${join(c.responsibleUnits)}。` : `责任单位可问「${shortName(c)}的责任单位有哪些」。`;
  return [`${c.name}的牵头单位：${join(c.leadUnits)}。`, also, cite([c.clause])].join('\n');
}

export function responsibleAnswer(c: PlanCategory): string {
  return [`${c.name}的责任单位：${join(c.responsibleUnits)}。`, `牵头单位：${join(c.leadUnits)}。`, cite([c.clause])].join('\n');
}

export function whoAnswer(c: PlanCategory): string {
  return [
    `${c.name}工作由${join(c.leadUnits)}牵头，`,
    `责任单位：${join(c.responsibleUnits)}。`,
    `共有${c.tasks.length}条工作任务，可问「${shortName(c)}有哪些任务」查看。`,
    cite([c.clause]),
  ].join('\n');
}

export function tasksAnswer(c: PlanCategory): string {
  const lines = [`${c.name}的工作任务共${c.tasks.length}条（牵头单位：${join(c.leadUnits)}；责任单位：${join(c.responsibleUnits)}）：`];
  lines.push(...quoteClauses(c.tasks, (t, q) => `${t.no}. ${q}（${join(t.units)}）〔${t.clause}〕`));
  lines.push(cite([c.clause, ...c.tasks.map((t) => t.clause)]));
  return lines.join('\n');
}

export function definitionAnswer(c: PlanCategory): string {
  const lines = [c.definition || `${NO_RULE}：方案没有给出${c.name}的定义。`];
  if (c.includes.length > 0) {
    lines.push('包括：');
    for (const item of c.includes) lines.push(`· ${item}`);
  }
  lines.push(ageLine(c));
  lines.push(cite([c.clause]));
  return lines.join('\n');
}

export function ageLine(c: PlanCategory): string {
  // The plan's own words when it states ages in numbers (6周岁至25周岁, 不满十六周岁).
  if (c.ages) return `年龄：${c.ages.text}。`;
  if (c.maxAgeExclusive === undefined) return `年龄：实施方案没有规定${c.name}的年龄界限。`;
  return `年龄：未满${c.maxAgeExclusive}周岁${c.maxAgeExclusive === 18 ? '（未成年人）' : ''}。`;
}

export function ageAnswer(cs: readonly PlanCategory[]): string {
  if (cs.length > 0 && cs.every((c) => c.maxAgeExclusive === undefined)) {
    const names = cs.map((c) => c.name).join('、');
    return noRule(`方案只写「青少年」，没有规定${names}的年龄界限。${cs.map((c) => `定义（${c.clause}）：${c.definition}`).join('')}`);
  }
  return [...cs.map((c) => `${c.name}——${ageLine(c).replace(/^年龄：/, '')}`), cite(cs.map((c) => c.clause))].join('\n');
}

export function overviewAnswer(c: PlanCategory): string {
  return [
    c.definition,
    `牵头单位：${join(c.leadUnits)}；责任单位：${join(c.responsibleUnits)}。`,
    `工作任务${c.tasks.length}条，可问「${shortName(c)}有哪些任务」。`,
    cite([c.clause]),
  ].join('\n');
}

/** 「有不良行为或严重不良行为青少年」 is a mouthful in an example question: 「不良行为青少年」. */
function shortName(c: PlanCategory): string {
  return c.name.replace(/^有(.+?)或严重\1/, '$1');
}

export function taskAnswer(hits: readonly { category: PlanCategory; task: PlanTask }[]): string {
  const lines: string[] = [];
  for (const { category, task } of hits) {
    lines.push(`〔${task.clause}〕承担单位：${join(task.units)}`);
    lines.push(`原文：${task.text}`);
    lines.push(`（${category.name}工作的牵头单位：${join(category.leadUnits)}）`);
    lines.push('');
  }
  lines.push(cite(hits.map((h) => h.task.clause)));
  return lines.join('\n');
}

export function unitTaskCheck(unit: string, hits: readonly { category: PlanCategory; task: PlanTask }[]): string {
  const lines: string[] = [];
  for (const { task } of hits) {
    lines.push(
      task.units.includes(unit)
        ? `是。${unit}承担${task.clause}：${task.text}（${join(task.units)}）`
        : `${task.clause}没有${unit}。承担单位：${join(task.units)}。`,
    );
  }
  lines.push(cite(hits.map((h) => h.task.clause)));
  return lines.join('\n');
}

/**
 * The duties of the units asked about. Units with the same duties (the schools a generic
 * 「中小学校」 stands for) are answered once for all of them: 「墩集中学、墩集中心校的职责：…」.
 */
export function unitDutiesAnswer(plan: PlanMatrix, units: readonly string[]): string {
  const groups = new Map<string, { units: string[]; duties: UnitDuties }>();
  for (const unit of units) {
    const duties = unitDuties(plan, unit);
    const key = JSON.stringify(duties);
    const g = groups.get(key);
    if (g) g.units.push(unit);
    else groups.set(key, { units: [unit], duties });
  }
  return [...groups.values()]
    .map(({ units: us, duties }) => {
      const names = us.join('、');
      if (duties.lines.length === 0) return `实施方案没有给${names}分配任务，也没有把${us.length > 1 ? '它们' : '它'}列为任何一类工作的牵头或责任单位。`;
      return [`${names}的职责：`, ...duties.lines, cite(duties.clauses)].join('\n');
    })
    .join('\n\n');
}

interface UnitDuties {
  lines: string[];
  clauses: string[];
}

function unitDuties(plan: PlanMatrix, unit: string): UnitDuties {
  const lines: string[] = [];
  const clauses: string[] = [];
  if (plan.overallLead.unit === unit) {
    lines.push(`${unit}是重点青少年群体服务管理工作的总牵头单位（${plan.overallLead.clause}）。`);
    clauses.push(plan.overallLead.clause);
  }
  const leads = plan.categories.filter((c) => c.leadUnits.includes(unit));
  const resp = plan.categories.filter((c) => c.responsibleUnits.includes(unit));
  if (leads.length > 0) lines.push(`牵头：${leads.map((c) => `${c.name}（${c.clause}）`).join('、')}`);
  if (resp.length > 0) lines.push(`责任单位：${resp.map((c) => `${c.name}（${c.clause}）`).join('、')}`);
  const tasks = plan.categories.flatMap((c) => c.tasks.filter((t) => t.units.includes(unit)).map((t) => ({ c, t })));
  if (tasks.length > 0) {
    lines.push(`具体任务共${tasks.length}条：`);
    lines.push(...quoteClauses(tasks.map(({ c, t }) => ({ c, text: t.text, clause: t.clause })), (x, q) => `· ${x.clause}【${x.c.name}】${q}`));
  }
  for (const f of plan.frequencies.filter((f) => f.by === unit)) {
    lines.push(`· ${describeFrequency(f)}（${f.clause}）`);
    clauses.push(f.clause);
  }
  if (lines.length === 0) return { lines, clauses };
  clauses.push(...leads.map((c) => c.clause), ...tasks.map(({ t }) => t.clause));
  if (tasks.length === 0) clauses.push(...resp.map((c) => c.clause));
  return { lines, clauses };
}

export function unitLeadsAnswer(plan: PlanMatrix, unit: string): string {
  const leads = plan.categories.filter((c) => c.leadUnits.includes(unit));
  const resp = plan.categories.filter((c) => c.responsibleUnits.includes(unit));
  const lines: string[] = [];
  const clauses: string[] = [];
  if (plan.overallLead.unit === unit) {
    lines.push(`${unit}是重点青少年群体服务管理工作的总牵头单位。`);
    clauses.push(plan.overallLead.clause);
  }
  if (leads.length > 0) {
    lines.push(`${unit}牵头：${leads.map((c) => `${c.name}（${c.clause}）`).join('、')}。`);
    clauses.push(...leads.map((c) => c.clause));
  } else if (clauses.length === 0) {
    lines.push(`${unit}不是任何一类工作的牵头单位。`);
  }
  if (resp.length > 0) {
    lines.push(`${unit}是以下工作的责任单位：${resp.map((c) => `${c.name}（${c.clause}）`).join('、')}。`);
    clauses.push(...resp.map((c) => c.clause));
  }
  if (clauses.length === 0) clauses.push(...plan.categories.map((c) => c.clause));
  return [...lines, cite(clauses)].join('\n');
}

/** Does a unit lead / carry tasks in a category — said plainly when it does not. */
export function unitInCategoryAnswer(unit: string, c: PlanCategory, askedLead: boolean): string {
  const lines: string[] = [];
  const isLead = c.leadUnits.includes(unit);
  const isResp = c.responsibleUnits.includes(unit);
  const tasks = c.tasks.filter((t) => t.units.includes(unit));
  if (askedLead) {
    lines.push(isLead ? `是，${unit}是${c.name}的牵头单位。` : `不是。${c.name}的牵头单位是${join(c.leadUnits)}。`);
  } else if (isLead) {
    lines.push(`${unit}是${c.name}的牵头单位。`);
  }
  if (!isLead) lines.push(isResp ? `${unit}是${c.name}工作的责任单位。` : `${unit}不是${c.name}工作的牵头单位，也不是责任单位。`);
  if (tasks.length > 0) {
    lines.push(`${unit}在${c.name}工作中承担${tasks.length}条任务：`);
    lines.push(...quoteClauses(tasks, (t, q) => `· ${t.clause}：${q}`));
  } else {
    lines.push(`${unit}在${c.name}工作中没有具体任务。`);
    const carriers = [...new Set(c.tasks.flatMap((t) => t.units))];
    lines.push(`承担任务的单位：${join(carriers)}。`);
  }
  lines.push(`该项工作牵头单位：${join(c.leadUnits)}；责任单位：${join(c.responsibleUnits)}。`);
  return [...lines, cite([c.clause, ...tasks.map((t) => t.clause)])].join('\n');
}

export function frequencyAnswer(plan: PlanMatrix, fs: readonly PlanFrequency[]): string {
  const lines: string[] = [];
  for (const f of fs) {
    const cat = f.category ? plan.categories.find((c) => c.key === f.category) : undefined;
    lines.push(`· ${describeFrequency(f, cat?.name)}`);
    lines.push(`  原文：${f.text}`);
    const task = cat?.tasks.find((t) => t.clause === f.clause);
    if (task) lines.push(`  承担单位：${join(task.units)}`);
  }
  return [...lines, cite(fs.map((f) => f.clause))].join('\n');
}

/** The frequencies the plan does set, for answers that must say the asked-for one is not set. */
export function knownFrequencies(plan: PlanMatrix): string {
  if (plan.frequencies.length === 0) return '方案没有规定任何工作频次。';
  const list = plan.frequencies.map((f) => {
    const cat = f.category ? plan.categories.find((c) => c.key === f.category)?.name : undefined;
    return `${describeFrequency(f, cat)}（${f.clause}）`;
  });
  return `方案规定的频次只有：${list.join('；')}。`;
}

export function overallAnswer(plan: PlanMatrix): string {
  return [
    `重点青少年群体服务管理工作由${plan.overallLead.unit}总牵头。`,
    `原文：${plan.overallLead.text}`,
    `各类群体另有各自的牵头单位：${plan.categories.map((c) => `${c.name}——${join(c.leadUnits)}`).join('；')}。`,
    cite([plan.overallLead.clause]),
  ].join('\n');
}

export function targetsAnswer(plan: PlanMatrix): string {
  return [
    `工作对象：${plan.targets.text}`,
    `共${plan.categories.length}类：${plan.categories.map((c) => `${c.name}（${c.clause}）`).join('、')}。`,
    cite([plan.targets.clause]),
  ].join('\n');
}

export function goalsAnswer(plan: PlanMatrix): string {
  return [`工作目标：${plan.goals.text}`, cite([plan.goals.clause])].join('\n');
}

export function requirementsAnswer(rs: readonly PlanRequirement[]): string {
  return [...rs.map((r) => `〔${r.clause}〕${r.text}`), cite(rs.map((r) => r.clause))].join('\n');
}

/** A passage's sentences, each whole with its 。, for quoting a part without cutting one. */
export function sentences(text: string): string[] {
  return text.match(/[^。！？]+[。！？]?/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
}

/** The words the intake start understands; the intake dialog takes it with these facts prefilled. */
export const INTAKE_OFFER = '回复“登记”即可用这些信息开始登记。';

/**
 * A described child: each category it fits with why (the condition met, then the definition
 * quoted whole), its lead and responsible units and what to do next; then the categories it was
 * checked against and does not fit, with why.
 */
export function situationAnswer(
  plan: PlanMatrix,
  fits: readonly { category: PlanCategory; reason: string; include?: string }[],
  ruledOut: readonly { category: PlanCategory; reason: string }[],
): string {
  const lines: string[] = [];
  const clauses: string[] = [];
  if (fits.length === 0) {
    lines.push('按实施方案的定义，这个孩子不属于方案中的任何一类重点青少年群体：');
  } else {
    lines.push(fits.length > 1 ? `按实施方案的定义，这个孩子同时属于${fits.length}类：` : '按实施方案的定义：');
  }
  for (const f of fits) {
    const c = f.category;
    clauses.push(c.clause);
    lines.push(`✔ ${f.reason} → ${c.name}`);
    lines.push(`  定义（${c.clause}）：${c.definition}`);
    if (f.include) lines.push(`  其中包括：${f.include}`);
    lines.push(`  牵头单位：${join(c.leadUnits)}；责任单位：${join(c.responsibleUnits)}。`);
  }
  for (const r of ruledOut) {
    const c = r.category;
    clauses.push(c.clause);
    lines.push(`✘ 不属于${c.name}：${r.reason}。`);
    lines.push(`  定义（${c.clause}）：${c.definition}`);
  }
  if (fits.length > 0) {
    lines.push('下一步：');
    for (const f of fits) {
      const c = f.category;
      const steps: string[] = [];
      // The plan's own first steps for a child found: the sentence that says what to do on 发现, and the one that records him.
      const all = c.tasks.flatMap((t) => sentences(t.text).map((s) => ({ s, t })));
      const found = all.find((x) => /发现/.test(x.s));
      const record = all.find((x) => /信息统计|普查登记|基本数据信息|登记制度|建档|台账/.test(x.s));
      for (const x of [record, found]) {
        if (!x) continue;
        steps.push(`${x.s}（${x.t.clause}，${join(x.t.units)}）`);
        clauses.push(x.t.clause);
      }
      const freq = plan.frequencies.filter((x) => x.what === 'contact' && x.category === c.code);
      for (const x of freq) {
        steps.push(`${describeFrequency(x)}（${x.clause}）`);
        clauses.push(x.clause);
      }
      lines.push(`· ${c.name}：报牵头单位${join(c.leadUnits)}。${steps.join('')}`);
    }
    lines.push(INTAKE_OFFER);
  }
  lines.push(cite(clauses));
  return lines.join('\n');
}

/** One task of a category by its number (「留守儿童第三条」), quoted whole. */
export function taskByNumberAnswer(c: PlanCategory, no: number): string {
  const t = c.tasks.find((x) => x.no === no);
  if (!t) return noRule(`${c.name}的工作内容只有${c.tasks.length}条（${c.clause}第1～${c.tasks.length}条）。`);
  return [`${c.name}第${no}条〔${t.clause}〕：`, t.text, `承担单位：${join(t.units)}`, `（牵头单位：${join(c.leadUnits)}）`, cite([t.clause])].join('\n');
}

/** 「我们所在留守儿童工作里有任务吗」 without saying which 所: who carries its tasks, and who has none. */
export function whichOfUsAnswer(plan: PlanMatrix, c: PlanCategory): string {
  const carriers = [...new Set(c.tasks.flatMap((t) => t.units))];
  const none = plan.units.filter((u) => !carriers.includes(u) && !c.leadUnits.includes(u));
  return [
    `没有说明是哪个单位。${c.name}工作：`,
    `牵头单位：${join(c.leadUnits)}；责任单位：${join(c.responsibleUnits)}。`,
    `承担具体任务的单位：${join(carriers)}。`,
    `没有任务的单位：${join(none)}。`,
    `可问「派出所在${c.name}工作里有任务吗」这样带单位名的问题。`,
    cite([c.clause]),
  ].join('\n');
}
