import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { hostileText, huge, NASTY } from '../../helpers/hostile.js';

const planText = readFileSync(new URL('../../../plans/dunji-2023.txt', import.meta.url), 'utf8');
const lines = planText.split('\n');
// Every category lives under this heading: losing it legitimately loses them all.
const sectionThree = lines.findIndex((l) => l.startsWith('三、'));

function wellFormed(text: string): void {
  const m = parsePlan(text);
  expect(Array.isArray(m.categories)).toBe(true);
  expect(Array.isArray(m.problems)).toBe(true);
  for (const c of m.categories) expect(Array.isArray(c.tasks)).toBe(true);
}

describe('plan parser under hostile input', () => {
  it('never throws on random text', () => {
    fc.assert(fc.property(hostileText(2000), (s) => wellFormed(s)), { numRuns: 200 });
  });

  it('never throws when the real plan has lines replaced, dropped or garbage inserted, and keeps most categories unless the section heading itself is lost', () => {
    fc.assert(
      fc.property(fc.nat(lines.length - 1).filter((i) => i !== sectionThree), hostileText(100), fc.constantFrom('replace', 'insert', 'drop'), (at, junk, op) => {
        const copy = [...lines];
        if (op === 'replace') copy[at] = junk;
        else if (op === 'insert') copy.splice(at, 0, junk);
        else copy.splice(at, 1);
        const m = parsePlan(copy.join('\n'));
        expect(m.categories.length).toBeGreaterThanOrEqual(4);
      }),
      { numRuns: 150 },
    );
  });

  it.each(NASTY)('handles %j', (s) => wellFormed(s));

  it('handles 100 KB of text', () => {
    for (const seed of ['（一）', '1.', '牵头单位：', '\n', NASTY[0]!]) wellFormed(huge(seed));
  });
});
