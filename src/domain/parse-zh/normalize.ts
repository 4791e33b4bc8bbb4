/**
 * Shared clean-up for typed Chinese input: people mix full-width digits and punctuation
 * (１３８, ：, ，) with ASCII, so every parser starts from the same normal form.
 */
export function toHalfWidth(s: string): string {
  return s
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** Half-width, trimmed, inner runs of whitespace collapsed to one space. */
export function normalizeInput(s: string): string {
  return toHalfWidth(s).replace(/\s+/g, ' ').trim();
}

/** Strips sentence punctuation at both ends (「好的。」 → 好的). */
export function stripEdgePunctuation(s: string): string {
  return s.replace(/^[\s,.;:!?，。；：！？、~～…"'“”‘’()（）【】\[\]]+|[\s,.;:!?，。；：！？、~～…"'“”‘’()（）【】\[\]]+$/g, '');
}
