import { looksLikeUnit, splitUnitList } from './units.js';

/**
 * Which units carry a task: the bracket at its end 「（镇派出所、镇民政所）」 or 「(各村(社区),镇人社所)」
 * or 「（责任单位：…）」; failing that, the units its own prose names as doing it — the subject of a
 * clause (「县人社局负责…，县团委协助…」) or the partner after 会同/联合 — but not the unit a report
 * is sent to (「…及时报告县民政局」).
 */

/** The bracket that closes a text, nested brackets included, or undefined. */
export function trailingBracket(text: string): { inner: string; at: number } | undefined {
  const t = text.replace(/[\s。.；;]+$/, '');
  const close = t.at(-1);
  if (close !== '）' && close !== ')') return undefined;
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    const ch = t[i]!;
    if (ch === '）' || ch === ')') depth++;
    else if (ch === '（' || ch === '(') {
      depth--;
      if (depth === 0) return { inner: t.slice(i + 1, -1), at: i };
    }
  }
  return undefined;
}

/**
 * A task's trailing unit list: `text` without it, and the names as written. Undefined when the
 * text has no closing bracket or the bracket is not a list of units (「（含行政拘留人员）」).
 */
export function bracketUnits(text: string, isKnown: (name: string) => boolean): { text: string; names: string[] } | undefined {
  const b = trailingBracket(text);
  if (!b) return undefined;
  // 「（牵头单位：A；责任单位：B、C）」: every label inside goes, the names stay.
  const inner = b.inner.replace(/(责任单位|责任部门|牵头单位|牵头部门|承担单位|配合单位|配合部门)\s*[：:]/g, '');
  const names = splitUnitList(inner);
  if (names.length === 0 || !names.every((n) => isKnown(n) || looksLikeUnit(n))) return undefined;
  return { text: text.slice(0, b.at).trim(), names };
}

/** The units a task's prose names as doing it, in order of mention. */
export function proseUnits(text: string, forms: readonly { text: string; unit: string }[]): string[] {
  const hits: { at: number; end: number; unit: string }[] = [];
  const taken = new Uint8Array(text.length);
  for (const f of forms) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(f.text, from);
      if (at < 0) break;
      from = at + 1;
      let free = true;
      for (let k = at; k < at + f.text.length; k++) if (taken[k]) free = false;
      if (!free) continue;
      for (let k = at; k < at + f.text.length; k++) taken[k] = 1;
      hits.push({ at, end: at + f.text.length, unit: f.unit });
    }
  }
  hits.sort((a, b) => a.at - b.at);
  const out: string[] = [];
  for (const h of hits) {
    // What lies between the clause start and this mention, with earlier mentions as 「U」.
    let start = h.at;
    while (start > 0 && !/[。；;，,：:]/.test(text[start - 1]!)) start--;
    let before = '';
    for (let k = start; k < h.at; ) {
      const other = hits.find((o) => o.at === k);
      if (other) {
        before += 'U';
        k = other.end;
      } else before += text[k++];
    }
    if (/^(?:U[、和及与]?)*(?:(?:要|应|应当|负责)?(?:会同|联合|协同)(?:U[、和及与]?)*)?$/.test(before)) {
      if (!out.includes(h.unit)) out.push(h.unit);
    }
  }
  return out;
}
