import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseDue, isDueIn, previousWindow, windowAt, type Window } from '../../../src/domain/followup/contact-rule.js';
import { followupSchema } from '../../../src/config/schema.js';
import { fromLocal, localDateKey } from '../../../src/domain/calendar/shanghai.js';
import type { CaseRecord } from '../../../src/domain/model/records.js';

/** The rule as first written: walk back window by window. caseDue must agree with it. */
function reference(c: Pick<CaseRecord, 'categories' | 'createdAt' | 'closedAt'>, last: string | null, cfg: ReturnType<typeof followupSchema.parse>, at: Date) {
  const d = caseDue(c, last, cfg, at);
  const kept = (w: Window) => last !== null && last >= w.start && last <= w.end;
  if (kept(d.current)) return { state: 'done', missed: 0 };
  let missed = 0;
  for (let w = previousWindow(d.current); missed < 240 && isDueIn(c, w) && !kept(w); w = previousWindow(w)) missed++;
  if (missed > 0) return { state: 'overdue', missed };
  return { state: isDueIn(c, d.current) ? 'pending' : 'new', missed: 0 };
}

const day = fc.integer({ min: 0, max: 3000 }).map((n) => fromLocal(2020, 1, 1 + n, 10));

describe('caseDue (arithmetic) agrees with walking back through the calendar', () => {
  for (const freq of ['monthly', 'quarterly'] as const) {
    it(`for ${freq} contact`, () => {
      const cfg = followupSchema.parse({ frequency: { '05': freq } });
      fc.assert(
        fc.property(day, fc.option(day), fc.option(day), day, (created, closed, contact, at) => {
          const c = { categories: [{ code: '05' as const, leadUnits: [] }], createdAt: created, closedAt: closed };
          const last = contact && contact <= at ? localDateKey(contact) : null;
          const got = caseDue(c, last, cfg, at);
          expect({ state: got.state, missed: got.missedInARow }).toEqual(reference(c, last, cfg, at));
          expect(got.current).toEqual(windowAt(freq, at));
        }),
        { numRuns: 2000 },
      );
    });
  }
});
