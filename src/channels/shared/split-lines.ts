/**
 * Split `text` into pieces whose `measure` is at most `max`, cutting only between lines so that
 * lists and tables stay readable. A single line longer than the limit is cut between characters
 * (never inside a surrogate pair). Joining the pieces with "\n" gives the text back, except where
 * such an over-long line had to be cut. Each platform measures differently (WeCom counts UTF-8
 * bytes, Telegram characters), hence the measure.
 */
export function splitLines(text: string, max: number, measure: (s: string) => number): string[] {
  if (measure(text) <= max) return text.trim() === '' ? [] : [text];
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (current.length) chunks.push(current.join('\n'));
    current = [];
    size = 0;
  };
  for (const line of text.split('\n')) {
    const lineSize = measure(line);
    if (lineSize > max) {
      flush();
      chunks.push(...cutLine(line, max, measure));
      continue;
    }
    const added = current.length ? lineSize + measure('\n') : lineSize;
    if (size + added > max) flush();
    size += current.length ? lineSize + measure('\n') : lineSize;
    current.push(line);
  }
  flush();
  return chunks.filter((c) => c.trim() !== '');
}

function cutLine(line: string, max: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  let piece = '';
  let size = 0;
  for (const ch of line) {
    const n = measure(ch);
    if (size + n > max && piece) {
      out.push(piece);
      piece = '';
      size = 0;
    }
    piece += ch;
    size += n;
  }
  if (piece) out.push(piece);
  return out;
}
