import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitContent, utf8Bytes, WECOM_CONTENT_MAX_BYTES } from '../../../src/channels/wecom/split.js';

describe('splitContent', () => {
  it('uses WeCom’s 20480-byte content limit', () => {
    expect(WECOM_CONTENT_MAX_BYTES).toBe(20480);
  });

  it('leaves short text alone and drops empty text', () => {
    expect(splitContent('一行\n两行')).toEqual(['一行\n两行']);
    expect(splitContent('  \n ')).toEqual([]);
  });

  it('counts bytes, not characters: 7000 Chinese characters need two messages', () => {
    const line = '护'.repeat(100); // 300 bytes
    const text = Array.from({ length: 70 }, () => line).join('\n');
    const parts = splitContent(text);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(utf8Bytes(p)).toBeLessThanOrEqual(20480);
    expect(parts.join('\n')).toBe(text);
    // Cut between lines: every part is made of whole lines.
    for (const p of parts) for (const l of p.split('\n')) expect(l).toBe(line);
  });

  it('cuts an over-long single line between characters, keeping emoji whole', () => {
    const parts = splitContent('😀'.repeat(10), 9); // 4 bytes each
    expect(parts).toEqual(['😀😀', '😀😀', '😀😀', '😀😀', '😀😀']);
  });

  it('property: parts fit, are non-blank, and keep every non-space character in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '护苗', '——')), { maxLength: 40 }),
        fc.integer({ min: 8, max: 64 }),
        (lines, max) => {
          const text = lines.join('\n');
          const parts = splitContent(text, max);
          for (const p of parts) {
            expect(utf8Bytes(p)).toBeLessThanOrEqual(max);
            expect(p.trim()).not.toBe('');
          }
          const strip = (s: string) => s.replace(/\s/g, '');
          expect(strip(parts.join(''))).toBe(strip(text));
        },
      ),
    );
  });
});
