import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines } from '../../../src/channels/shared/split-lines.js';

const chars = (s: string) => s.length;

describe('splitLines', () => {
  it('every piece fits, and joined by line breaks the pieces give the text back when no line is too long', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z护]{1,20}$/), { minLength: 1, maxLength: 40 }), fc.integer({ min: 20, max: 80 }), (lines, max) => {
        const text = lines.join('\n');
        const parts = splitLines(text, max, chars);
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
        expect(parts.join('\n')).toBe(text);
      }),
    );
  });

  it('cuts an over-long line between characters, never inside a surrogate pair', () => {
    const parts = splitLines('😀'.repeat(5), 4, chars);
    expect(parts).toEqual(['😀😀', '😀😀', '😀']);
  });
});
