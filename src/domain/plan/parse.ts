import { defaultAliases, type AliasTable } from './aliases.js';
import { ageLimitOf, bareHeadingName, cleanDefinition, definedName, includesOf, isDefinition, nameFromHeading, statedAges } from './definitions.js';
import { frequenciesIn, reportTarget } from './frequencies.js';
import { buildTree, chineseNumeral, clauseOf, headingOf, titleOf, walk, type HeadingNode } from './headings.js';
import { findLabels, leadSentence, memberLists, overallLeadIn, WORK_LABEL_ONLY } from './labels.js';
import { lineAt, sentences, toParagraphs, type Paragraph } from './paragraphs.js';
import { bracketUnits, proseUnits, trailingBracket } from './task-units.js';
import type { CategoryCode, Period, PlanCategory, PlanFrequency, PlanMatrix, PlanProblem, PlanRequirement, PlanSection, PlanTask } from './types.js';
import { PlanUnits, looksLikeUnit, splitUnitList } from './units.js';

export { chineseNumeral } from './headings.js';
export { ageLimitOf, includesOf } from './definitions.js';

/**
 * Reads a town's implementation plan (实施方案) into the responsibility matrix, whatever its
 * layout: headings (headings.ts) give the structure; the section whose sub-headings name the
 * key groups holds the categories; inside each, definitions (definitions.ts), who leads
 * (labels.ts), tasks and their units (task-units.ts); frequencies (frequencies.ts) anywhere.
 * Unit names are the plan's own (units.ts). What it cannot place goes to `problems` with its
 * line; it never fills a gap by guessing.
 */

/** A piece of plan text with the line it starts on. */
interface Piece {
  text: string;
  line: number;
}

function piece(p: Paragraph, from = 0, to = p.text.length): Piece {
  const raw = p.text.slice(from, to);
  const lead = raw.length - raw.trimStart().length;
  return { text: raw.trim(), line: lineAt(p, from + lead) };
}

/** A heading paragraph's text after its marker, as a piece. */
function restPiece(node: HeadingNode): Piece {
  const p = node.paragraph;
  const at = p.text.indexOf(node.mark.rest);
  return piece(p, at < 0 ? 0 : at);
}

/** Inline numbered tasks 「….1.派出所对…;2.司法所…」: the offsets of 1., 2., … when they run in sequence. */
function inlineNumbers(text: string): { no: number; at: number; bodyAt: number }[] {
  const out: { no: number; at: number; bodyAt: number }[] = [];
  for (const m of text.matchAll(/(?:^|(?<=[。.；;\s]))(\d{1,2})[.．、](?!\d)/g)) {
    const no = Number(m[1]);
    if (no !== out.length + 1) continue;
    out.push({ no, at: m.index, bodyAt: m.index + m[0].length });
  }
  return out.length >= 2 || (out.length === 1 && out[0]!.at > 0) ? out : [];
}

/** Splits 「a(…);b(…);c」 at top-level semicolons. */
function splitTopLevel(text: string, sep: RegExp): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '（' || ch === '(') depth++;
    else if ((ch === '）' || ch === ')') && depth > 0) depth--;
    else if (depth === 0 && sep.test(ch)) {
      out.push({ text: text.slice(start, i), at: start });
      start = i + 1;
    }
  }
  out.push({ text: text.slice(start), at: start });
  return out.filter((s) => s.text.trim().length > 0);
}

const PERIOD_ORDER: Period[] = ['week', 'half-month', 'month', 'quarter', 'half-year', 'semester', 'year'];

export function parsePlan(text: string, aliases: AliasTable = defaultAliases()): PlanMatrix {
  const paragraphs = toParagraphs(text);
  const tree = buildTree(paragraphs);
  const problems: PlanProblem[] = [];
  const problem = (line: number, message: string, lineText: string, notice = false) =>
    problems.push({ line, message, text: lineText, ...(notice ? { severity: 'notice' as const } : {}) });
  const units = new PlanUnits(aliases);
  const allNodes = [...walk(tree.roots)];

  // Pass 1: every name the plan writes in a list, so short forms resolve to its own units.
  const declared: string[] = [];
  const declareList = (list: string) => {
    for (const n of splitUnitList(list)) if (looksLikeUnit(n)) declared.push(n);
  };
  for (const p of paragraphs) {
    for (const l of memberLists(p.text)) {
      declareList(l);
      for (const n of splitUnitList(l)) units.vouch(n);
    }
    for (const l of findLabels(p.text)) if (l.kind !== 'work') declareList(l.value);
    for (const s of [...sentences(p.text), ...splitTopLevel(p.text, /[；;]/)]) {
      const lead = leadSentence(s.text.replace(/^\d+[.．、]/, ''));
      if (lead) {
        declareList(lead.leads);
        if (lead.helpers) declareList(lead.helpers);
      }
      const b = trailingBracket(s.text);
      if (b) {
        const inner = b.inner.replace(/(责任单位|责任部门|牵头单位|牵头部门|承担单位|配合单位|配合部门)\s*[：:]/g, '');
        const names = splitUnitList(inner);
        if (names.length > 0 && names.every(looksLikeUnit)) declareList(inner);
      }
    }
  }
  for (const d of declared) units.declare(d);
  const noticed = new Set<string>();
  const resolveList = (list: string, line: number, lineText: string): string[] => {
    const out: string[] = [];
    for (const name of splitUnitList(list)) {
      const r = units.resolve(name);
      if (!r.known && !noticed.has(name)) {
        noticed.add(name);
        problem(line, `单位「${name}」不在别名表中，已按原文记录；如是已有单位的别称，请加入 aliases.yaml`, lineText, true);
      }
      for (const u of r.units) if (!out.includes(u)) out.push(u);
    }
    return out;
  };
  for (const d of declared) units.resolve(d);

  const title = findTitle(text, paragraphs);

  // The categories: children of the heading whose children most often name a key group.
  const codeOfTitle = (node: HeadingNode): CategoryCode | undefined => {
    const { title: t } = titleOf(node.mark.rest);
    return categoryFromText(aliases, nameFromHeading(t) ?? bareHeadingName(t));
  };
  let parent: HeadingNode | undefined;
  let parentChildren: HeadingNode[] = [];
  let best = 0;
  for (const candidate of [undefined, ...allNodes]) {
    const kids = candidate ? candidate.children : tree.roots;
    const n = kids.filter((k) => codeOfTitle(k) !== undefined).length;
    if (n > best) {
      best = n;
      parent = candidate;
      parentChildren = kids;
    }
  }
  const parentClause = parent ? clauseOf(parent) : '';
  const categoryNodes = parentChildren.filter((k) => codeOfTitle(k) !== undefined || hasCategoryShape(k));
  const inCategory = new Set<HeadingNode>();
  for (const c of categoryNodes) for (const n of walk([c])) inCategory.add(n);

  const categories: PlanCategory[] = [];
  const taskLines = new Map<number, { clause: string; key: string }>();
  const seenCodes = new Map<CategoryCode, number>();
  /** Sentences with the clause and category they belong to, for frequencies. */
  const located: { piece: Piece; clause: string; key?: string; inTask: boolean; taskUnits?: string[] }[] = [];

  for (const node of categoryNodes) {
    const clause = clauseOf(node);
    const { title: heading, after } = titleOf(node.mark.rest);
    const headingLine = node.paragraph.line;
    const headingText = node.paragraph.text;
    let definition = '';
    const defSentences: string[] = [];
    let definitionOpen = false;
    let leadUnits: string[] | undefined;
    const responsible: string[] = [];
    let sawLeadLabel = false;
    interface Draft {
      no: number;
      text: string;
      line: number;
      numbered: boolean;
      names?: string[];
    }
    const drafts: Draft[] = [];
    const unplaced: Piece[] = [];
    const addResponsible = (us: string[]) => {
      for (const u of us) if (!responsible.includes(u)) responsible.push(u);
    };
    const setLeads = (us: string[], line: number, lineText: string, viaLabel: boolean) => {
      if (viaLabel && sawLeadLabel) problem(line, `${clause}有多行「牵头单位：」`, lineText);
      if (viaLabel) sawLeadLabel = true;
      leadUnits = [...(leadUnits && !viaLabel ? leadUnits : []), ...us.filter((u) => !(leadUnits ?? []).includes(u) || viaLabel)];
      if (us.length === 0) problem(line, `${clause}「牵头单位：」后没有单位`, lineText);
    };
    const addTask = (p: Piece, numbered: boolean, no?: number) => {
      const t = p.text.replace(/[；;]$/, '').trim();
      if (!t) return;
      drafts.push({ no: no ?? drafts.length + 1, text: t, line: p.line, numbered });
    };
    /** A sentence that is neither definition nor label nor lead: a task when units carry it. */
    const taskLike = (s: string) =>
      bracketUnits(s, (n) => units.lookup(n) !== undefined) !== undefined || proseUnits(s, units.mentionForms()).length > 0;

    /** Definition sentences, lead sentences, labels, inline tasks of one stretch of text. */
    const readText = (p: Paragraph, from: number, allowTasks: boolean) => {
      // A definition runs on only within its own paragraph; a later paragraph must say what it is.
      definitionOpen = false;
      const text = p.text.slice(from);
      const labels = findLabels(text);
      const prefixEnd = labels[0]?.at ?? text.length;
      readSentences(p, from, from + prefixEnd, allowTasks);
      for (const l of labels) {
        const line = lineAt(p, from + l.at);
        if (l.kind === 'lead') setLeads(resolveList(l.value, line, p.text), line, p.text, true);
        else if (l.kind === 'responsible') addResponsible(resolveList(l.value, line, p.text));
        else if (l.value) {
          const numbers = inlineNumbers(l.value);
          if (numbers.length > 0) readInlineTasks(p, from + l.valueAt, l.value, numbers);
          else for (const s of splitTopLevel(l.value, /[；;]/)) addTask(piece(p, from + l.valueAt + s.at, from + l.valueAt + s.at + s.text.length), false);
        }
      }
    };
    const readInlineTasks = (p: Paragraph, base: number, text: string, numbers: { no: number; at: number; bodyAt: number }[]) => {
      numbers.forEach((n, i) => {
        const end = numbers[i + 1]?.at ?? text.length;
        addTask(piece(p, base + n.bodyAt, base + end), true, n.no);
      });
    };
    const readSentences = (p: Paragraph, from: number, to: number, allowTasks: boolean) => {
      const text = p.text.slice(from, to);
      const numbers = inlineNumbers(text);
      const end = numbers[0]?.at ?? text.length;
      for (const s of sentences(text.slice(0, end))) {
        const pc = piece(p, from + s.at, from + s.at + s.text.length);
        const lead = leadSentence(s.text);
        if (lead) {
          setLeads(resolveList(lead.leads, pc.line, p.text), pc.line, p.text, false);
          if (lead.helpers) addResponsible(resolveList(lead.helpers, pc.line, p.text));
          definitionOpen = false;
        } else if (isDefinition(s.text) && drafts.length === 0) {
          defSentences.push(cleanDefinition(s.text));
          definitionOpen = true;
        } else if (allowTasks && drafts.length === 0 && taskLike(s.text)) {
          definitionOpen = false;
          addTask(pc, false);
        } else if (allowTasks && drafts.length > 0 && !drafts.at(-1)!.numbered && taskLike(s.text)) {
          addTask(pc, false);
        } else if (definitionOpen && drafts.length === 0) {
          defSentences.push(s.text);
        } else if (!WORK_LABEL_ONLY.test(s.text)) {
          unplaced.push(pc);
        }
      }
      if (numbers.length > 0) readInlineTasks(p, from, text, numbers);
    };

    if (after) {
      const restStart = Math.max(0, node.paragraph.text.indexOf(node.mark.rest));
      const opensDefinition = /^[，,]\s*是指/.test(node.mark.rest.slice(heading.length));
      readText(node.paragraph, opensDefinition ? restStart : restStart + heading.length + 1, true);
    }
    for (const p of node.body) {
      if (WORK_LABEL_ONLY.test(p.text)) {
        definitionOpen = false;
        continue;
      }
      readText(p, 0, true);
    }
    for (const child of node.children) {
      const body = [child.mark.rest, ...[...walk(child.children)].map((n) => n.paragraph.text)].join('');
      addTask({ text: body, line: child.paragraph.line }, true, child.mark.no);
      for (const p of child.body) {
        const labels = findLabels(p.text);
        const lead = leadSentence(p.text);
        if (labels.length > 0 && labels[0]!.at === 0) readText(p, 0, false);
        else if (lead) readSentences(p, 0, p.text.length, false);
        else unplaced.push({ text: p.text, line: p.line });
      }
    }

    definition = defSentences.join('');
    const name =
      nameFromHeading(heading) ?? (defSentences[0] ? definedName(defSentences[0]) : undefined) ?? (bareHeadingName(heading) || heading);
    let code = categoryFromText(aliases, name) ?? (heading ? undefined : categoryFromText(aliases, definition));
    if (code && seenCodes.has(code)) {
      problem(headingLine, `${clause}与第${seenCodes.get(code)}行是同一类别`, heading);
      code = undefined;
    }
    if (code) seenCodes.set(code, headingLine);
    const key = code ?? `x${categories.length + 1}`;

    const tasks: PlanTask[] = [];
    drafts.forEach((d, i) => {
      const expected = (tasks.at(-1)?.no ?? 0) + 1;
      if (d.numbered && d.no !== expected) problem(d.line, `${clause}任务编号不连续：应为第${expected}条，这里是第${d.no}条`, d.text);
      const no = d.numbered ? d.no : i + 1;
      const taskClause = `${clause}第${no}条`;
      const split = bracketUnits(d.text, (n) => units.lookup(n) !== undefined);
      let taskUnits = split ? resolveList(split.names.join('、'), d.line, d.text) : [];
      const taskText = split?.text ?? d.text;
      if (taskUnits.length === 0) taskUnits = proseUnits(taskText, units.mentionForms());
      if (taskUnits.length === 0) problem(d.line, `${taskClause}末尾没有用括号注明承担单位，正文中也没有写明由哪个单位承担`, d.text);
      tasks.push({ no, text: taskText, units: taskUnits, clause: taskClause, line: d.line });
      taskLines.set(d.line, { clause: taskClause, key });
      located.push({ piece: { text: taskText, line: d.line }, clause: taskClause, key, inTask: true, taskUnits });
    });
    for (const u of unplaced) {
      problem(u.line, `无法归入${clause}的任何部分（不是定义、牵头单位、责任单位或编号任务）`, u.text);
      located.push({ piece: u, clause, key, inTask: false });
    }
    if (defSentences.length > 0) located.push({ piece: { text: definition, line: headingLine }, clause, key, inTask: false });

    if (!definition) problem(headingLine, `${clause}缺少定义句（「……是指……」）`, headingText, true);
    if (!leadUnits || leadUnits.length === 0) {
      if (!problems.some((p) => p.line === headingLine && p.message.includes('牵头'))) problem(headingLine, `${clause}缺少「牵头单位：」（或「由……牵头」）`, headingText);
    }
    if (tasks.length === 0) problem(headingLine, `${clause}没有编号的工作内容`, headingText);
    const firstDef = defSentences[0] ?? '';
    const ages = statedAges(definition);
    // 「包括…（含…的未成年人）」 lists examples; only the 是指 sentences bound the age.
    const bounding = defSentences.filter((d) => /是指/.test(d)).join('') || firstDef;
    const limit = ages ? ageLimitOf(definition) : ageLimitOf(bounding);
    categories.push({
      ...(code ? { code } : {}),
      key,
      ordinal: node.mark.no,
      heading,
      name,
      definition: defSentences.length === 1 ? firstDef : definition,
      includes: includesOf(defSentences.find((s) => s.includes('包括')) ?? ''),
      leadUnits: leadUnits ?? [],
      responsibleUnits: responsible,
      tasks,
      ...(limit !== undefined ? { maxAgeExclusive: limit } : {}),
      ...(ages ? { ages } : {}),
      clause,
      line: headingLine,
    });
  }
  // Dunji writes 「有不良…青少年是指…。包括…」: the definition is the 是指 sentence, the 包括 list apart.
  for (const c of categories) {
    const sent = sentences(c.definition);
    if (sent.length > 1 && c.includes.length > 0) {
      c.definition = sent.filter((s) => !s.text.startsWith('包括')).map((s) => s.text).join('');
      if (/是指/.test(sent[0]!.text)) c.definition = sent.filter((s) => /是指/.test(s.text) || !s.text.startsWith('包括')).map((s) => s.text).join('');
    }
  }

  // The overall lead, outside the categories: 牵头总负责, then where the office sits, then 由X牵头.
  let overallLead: PlanMatrix['overallLead'] | undefined;
  const outside = (n: HeadingNode) => !inCategory.has(n);
  const outsidePieces: { p: Paragraph; clause: string }[] = [];
  for (const n of allNodes.filter(outside)) {
    outsidePieces.push({ p: n.paragraph, clause: clauseOf(n) });
    for (const b of n.body) outsidePieces.push({ p: b, clause: clauseOf(n) });
  }
  const hits = outsidePieces.flatMap(({ p, clause }) => overallLeadIn(p.text).map((h) => ({ ...h, p, clause })));
  let office: string | undefined;
  for (const kind of ['overall', 'office', 'lead'] as const) {
    const h = hits.find((x) => x.kind === kind);
    if (!h) continue;
    const [unit] = resolveList(h.unit, lineAt(h.p, h.at), h.p.text);
    if (!unit) continue;
    if (kind === 'office') office = unit;
    if (!overallLead) {
      overallLead = { unit, clause: h.clause, text: sentenceAround(h.p.text, h.at), line: lineAt(h.p, h.at) };
    }
  }
  if (overallLead && office) overallLead.office = office;

  // Targets, goals and requirements: the sections outside the categories that say so.
  const others = allNodes.filter((n) => outside(n) && n !== parent);
  const sectionOf = (n: HeadingNode): PlanSection => {
    const { title: t, after } = titleOf(n.mark.rest);
    const parts = [after, ...n.body.map((b) => b.text), ...[...walk(n.children)].map((c) => c.paragraph.text)].filter(Boolean);
    return { ordinal: n.mark.no, title: t, text: parts.join(''), clause: clauseOf(n), line: n.paragraph.line };
  };
  const targetsNode = others.find((n) => /对象/.test(titleOf(n.mark.rest).title));
  let targets = targetsNode ? sectionOf(targetsNode) : undefined;
  if (!targets && parent && parent.body.length > 0) {
    targets = { ordinal: parent.mark.no, title: titleOf(parent.mark.rest).title, text: parent.body.map((b) => b.text).join(''), clause: parentClause, line: parent.paragraph.line };
  }
  const goalsNode = others.find((n) => /目标/.test(titleOf(n.mark.rest).title));
  const goals = goalsNode ? sectionOf(goalsNode) : undefined;
  const requirements: PlanRequirement[] = [];
  const reqRoots = others.filter(
    (n) => /要求|机制|保障|督导|考核/.test(titleOf(n.mark.rest).title) && !/总体要求/.test(n.mark.rest) && !(n.parent && reqRoots0(n.parent)),
  );
  function reqRoots0(n: HeadingNode): boolean {
    return /要求|机制|保障|督导|考核/.test(titleOf(n.mark.rest).title) && !/总体要求/.test(n.mark.rest);
  }
  for (const r of reqRoots) {
    const items = r.children.length > 0 ? r.children : [];
    if (items.length === 0 && r.body.length > 0) items.push(r);
    for (const it of items) {
      const { title: t } = titleOf(it.mark.rest);
      const clause = clauseOf(it);
      const body = it === r ? r.body : it.body;
      const plain = body.filter((b) => !/^[一二三四五六七八九十]是/.test(b.text));
      requirements.push({ ordinal: it.mark.no, title: t, text: [it === r ? '' : it.mark.rest, ...plain.map((b) => b.text)].join(''), clause, line: it.paragraph.line });
      for (const b of body.filter((x) => /^[一二三四五六七八九十]是/.test(x.text))) {
        const label = b.text.slice(0, 2);
        const s = titleOf(b.text.slice(2));
        requirements.push({ ordinal: chineseNumeral(label[0]!), title: s.title, text: b.text, clause: `${clause}${label}`, line: b.line });
      }
    }
  }
  for (const n of others) {
    const clause = clauseOf(n);
    located.push({ piece: { text: n.mark.rest, line: n.paragraph.line }, clause, inTask: false });
    for (const b of n.body) {
      const enumLabel = /^[一二三四五六七八九十]是/.exec(b.text)?.[0];
      located.push({ piece: { text: b.text, line: b.line }, clause: enumLabel && requirements.some((r) => r.clause === `${clause}${enumLabel}`) ? `${clause}${enumLabel}` : clause, inTask: false });
    }
  }
  if (parent) for (const b of parent.body) located.push({ piece: { text: b.text, line: b.line }, clause: parentClause, inTask: false });

  // Frequencies, in plan order.
  located.sort((a, b) => a.piece.line - b.piece.line);
  const frequencies: PlanFrequency[] = [];
  const forms = units.mentionForms();
  for (const loc of located) {
    for (const s of sentences(loc.piece.text).flatMap((x) => splitTopLevel(x.text, /[；;]/))) {
      for (const f of frequenciesIn(s.text)) {
        const mentioned = proseUnits(s.text, forms);
        const before = forms.filter((x) => s.text.slice(0, f.at).includes(x.text)).map((x) => x.unit);
        // 「领导小组每半年召开一次联席会议，由街道团工委召集」: the unit after 由 does it.
        const convener = forms
          .filter((x) => ['召集', '负责', '组织', '牵头', '主持'].some((v) => s.text.includes(`由${x.text}${v}`)))
          .map((x) => x.unit);
        const named = mentioned.length > 0 ? mentioned : before.length > 0 ? before : convener;
        const byUnits = loc.inTask ? (mentioned.length > 0 ? mentioned : (loc.taskUnits ?? [])) : named;
        const target = f.what === 'report' ? reportTarget(s.text.slice(f.at)) : undefined;
        const to = target ? units.lookup(target)?.[0] : undefined;
        const by = !loc.inTask ? named[0] : undefined;
        frequencies.push({
          what: f.what,
          period: f.period,
          times: f.times,
          ...(f.day !== undefined ? { day: f.day } : {}),
          ...(by ? { by } : {}),
          ...(byUnits.length > 0 ? { byUnits: [...new Set(byUnits)] } : {}),
          ...(to ? { to } : {}),
          ...(loc.key ? { category: loc.key } : {}),
          text: s.text.replace(/^\d+\s*[.．、]\s*/, ''),
          clause: loc.clause,
          line: loc.piece.line,
        });
      }
    }
  }
  for (const c of categories) {
    const contacts = frequencies.filter((f) => f.category === c.key && f.what === 'contact');
    contacts.sort((a, b) => PERIOD_ORDER.indexOf(a.period) - PERIOD_ORDER.indexOf(b.period) || b.times - a.times);
    const f = contacts[0];
    if (f) c.contact = { period: f.period, times: f.times, text: f.text, clause: f.clause };
  }

  const missing = (what: string) => problem(0, `没有找到「${what}」部分`, '', true);
  if (!targets) missing('工作对象');
  if (!goals) missing('工作目标');
  if (categoryNodes.length === 0) problem(0, '没有找到任何群体类别（如「（一）加强闲散青少年的服务管理」或「1．留守儿童关爱保护工作」）', '');
  if (!overallLead) problem(parent?.paragraph.line ?? 0, '没有找到总牵头单位（「……由××牵头」或「领导小组办公室设在××」）', parent?.paragraph.text ?? '');
  if (requirements.length === 0) missing('工作要求');

  return {
    title,
    overallLead: overallLead ?? { unit: '', clause: '', text: '' },
    targets: targets ?? emptySection(1),
    goals: goals ?? emptySection(2),
    categories,
    requirements,
    frequencies,
    units: units.names,
    unitForms: unitFormsOf(units),
    problems: problems.sort((a, b) => a.line - b.line),
  };
}

function unitFormsOf(units: PlanUnits): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of units.mentionForms()) if (f.text !== f.unit) (out[f.unit] ??= []).push(f.text);
  return out;
}

/** A heading with a definition or who-leads in its first paragraphs reads as a category even if its name is new. */
function hasCategoryShape(node: HeadingNode): boolean {
  const texts = [node.mark.rest, ...node.body.slice(0, 3).map((b) => b.text)];
  return texts.some((t) => /是指/.test(t)) && (texts.some((t) => findLabels(t).some((l) => l.kind === 'lead') || leadSentence(t) !== undefined) || node.children.length > 0 || [...node.body, ...node.children.flatMap((c) => c.body)].some((b) => findLabels(b.text).some((l) => l.kind === 'lead')));
}

function emptySection(ordinal: number): PlanSection {
  return { ordinal, title: '', text: '', clause: '', line: 0 };
}

function sentenceAround(line: string, at: number): string {
  const stops = /[。.]/g;
  let start = 0;
  let end = line.length;
  for (const m of line.matchAll(stops)) {
    if (/\d/.test(line[m.index - 1] ?? '') && /\d/.test(line[m.index + 1] ?? '')) continue;
    if (m.index < at) start = m.index + 1;
    else {
      end = m.index + 1;
      break;
    }
  }
  return line.slice(start, end).trim();
}

/** The category a name stands for, by the longest category name or alias it contains. */
export function categoryFromText(aliases: AliasTable, text: string): CategoryCode | undefined {
  let best: { code: CategoryCode; len: number } | undefined;
  for (const c of aliases.data.categories) {
    for (const n of [c.name, ...c.aliases]) {
      if (n.length >= 2 && text.includes(n) && (!best || n.length > best.len)) best = { code: c.code, len: n.length };
    }
  }
  return best?.code;
}

/**
 * The plan's own title: a line of its own that the notice also names in 《》, else the document
 * a 印发/制定 line names, else the first 《…方案》 that is not a cited higher document
 * (贯彻落实《江州市…》), else a line ending in 实施方案.
 */
function findTitle(text: string, paragraphs: readonly Paragraph[]): string {
  const quoted: { title: string; cited: boolean; issued: boolean }[] = [];
  for (const m of text.matchAll(/《([^》]+)》/g)) {
    const before = text.slice(Math.max(0, m.index - 8), m.index);
    quoted.push({ title: m[1]!, cited: /贯彻落实|根据|按照|依据|深入贯彻/.test(before), issued: /印发|转发|制定了?|现将/.test(before) });
  }
  const standalone = text
    .split(/\r?\n/)
    .map((l) => l.replace(/[\s\u3000]+/g, ''))
    .filter((l) => l.length >= 6 && /方案$/.test(l) && !l.includes('《') && !headingOf(l));
  const own = standalone.find((l) => quoted.some((q) => q.title === l && !q.cited));
  if (own) return own;
  const issued = quoted.find((q) => q.issued && !q.cited && /方案/.test(q.title));
  if (issued) return issued.title;
  const first = quoted.find((q) => !q.cited && /方案$/.test(q.title));
  if (first) return first.title;
  void paragraphs;
  return standalone.sort((a, b) => b.length - a.length)[0] ?? '';
}
