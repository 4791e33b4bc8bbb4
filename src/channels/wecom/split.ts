import { splitLines } from '../shared/split-lines.js';

/**
 * WeCom caps markdown / stream `content` at 20480 bytes of UTF-8 (long-connection docs and the
 * SDK's StreamReplyBody comment). A Chinese character is 3 bytes, so the cap is about 6800 characters.
 */
export const WECOM_CONTENT_MAX_BYTES = 20480;

const encoder = new TextEncoder();

export function utf8Bytes(s: string): number {
  return encoder.encode(s).length;
}

/** Split `text` into pieces of at most `maxBytes` UTF-8 bytes, between lines where possible. */
export function splitContent(text: string, maxBytes = WECOM_CONTENT_MAX_BYTES): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must fit at least one character');
  return splitLines(text, maxBytes, utf8Bytes);
}
