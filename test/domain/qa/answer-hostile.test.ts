import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { qaEngineFor } from '../../../src/domain/qa/answer.js';
import { hostileText, NASTY } from '../../helpers/hostile.js';

const qa = qaEngineFor(loadPlanFile(new URL('../../../plans/dunji-2023.txt', import.meta.url).pathname));

describe('Q&A under hostile input', () => {
  it('always gives a non-empty answer and never throws', () => {
    fc.assert(
      fc.property(hostileText(500), (s) => {
        const a = qa.answer(s);
        expect(a.text.trim().length).toBeGreaterThan(0);
        expect(typeof a.matched).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it.each(NASTY)('answers %j', (s) => {
    expect(qa.answer(s).text.trim()).not.toBe('');
  });

  it('does not echo injected markup or an @all back', () => {
    for (const s of NASTY) {
      const t = qa.answer(s).text;
      expect(t).not.toContain('<script>');
      expect(t).not.toContain('@所有人');
      expect(t).not.toContain('DROP TABLE');
    }
  });
});
