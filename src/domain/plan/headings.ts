import type { Paragraph } from './paragraphs.js';

/**
 * Headings as plans number them — 第一部分 / 一、 / （一） / 1． / 1、 / （1） / ① — nested in
 * whatever order the plan uses. Nesting follows the markers: a marker kind already open closes
 * everything below it (a new （二） ends （一） and its 1. 2. 3.); a new kind opens a level.
 */

export type MarkerKind = 'part' | 'cn' | 'paren-cn' | 'num' | 'paren-num' | 'circled';

export interface HeadingMark {
  kind: MarkerKind;
  /** The number as written (三, 12, ③). */
  label: string;
  no: number;
  /** Text after the marker. */
  rest: string;
}

const CN = '〇一二三四五六七八九十';
const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';

export function chineseNumeral(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  if (s === '两') return 2;
  const ten = s.indexOf('十');
  if (ten < 0) return CN.indexOf(s);
  const tens = ten === 0 ? 1 : CN.indexOf(s.slice(0, ten));
  const ones = ten === s.length - 1 ? 0 : CN.indexOf(s.slice(ten + 1));
  return tens * 10 + ones;
}

const PATTERNS: [MarkerKind, RegExp][] = [
  ['part', /^第([一二三四五六七八九十]+)部分\s*(.*)$/],
  ['cn', /^([一二三四五六七八九十]+)\s*[、.．]\s*(.*)$/],
  ['paren-cn', /^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.*)$/],
  // 1. / 1． / 1、 but not 2023.6 or 16-25
  ['num', /^(\d{1,2})\s*(?:[.．](?!\d)|、)\s*(.*)$/],
  ['paren-num', /^[（(]\s*(\d{1,2})\s*[）)]\s*(.*)$/],
  ['circled', new RegExp(`^([${CIRCLED}])\\s*(.*)$`)],
];

export function headingOf(line: string): HeadingMark | undefined {
  for (const [kind, re] of PATTERNS) {
    const m = re.exec(line);
    if (!m) continue;
    const label = m[1]!;
    const no = kind === 'circled' ? CIRCLED.indexOf(label) + 1 : chineseNumeral(label);
    if (no <= 0) continue;
    return { kind, label, no, rest: m[2]!.trim() };
  }
  return undefined;
}

export interface HeadingNode {
  mark: HeadingMark;
  /** The paragraph the heading opens (its text includes the marker). */
  paragraph: Paragraph;
  /** Paragraphs under the heading before its first child heading, and between children. */
  body: Paragraph[];
  children: HeadingNode[];
  parent?: HeadingNode;
  depth: number;
}

export interface HeadingTree {
  /** Paragraphs before the first heading (the notice, the preamble). */
  preamble: Paragraph[];
  roots: HeadingNode[];
}

export function buildTree(paragraphs: readonly Paragraph[]): HeadingTree {
  const preamble: Paragraph[] = [];
  const roots: HeadingNode[] = [];
  const stack: HeadingNode[] = [];
  for (const p of paragraphs) {
    const mark = headingOf(p.text);
    if (!mark) {
      const top = stack.at(-1);
      if (top) top.body.push(p);
      else preamble.push(p);
      continue;
    }
    const open = stack.findIndex((n) => n.mark.kind === mark.kind);
    if (open >= 0) stack.length = open;
    const parent = stack.at(-1);
    const node: HeadingNode = { mark, paragraph: p, body: [], children: [], depth: stack.length, ...(parent ? { parent } : {}) };
    if (parent) parent.children.push(node);
    else roots.push(node);
    stack.push(node);
  }
  return { preamble, roots };
}

export function* walk(nodes: readonly HeadingNode[]): Generator<HeadingNode> {
  for (const n of nodes) {
    yield n;
    yield* walk(n.children);
  }
}

/**
 * A heading's own title: the words after the marker up to the first full stop, colon or space
 * (「（一）指导思想。坚持…」 → 指导思想; 「(五)流浪乞讨未成年人 由镇民政办负责」 → 流浪乞讨未成年人), or up to
 * a comma that opens a definition (「(三)有不良行为…青少年,是指…」).
 */
export function titleOf(rest: string): { title: string; after: string } {
  const m = /[。.：:]|\s|[，,](?=是指)/.exec(rest);
  if (!m) return { title: rest, after: '' };
  const after = rest.slice(m.index + (m[0] === ' ' ? 1 : m[0].length)).trim();
  return { title: rest.slice(0, m.index).trim(), after: m[0] === '，' || m[0] === ',' ? `${rest.slice(0, m.index)}${after}` : after };
}

/** How a heading is cited: 三, 三（一）, 第四部分1., 第五部分一、 — tasks get 第N条 elsewhere. */
export function clauseLabel(node: HeadingNode): string {
  const { kind, label } = node.mark;
  switch (kind) {
    case 'part':
      return `第${label}部分`;
    case 'cn':
      return node.parent ? `${label}、` : label;
    case 'paren-cn':
      return `（${label}）`;
    case 'num':
      return `${label}.`;
    case 'paren-num':
      return `（${label}）`;
    case 'circled':
      return label;
  }
}

export function clauseOf(node: HeadingNode): string {
  return `${node.parent ? clauseOf(node.parent) : ''}${clauseLabel(node)}`;
}
