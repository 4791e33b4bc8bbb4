import { defaultAliases, type AliasTable } from './aliases.js';
import type {
  CategoryCode,
  PlanCategory,
  PlanFrequency,
  PlanMatrix,
  PlanProblem,
  PlanRequirement,
  PlanSection,
  PlanTask,
} from './types.js';

/**
 * Reads a town's implementation plan (实施方案) by its own structure — 一、… sections, （一）…
 * subsections, 牵头单位：/责任单位： lines and numbered tasks ending in their units — into the
 * responsibility matrix. What it cannot place goes to `problems` with its line number; it never
 * fills a gap by guessing.
 */

const NUMERALS = '〇一二三四五六七八九十';
const SECTION = /^([一二三四五六七八九十]+)[、.．]\s*(.+)$/;
const SUB = /^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$/;
const LEAD = /^牵头单位\s*[：:]\s*(.*)$/;
const RESP = /^责任单位\s*[：:]\s*(.*)$/;
const WORK = /^(工作内容|主要任务|工作任务|工作措施)\s*[：:]?$/;
const TASK = /^(\d+)\s*[.．、]\s*(.+)$/;
const TRAILING_UNITS = /[（(]([^（）()]+)[）)]\s*[。.]?$/;
const UNIT_SUFFIX = /(所|委|院|校|学|联|办|局|站|队|会|部|中心|政府|村|组|庭|科|室)$/;
const OVERALL_LEAD = /由([^，。；、]{2,12}?)牵头/;
const FREQUENCY = /(每个?月|每个?季度)(至少)?([^，。；\d一二两三四五六七八九十]{0,6})([一二两三四五六七八九十\d]+)次([^，。；]*)/g;

type SectionRole = 'targets' | 'goals' | 'categories' | 'requirements' | 'other';

export function chineseNumeral(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  const ten = s.indexOf('十');
  if (ten < 0) return NUMERALS.indexOf(s);
  const tens = ten === 0 ? 1 : NUMERALS.indexOf(s.slice(0, ten));
  const ones = ten === s.length - 1 ? 0 : NUMERALS.indexOf(s.slice(ten + 1));
  return tens * 10 + ones;
}

function roleOf(title: string, ordinal: number): SectionRole {
  if (/对象/.test(title)) return 'targets';
  if (/目标/.test(title)) return 'goals';
  if (/分工|职责|工作内容|任务/.test(title)) return 'categories';
  if (/要求|保障|措施/.test(title)) return 'requirements';
  return (['other', 'targets', 'goals', 'categories', 'requirements'] as const)[ordinal] ?? 'other';
}

function toNumeral(n: number): string {
  if (n <= 10) return n === 10 ? '十' : NUMERALS[n]!;
  const tens = Math.floor(n / 10);
  return `${tens === 1 ? '' : NUMERALS[tens]}十${n % 10 === 0 ? '' : NUMERALS[n % 10]}`;
}

function firstSentence(s: string): string {
  const i = s.indexOf('。');
  return i < 0 ? s : s.slice(0, i + 1);
}

/** Age limit stated in a definition: 未满16周岁 → 16; a definition about 未成年人 → 18. */
export function ageLimitOf(definition: string): number | undefined {
  const m = /[未不]满([\d一二三四五六七八九十]+)周?岁/.exec(definition);
  if (m) return chineseNumeral(m[1]!);
  if (/未成年/.test(definition)) return 18;
  return undefined;
}

/** The 包括… list of a definition, one item each (split on ；), without the closing 等。 */
export function includesOf(definition: string): string[] {
  const at = definition.indexOf('包括');
  if (at < 0) return [];
  let rest = definition.slice(at + 2);
  rest = rest.replace(/[。.]\s*$/, '').replace(/等$/, '');
  return rest
    .split(/[；;]/)
    .map((s) => s.trim().replace(/等$/, ''))
    .filter((s) => s.length > 0);
}

interface CategoryDraft {
  ordinal: number;
  heading: string;
  line: number;
  clause: string;
  name?: string;
  definition?: string;
  definitionLine?: number;
  leadUnits?: string[];
  responsibleUnits: string[];
  tasks: PlanTask[];
  inTasks: boolean;
  /** The last non-structural line kind, for continuation lines. */
  last: 'heading' | 'definition' | 'lead' | 'resp' | 'work' | 'task';
}

export function parsePlan(text: string, aliases: AliasTable = defaultAliases()): PlanMatrix {
  const rawLines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: PlanProblem[] = [];
  const units: string[] = [];
  const addUnit = (u: string) => {
    if (!units.includes(u)) units.push(u);
  };
  const problem = (line: number, message: string, lineText: string) => problems.push({ line, message, text: lineText });

  /** Canonical names for a written list; unknown names are kept as written and reported. */
  const resolveUnits = (list: string, line: number, lineText: string): string[] => {
    const out: string[] = [];
    for (const piece of list.split(/[、，,；;\s]+/).map((s) => s.trim()).filter(Boolean)) {
      const known = aliases.resolveUnit(piece);
      if (!known) {
        problem(line, `单位「${piece}」不在别名表中，已按原文记录；如是已有单位的别称，请加入 aliases.yaml`, lineText);
      }
      for (const u of known ?? [piece]) {
        if (!out.includes(u)) out.push(u);
        addUnit(u);
      }
    }
    return out;
  };

  /** Units in a task's trailing parentheses, when they read as a unit list. */
  const taskUnits = (body: string, line: number, lineText: string): { text: string; units: string[] } | undefined => {
    const m = TRAILING_UNITS.exec(body);
    if (!m) return undefined;
    const pieces = m[1]!.split(/[、，,；;\s]+/).filter(Boolean);
    const looksLikeUnits = pieces.every((p) => aliases.resolveUnit(p) !== undefined || (p.length <= 12 && UNIT_SUFFIX.test(p)));
    if (!looksLikeUnits) return undefined;
    return { text: body.slice(0, m.index).trim(), units: resolveUnits(m[1]!, line, lineText) };
  };

  let title = '';
  let overallLead: PlanMatrix['overallLead'] | undefined;
  const sections = new Map<SectionRole, PlanSection>();
  const categories: PlanCategory[] = [];
  const requirements: PlanRequirement[] = [];
  /** Where each line sits, for frequencies found later. */
  const lineInfo: { clause: string; category?: CategoryCode; inTask: boolean }[] = [];

  let role: SectionRole | undefined;
  let sectionNo = 0;
  let sectionClause = '';
  let cat: CategoryDraft | undefined;
  let req: PlanRequirement | undefined;
  let section: PlanSection | undefined;
  let categoriesSectionLine = 0;

  const finishCategory = () => {
    if (!cat) return;
    const c = cat;
    cat = undefined;
    const headingText = `（${toNumeral(c.ordinal)}）${c.heading}`;
    let code = c.name ? aliases.resolveCategory(c.name) : undefined;
    if (!code) code = categoryFromText(aliases, `${c.name ?? ''}${c.heading}`);
    if (!code) {
      problem(c.line, `无法识别${c.clause}属于哪一类重点青少年（别名表中没有「${c.name ?? c.heading}」）`, headingText);
      return;
    }
    if (!c.definition) problem(c.line, `${c.clause}缺少定义句（「……是指……」）`, headingText);
    if (!c.leadUnits || c.leadUnits.length === 0) problem(c.line, `${c.clause}缺少「牵头单位：」`, headingText);
    if (c.tasks.length === 0) problem(c.line, `${c.clause}没有编号的工作内容`, headingText);
    const name = c.name ?? aliases.category(code)?.name ?? c.heading;
    const definition = c.definition ?? '';
    const limit = ageLimitOf(firstSentence(definition));
    categories.push({
      code,
      ordinal: c.ordinal,
      heading: c.heading,
      name,
      definition: firstSentence(definition),
      includes: includesOf(definition),
      leadUnits: c.leadUnits ?? [],
      responsibleUnits: c.responsibleUnits,
      tasks: c.tasks,
      ...(limit !== undefined ? { maxAgeExclusive: limit } : {}),
      clause: c.clause,
      line: c.line,
    });
  };

  const finishSection = () => {
    finishCategory();
    req = undefined;
    section = undefined;
  };

  rawLines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.replace(/[\s\u3000]+/g, ' ').trim();
    lineInfo[lineNo] = { clause: sectionClause, inTask: false };
    if (line === '') return;

    if (!title) {
      const t = /《([^》]+)》/.exec(line);
      if (t) title = t[1]!;
    }

    const sec = SECTION.exec(line);
    if (sec) {
      finishSection();
      sectionNo = chineseNumeral(sec[1]!);
      sectionClause = sec[1]!;
      const secTitle = sec[2]!.trim();
      role = roleOf(secTitle, sectionNo);
      lineInfo[lineNo] = { clause: sectionClause, inTask: false };
      if (role === 'targets' || role === 'goals') {
        section = { ordinal: sectionNo, title: secTitle, text: '', clause: sectionClause, line: lineNo };
        if (sections.has(role)) problem(lineNo, `重复的「${secTitle}」部分`, line);
        else sections.set(role, section);
      }
      if (role === 'categories') categoriesSectionLine = lineNo;
      return;
    }
    if (role === undefined) return; // the notice and preamble before 一、

    const sub = SUB.exec(line);
    if (role === 'categories') {
      if (sub) {
        finishCategory();
        const ordinal = chineseNumeral(sub[1]!);
        cat = {
          ordinal,
          heading: sub[2]!.trim(),
          line: lineNo,
          clause: `${sectionClause}（${sub[1]}）`,
          responsibleUnits: [],
          tasks: [],
          inTasks: false,
          last: 'heading',
        };
        lineInfo[lineNo] = { clause: cat.clause, inTask: false };
        return;
      }
      if (!cat) {
        const lead = OVERALL_LEAD.exec(line);
        if (lead && !overallLead) {
          const [unit] = resolveUnits(lead[1]!, lineNo, line);
          if (unit) overallLead = { unit, clause: sectionClause, text: firstSentenceAround(line, lead.index) };
        }
        return;
      }
      const c: CategoryDraft = cat;
      lineInfo[lineNo] = { clause: c.clause, inTask: false };
      const lead = LEAD.exec(line);
      if (lead) {
        if (c.leadUnits) problem(lineNo, `${c.clause}有多行「牵头单位：」`, line);
        c.leadUnits = resolveUnits(lead[1]!, lineNo, line);
        if (c.leadUnits.length === 0) problem(lineNo, `${c.clause}「牵头单位：」后没有单位`, line);
        c.last = 'lead';
        return;
      }
      const resp = RESP.exec(line);
      if (resp) {
        c.responsibleUnits = resolveUnits(resp[1]!, lineNo, line);
        c.last = 'resp';
        return;
      }
      if (WORK.test(line)) {
        c.inTasks = true;
        c.last = 'work';
        return;
      }
      const task = TASK.exec(line);
      if (task) {
        const no = Number(task[1]);
        const expected = (c.tasks.at(-1)?.no ?? 0) + 1;
        if (no !== expected) problem(lineNo, `${c.clause}任务编号不连续：应为第${expected}条，这里是第${no}条`, line);
        const clause = `${c.clause}第${no}条`;
        const split = taskUnits(task[2]!, lineNo, line);
        if (!split) problem(lineNo, `${clause}末尾没有用括号注明承担单位`, line);
        c.tasks.push({ no, text: split?.text ?? task[2]!.trim(), units: split?.units ?? [], clause, line: lineNo });
        c.last = 'task';
        lineInfo[lineNo] = { clause, category: undefined, inTask: true };
        return;
      }
      if (!c.definition && /是指/.test(line)) {
        c.name = line.slice(0, line.indexOf('是指')).trim().replace(/^[“"]|[”"]$/g, '');
        c.definition = line;
        c.definitionLine = lineNo;
        c.last = 'definition';
        return;
      }
      const lastTask = c.tasks.at(-1);
      if (c.last === 'task' && lastTask && lastTask.units.length === 0) {
        // A long task wrapped onto the next line: join it and look for the units again.
        const joined = `${lastTask.text}${line}`;
        const split = taskUnits(joined, lineNo, line);
        lastTask.text = split?.text ?? joined;
        if (split) {
          lastTask.units = split.units;
          const i = problems.findIndex((p) => p.line === lastTask.line && p.message.includes('没有用括号注明'));
          if (i >= 0) problems.splice(i, 1);
        }
        lineInfo[lineNo] = { clause: lastTask.clause, inTask: true };
        return;
      }
      if (c.last === 'definition' && c.definition) {
        c.definition += line;
        return;
      }
      problem(lineNo, `无法归入${c.clause}的任何部分（不是定义、牵头单位、责任单位或编号任务）`, line);
      return;
    }

    if (role === 'requirements') {
      if (sub) {
        const body = sub[2]!.trim();
        const stop = body.search(/[。]/);
        req = {
          ordinal: chineseNumeral(sub[1]!),
          title: (stop < 0 ? body : body.slice(0, stop)).trim(),
          text: body,
          clause: `${sectionClause}（${sub[1]}）`,
          line: lineNo,
        };
        requirements.push(req);
        lineInfo[lineNo] = { clause: req.clause, inTask: false };
        return;
      }
      if (req) {
        req.text += line;
        lineInfo[lineNo] = { clause: req.clause, inTask: false };
        return;
      }
      problem(lineNo, `无法归入${sectionClause}的任何一条要求（缺少（一）…编号）`, line);
      return;
    }

    if (section) {
      section.text += line;
      return;
    }
    // Sections the matrix has no place for (e.g. 五、附则) are kept out without complaint.
  });
  finishSection();

  if (!title) {
    const named = rawLines.map((l) => l.trim()).find((l) => /实施方案$/.test(l));
    title = named ?? '';
  }
  const missing = (what: string) => problem(0, `没有找到「${what}」部分`, '');
  const targets = sections.get('targets');
  const goals = sections.get('goals');
  if (!targets) missing('工作对象');
  if (!goals) missing('工作目标');
  if (!categoriesSectionLine) missing('工作内容及责任分工');
  else if (!overallLead) problem(categoriesSectionLine, '没有找到总牵头单位（「……由××牵头」）', rawLines[categoriesSectionLine - 1]?.trim() ?? '');
  if (categoriesSectionLine && categories.length === 0) problem(categoriesSectionLine, '没有找到任何群体类别（（一）……）', '');
  if (requirements.length === 0) missing('工作要求');
  const seenCodes = new Map<CategoryCode, number>();
  for (const c of categories) {
    const prev = seenCodes.get(c.code);
    if (prev !== undefined) problem(c.line, `${c.clause}与第${prev}行是同一类别`, c.heading);
    else seenCodes.set(c.code, c.line);
  }

  for (const c of categories) {
    for (const t of c.tasks) lineInfo[t.line] = { clause: t.clause, category: c.code, inTask: true };
  }
  const frequencies = findFrequencies(rawLines, lineInfo, aliases, units);

  return {
    title,
    overallLead: overallLead ?? { unit: '', clause: '', text: '' },
    targets: targets ?? emptySection(1),
    goals: goals ?? emptySection(2),
    categories,
    requirements,
    frequencies,
    units,
    problems: problems.sort((a, b) => a.line - b.line),
  };
}

function emptySection(ordinal: number): PlanSection {
  return { ordinal, title: '', text: '', clause: '', line: 0 };
}

function firstSentenceAround(line: string, at: number): string {
  const start = line.lastIndexOf('。', at) + 1;
  const end = line.indexOf('。', at);
  return line.slice(start, end < 0 ? undefined : end + 1);
}

/** The category a heading names, by the longest category name or alias it contains. */
function categoryFromText(aliases: AliasTable, text: string): CategoryCode | undefined {
  let best: { code: CategoryCode; len: number } | undefined;
  for (const c of aliases.data.categories) {
    for (const n of [c.name, ...c.aliases]) {
      if (text.includes(n) && (!best || n.length > best.len)) best = { code: c.code, len: n.length };
    }
  }
  return best?.code;
}

function findFrequencies(
  rawLines: string[],
  lineInfo: { clause: string; category?: CategoryCode; inTask: boolean }[],
  aliases: AliasTable,
  units: string[],
): PlanFrequency[] {
  const out: PlanFrequency[] = [];
  const unitNames = [...new Set([...units, ...aliases.data.units.flatMap((u) => [u.name, ...u.aliases])])].sort(
    (a, b) => b.length - a.length,
  );
  rawLines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const info = lineInfo[lineNo];
    if (!info) return;
    for (const m of raw.matchAll(FREQUENCY)) {
      const detail = `${m[3] ?? ''}${m[5] ?? ''}`;
      const what = /风险|隐患|排查/.test(detail)
        ? 'risk-screening'
        : /进展|进度/.test(detail)
          ? 'progress'
          : /接触|联系|走访|见面|看望|探访|帮扶/.test(detail)
            ? 'contact'
            : undefined;
      if (!what) continue;
      const sentenceStart = raw.lastIndexOf('。', m.index) + 1;
      const sentenceEnd = raw.indexOf('。', m.index);
      const sentence = raw
        .slice(sentenceStart, sentenceEnd < 0 ? undefined : sentenceEnd + 1)
        .trim()
        .replace(/^\d+\s*[.．、]\s*/, '');
      let by: string | undefined;
      if (!info.inTask) {
        const prefix = raw.slice(sentenceStart, m.index);
        const named = unitNames.find((n) => prefix.includes(n));
        if (named) by = aliases.resolveUnit(named)?.[0] ?? named;
      }
      out.push({
        what,
        period: m[1]!.includes('季') ? 'quarter' : 'month',
        times: chineseNumeral(m[4] === '两' ? '二' : m[4]!),
        ...(by ? { by } : {}),
        ...(info.category ? { category: info.category } : {}),
        text: sentence,
        clause: info.clause,
        line: lineNo,
      });
    }
  });
  return out;
}
