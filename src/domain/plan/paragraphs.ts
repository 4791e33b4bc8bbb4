import { headingOf } from './headings.js';

/**
 * A plan's text as paragraphs. Text pasted from a web page or a PDF is hard-wrapped mid-word
 * (「中小学\n校」) and carries page footers (「- 3 -」); a paragraph is rebuilt from lines until one
 * ends a sentence, so the rest of the parser sees whole sentences. Each paragraph remembers the
 * line every character came from, so a problem still names its line.
 */

export interface Paragraph {
  text: string;
  /** Line (1-based) of the first character. */
  line: number;
  /** Start offset in `text` of each joined line, with its line number. */
  parts: { at: number; line: number }[];
}

export function lineAt(p: Paragraph, offset: number): number {
  let line = p.line;
  for (const part of p.parts) if (part.at <= offset) line = part.line;
  return line;
}

/** Where the plan itself ends: attachments, distribution lists and web-page chrome follow. */
const END_OF_PLAN = /^(附件\s*[:：]|附件\d|抄送\s*[:：]|【打印本页】)/;
const PAGE_FOOTER = /^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$/;
/** A line ends its paragraph when it ends a sentence, a list label, or a unit bracket. */
const ENDS_PARAGRAPH = /[。.！!？?；;：:）)」”"]$/;
/** 「组 长：」「牵头单位:」 — a short label starts a new paragraph. */
const STARTS_LABEL = /^[^，。,.；;：:]{1,8}[：:]/;
const STARTS_ENUM = /^[一二三四五六七八九十]是/;

export function normalizeLine(raw: string): string {
  return raw.replace(/[\s\u3000\u00a0]+/g, ' ').trim();
}

export function toParagraphs(text: string): Paragraph[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: Paragraph[] = [];
  let cur: Paragraph | undefined;
  let curLines = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = normalizeLine(lines[i]!);
    const lineNo = i + 1;
    if (END_OF_PLAN.test(line)) break;
    if (line === '') {
      cur = undefined;
      continue;
    }
    if (PAGE_FOOTER.test(line)) continue;
    const joins =
      cur !== undefined &&
      !ENDS_PARAGRAPH.test(cur.text) &&
      !headingOf(line) &&
      !STARTS_LABEL.test(line) &&
      !STARTS_ENUM.test(line) &&
      // A heading line alone (「（一）加强闲散青少年的服务管理」) is not wrapped text.
      !(curLines === 1 && headingOf(cur.text) && !/[。.，,]/.test(cur.text));
    if (joins && cur) {
      cur.parts.push({ at: cur.text.length, line: lineNo });
      cur.text += line;
      curLines++;
      continue;
    }
    cur = { text: line, line: lineNo, parts: [{ at: 0, line: lineNo }] };
    curLines = 1;
    out.push(cur);
  }
  return out;
}

/**
 * Sentences of a paragraph, with their offsets. Splits after 。 and after a half-width full stop
 * that is not inside a number (2023.6); keeps the stop with its sentence.
 */
export function sentences(text: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '（' || ch === '(') depth++;
    else if ((ch === '）' || ch === ')') && depth > 0) depth--;
    const stop = ch === '。' || ch === '！' || ch === '？' || (ch === '.' && !(/\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')));
    if (stop && depth === 0) {
      const s = text.slice(start, i + 1).trim();
      if (s && !/^[。.]$/.test(s)) out.push({ text: s, at: start });
      start = i + 1;
    }
  }
  const rest = text.slice(start).trim();
  if (rest) out.push({ text: rest, at: start + (text.slice(start).length - text.slice(start).trimStart().length) });
  return out;
}
