/**
 * WeCom caps markdown / stream `content` at 20480 bytes of UTF-8 (long-connection docs and the
 * SDK's StreamReplyBody comment). A Chinese character is 3 bytes, so the cap is about 6800 characters.
 */
export const WECOM_CONTENT_MAX_BYTES = 20480;

const encoder = new TextEncoder();

export function utf8Bytes(s: string): number {
  return encoder.encode(s).length;
}

/**
 * Split `text` into pieces of at most `maxBytes` UTF-8 bytes, cutting only between lines so
 * that lists and tables stay readable. A single line longer than the limit is cut between
 * characters (never inside a surrogate pair). Joining the pieces with "\n" gives the text back,
 * except where such an over-long line had to be cut.
 */
export function splitContent(text: string, maxBytes = WECOM_CONTENT_MAX_BYTES): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must fit at least one character');
  if (utf8Bytes(text) <= maxBytes) return text.trim() === '' ? [] : [text];
  const chunks: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  const flush = (): void => {
    if (current.length) chunks.push(current.join('\n'));
    current = [];
    currentBytes = 0;
  };
  for (const line of text.split('\n')) {
    const lineBytes = utf8Bytes(line);
    if (lineBytes > maxBytes) {
      flush();
      chunks.push(...cutLine(line, maxBytes));
      continue;
    }
    const added = current.length ? lineBytes + 1 : lineBytes;
    if (currentBytes + added > maxBytes) flush();
    currentBytes += current.length ? lineBytes + 1 : lineBytes;
    current.push(line);
  }
  flush();
  return chunks.filter((c) => c.trim() !== '');
}

function cutLine(line: string, maxBytes: number): string[] {
  const out: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const ch of line) {
    const b = utf8Bytes(ch);
    if (bytes + b > maxBytes) {
      out.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += ch;
    bytes += b;
  }
  if (piece) out.push(piece);
  return out;
}
