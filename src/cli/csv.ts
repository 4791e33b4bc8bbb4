const cell = (v: unknown): string => {
  const s = v == null ? '' : Array.isArray(v) ? v.join('、') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // A leading =,+,-,@ would run as a formula in Excel: prefix it so it stays text.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** RFC 4180 CSV with a BOM so Excel on a town office PC opens the Chinese text correctly. */
export function toCsv(rows: Record<string, unknown>[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return `\uFEFF${[cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
}

/**
 * {@link toCsv} piece by piece for rows that all have the same columns (the export's): the
 * first row's keys are the header. Yields the same text, so a county export never builds it whole.
 */
export async function* csvChunks(rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>): AsyncGenerator<string> {
  let cols: string[] | undefined;
  for await (const r of rows) {
    if (!cols) {
      cols = Object.keys(r);
      yield `\uFEFF${cols.join(',')}\r\n`;
    }
    yield `${cols.map((c) => cell(r[c])).join(',')}\r\n`;
  }
  if (!cols) yield '\uFEFF\r\n';
}

/** `JSON.stringify(rows, null, 2)` plus a newline, a row at a time. */
export async function* jsonChunks(rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>): AsyncGenerator<string> {
  let first = true;
  for await (const r of rows) {
    yield `${first ? '[\n' : ',\n'}${JSON.stringify(r, null, 2).replace(/^/gm, '  ')}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}
