import { describe, expect, it } from 'vitest';
import { evalIntake } from '../../eval/intake.js';

/**
 * The goals on the scripted intake corpus (eval/corpus/intake), played through the real
 * router: every conversation ends as the corpus expects, median ≤ 8 and worst ≤ 14 turns to a
 * saved case, and no answer the corpus marks valid refused. A change that asks one more question
 * of every case, or refuses a valid answer, fails here.
 */
describe('intake corpus', () => {
  it('plays every conversation to its expected end within the goals', async () => {
    const r = await evalIntake();
    const ok = r.results.filter((x) => x.ok).length;
    expect(r.total).toBeGreaterThanOrEqual(50);
    expect(ok).toBe(r.total);
    expect(r.turnsByCategory.all!.median).toBeLessThanOrEqual(8);
    expect(r.turnsByCategory.all!.worst).toBeLessThanOrEqual(14);
    for (const [cat, t] of Object.entries(r.turnsByCategory)) expect(t.worst, cat).toBeLessThanOrEqual(14);
    expect(r.refusals).toEqual([]);
  }, 120_000);
});
