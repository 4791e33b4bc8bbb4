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
const view = (c: CaseSummary) => [c.id, c.code, c.categories, c.village, c.status, c.lastContactDate, c.mentorUserId, c.fullName];
const UNITS: Record<CategoryCode, string[]> = { '01': ['镇民政所'], '02': ['镇教育办', '镇民政所'], '03': ['镇司法所'], '04': ['镇派出所'], '05': ['镇教育办'] };

/** Everything a scan yields, whether it reads its pages synchronously or not. */
async function collect<T>(scan: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of scan) out.push(x);
  return out;
}

describe.each(storeKinds)('open summaries filtered by mentor and lead unit in the database ($name)', (kind) => {
  it('are exactly the unfiltered scan kept to that mentor or unit, page by page, with or without the not-contacted filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            mentor: fc.constantFrom('lisi', 'wangwu', null),
            cats: fc.uniqueArray(fc.constantFrom<CategoryCode>('01', '02', '03', '05'), { minLength: 1, maxLength: 3 }),
            closed: fc.boolean(),
            contact: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
          }),
          { maxLength: 14 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('lisi', 'wangwu', 'nobody'),
        fc.constantFrom('镇民政所', '镇教育办', '镇司法所', '镇团委'),
        fc.boolean(),
        async (cases, pageSize, mentor, unit, notContacted) => {
          const store = await kind.open();
          await store.transaction(async () => {
            for (const [i, k] of cases.entries()) {
              const c = await store.cases.insert({
                ...sampleCase, code: `DJ-2025-${String(i + 1).padStart(5, '0')}`, dupKey: `k${i}`, idHash: null, fullName: `王小${i}`,
                mentorUserId: k.mentor, mentorName: k.mentor,
                categories: k.cats.map((code) => ({ code, leadUnits: UNITS[code] })), primaryCategory: k.cats[0]!, createdAt: day(0),
              });
              if (k.contact !== null) await store.followup.addContact({ caseId: c.id, date: localDateKey(day(k.contact)), method: '电话', notes: '', riskLevel: null, loggedBy: 'lisi', createdAt: day(k.contact) });
              if (k.closed) await store.followup.close(c.id, 'C03 已稳定就业', day(1));
            }
          });
          const base = notContacted ? { notContactedSince: localDateKey(day(50)), asOfDay: localDateKey(day(90)) } : {};
          const all = await store.cases.openSummaries(base);
          expect((await collect(eachOpenSummary(store, { ...base, mentorUserId: mentor }, pageSize))).map(view)).toEqual(all.filter((c) => c.mentorUserId === mentor).map(view));
          expect((await collect(eachOpenSummary(store, { ...base, leadUnit: unit }, pageSize))).map(view)).toEqual(
            all.filter((c) => c.categories.some((k) => k.leadUnits.includes(unit))).map(view),
          );
          expect(await store.cases.anyLedBy(unit)).toBe(cases.some((k) => k.cats.some((code) => UNITS[code].includes(unit))));
          await store.close();
        },
      ),
      { numRuns: kind.name === 'sqlite' ? 100 : 10 },
    );
  }, 120_000);
});
