import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { eachOpenSummary } from '../../src/domain/followup/case-status.js';
import { fromLocal, localDateKey } from '../../src/domain/calendar/shanghai.js';
import type { CategoryCode } from '../../src/domain/plan/types.js';
import type { CaseSummary } from '../../src/domain/model/records.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds } from '../helpers/stores.js';

afterEach(cleanupStores);

const day = (n: number) => fromLocal(2025, 1, 1 + n, 10);
const view = (c: CaseSummary) => [c.id, c.code, c.categories, c.village, c.status, c.lastContactDate, c.createdAt.toISOString(), c.fullName];

/** Everything a scan yields, whether it reads its pages synchronously or not. */
async function collect<T>(scan: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of scan) out.push(x);
  return out;
}

describe.each(storeKinds)('open case summaries read a page at a time ($name)', (kind) => {
  it('are the cases, categories and names of the one-query list, with or without the not-contacted filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            created: fc.integer({ min: 0, max: 300 }),
            cats: fc.uniqueArray(fc.constantFrom<CategoryCode>('01', '02', '05'), { minLength: 1, maxLength: 3 }),
            closed: fc.boolean(),
            contacts: fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 4 }),
          }),
          { maxLength: 14 },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 400 }),
        async (cases, pageSize, sinceDay) => {
          const store = await kind.open();
          await store.transaction(async () => {
            for (const [i, k] of cases.entries()) {
              const c = await store.cases.insert({
                ...sampleCase, code: `DJ-2025-${String(i + 1).padStart(4, '0')}`, dupKey: `k${i}`, idHash: null, fullName: `王小${i}`,
                categories: k.cats.map((code) => ({ code, leadUnits: [`单位${code}`] })), primaryCategory: k.cats[0]!, createdAt: day(k.created),
              });
              for (const d of k.contacts) await store.followup.addContact({ caseId: c.id, date: localDateKey(day(k.created + d)), method: '电话', notes: '', riskLevel: null, loggedBy: 'lisi', createdAt: day(d) });
              if (k.closed) await store.followup.close(c.id, 'C03 已稳定就业', day(k.created + 1));
            }
          });
          expect((await collect(eachOpenSummary(store, {}, pageSize))).map(view)).toEqual((await store.cases.openSummaries()).map(view));
          const filter = { notContactedSince: localDateKey(day(sinceDay)), asOfDay: localDateKey(day(sinceDay + 40)) };
          expect((await collect(eachOpenSummary(store, filter, pageSize))).map(view)).toEqual((await store.cases.openSummaries(filter)).map(view));
          await store.close();
        },
      ),
      { numRuns: kind.name === 'sqlite' ? 100 : 10 },
    );
  }, 120_000);
});
