import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCaseStatuses, overdueCandidatesSince } from '../../../src/domain/followup/case-status.js';
import { followupSchema } from '../../../src/config/schema.js';
import { fromLocal, localDateKey } from '../../../src/domain/calendar/shanghai.js';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import { sampleCase } from '../../helpers/case-fixture.js';

const day = (n: number) => fromLocal(2025, 1, 1 + n, 10);

describe('the database pre-filter of the overdue and due-soon scans', () => {
  it('finds exactly the cases the full scan finds, also when looking back in time', async () => {
    const cfg = followupSchema.parse({ frequency: { '05': 'quarterly' } });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            created: fc.integer({ min: 0, max: 500 }),
            cat: fc.constantFrom('02' as const, '05' as const),
            contacts: fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 6 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 100, max: 700 }),
        async (cases, atDay) => {
          const store = await openSqliteStore(':memory:');
          for (const [i, k] of cases.entries()) {
            const c = await store.cases.insert({ ...sampleCase, code: `DJ-2025-${String(i + 1).padStart(4, '0')}`, dupKey: `k${i}`, categories: [{ code: k.cat, leadUnits: ['镇民政所'] }], primaryCategory: k.cat, createdAt: day(k.created) });
            for (const d of k.contacts) {
              await store.followup.addContact({ caseId: c.id, date: localDateKey(day(Math.max(d, k.created))), method: '电话', notes: '', riskLevel: null, loggedBy: 'lisi', createdAt: day(d) });
            }
          }
          // Contacts after `at` exist: the kept latest day is then too late and must not mislead.
          const at = day(atDay);
          const full = (await openCaseStatuses(store, cfg, at)).filter((s) => s.due.state === 'overdue');
          const fast = (await openCaseStatuses(store, cfg, at, undefined, overdueCandidatesSince(at))).filter((s) => s.due.state === 'overdue');
          expect(fast.map((s) => [s.c.code, s.due.missedInARow, s.due.lastContact])).toEqual(full.map((s) => [s.c.code, s.due.missedInARow, s.due.lastContact]));
          const month = `${localDateKey(at).slice(0, 7)}-01`;
          const open = (s: { due: { state: string } }) => s.due.state === 'pending' || s.due.state === 'overdue';
          const notSince = (s: { due: { lastContact: string | null } }) => s.due.lastContact === null || s.due.lastContact < month;
          expect((await openCaseStatuses(store, cfg, at, undefined, month)).filter(open).map((s) => s.c.code)).toEqual(
            (await openCaseStatuses(store, cfg, at)).filter((s) => open(s) && notSince(s)).map((s) => s.c.code),
          );
          await store.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});
