import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/core/context.js';
import { statsFor, statsFromLists } from '../../schedules/jobs/quarterly.js';
import { fromLocal, localDateKey } from '../../src/domain/calendar/shanghai.js';
import { parseConfig } from '../../src/config/load.js';
import { followupSchema } from '../../src/config/schema.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import type { CategoryCode } from '../../src/domain/plan/types.js';
import type { ContactMethod, RiskLevel } from '../../src/domain/model/records.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

afterEach(cleanupStores);

const configPath = join(process.cwd(), 'humiao.config.example.yaml');
const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);
const plan = loadPlanFile(config.planPath);
/** 外村 is not in the config's villages: such values come after the configured ones, in case order. */
const VILLAGES = ['王庄村', '霸王村', '项沟村', '外村', '新村'];
const REASONS = ['C03 已稳定就业', 'C08 迁出本镇', 'C99 其他 随亲属去外省', 'C99 其他 出国', 'X42 旧编码'];
const METHODS: ContactMethod[] = ['上门', '电话', '微信', '在校', '其他'];
const FREQUENCIES = [
  {},
  { '05': 'quarterly' },
  { '02': 'quarterly', '05': 'quarterly' },
  { '01': 'quarterly', '02': 'quarterly', '03': 'quarterly', '04': 'quarterly', '05': 'quarterly' },
  // Another plan's rhythm: 留守 every half month, 服刑子女 a quarter, 流浪 weekly, 不良 half-yearly.
  { '05': 'half-monthly', '04': 'quarterly', '03': 'weekly', '02': 'half-yearly' },
  { '01': 'weekly', '02': 'weekly', '03': 'half-yearly', '04': 'half-yearly', '05': 'half-monthly' },
];

/** Day n from 1 January 2025, at a local hour. */
const at = (n: number, hour: number) => fromLocal(2025, 1, 1 + n, hour);

const caseArb = fc.record({
  created: fc.integer({ min: 0, max: 700 }),
  hour: fc.integer({ min: 0, max: 23 }),
  cats: fc.uniqueArray(fc.constantFrom<CategoryCode>('01', '02', '03', '04', '05'), { minLength: 1, maxLength: 3 }),
  village: fc.constantFrom(...VILLAGES),
  // null: registered without an assessed risk level, counted as 待补充 by both.
  risk: fc.constantFrom<RiskLevel | null>('低', '中', '高', null),
  close: fc.option(fc.record({ after: fc.integer({ min: 0, max: 400 }), hour: fc.integer({ min: 0, max: 23 }), reason: fc.constantFrom(...REASONS) }), { nil: null }),
  contacts: fc.array(fc.record({ after: fc.integer({ min: 0, max: 500 }), method: fc.constantFrom(...METHODS) }), { maxLength: 8 }),
});

/** A quarter from 2025Q1 to 2027Q1, and a moment from its first day to two months after it. */
const whenArb = fc.record({ quarter: fc.integer({ min: 0, max: 8 }), offset: fc.integer({ min: 0, max: 150 }), hour: fc.integer({ min: 0, max: 23 }) }).map(({ quarter, offset, hour }) => {
  const year = 2025 + Math.floor(quarter / 4);
  const q = (quarter % 4) + 1;
  return { quarter: `${year}Q${q}`, asOf: fromLocal(year, q * 3 - 2, 1 + offset, hour) };
});

async function check(kind: StoreKind, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(caseArb, { minLength: 1, maxLength: 25 }), fc.array(whenArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...FREQUENCIES), async (cases, whens, frequency) => {
      const store = await kind.open();
      await store.transaction(async () => {
        for (const [i, k] of cases.entries()) {
          const c = await store.cases.insert({
            ...sampleCase,
            code: `DJ-2025-${String(i + 1).padStart(4, '0')}`,
            dupKey: `k${i}`,
            idHash: null,
            categories: k.cats.map((code) => ({ code, leadUnits: ['镇民政所'] })),
            primaryCategory: k.cats[0]!,
            village: k.village,
            riskLevel: k.risk,
            createdAt: at(k.created, k.hour),
          });
          for (const x of k.contacts) {
            const d = at(k.created + x.after, 12);
            await store.followup.addContact({ caseId: c.id, date: localDateKey(d), method: x.method, notes: '', riskLevel: null, loggedBy: 'lisi', createdAt: d });
          }
          if (k.close) await store.followup.close(c.id, k.close.reason, at(k.created + k.close.after, k.close.hour));
        }
      });
      const deps = { config: { ...config, followup: followupSchema.parse({ frequency }), villages: VILLAGES.slice(0, 3) }, plan, store } as unknown as AppDeps;
      for (const { quarter, asOf } of whens) {
        expect(await statsFor(deps, quarter, asOf), `${quarter} as of ${asOf.toISOString()}`).toEqual(await statsFromLists(deps, quarter, asOf));
      }
      await store.close();
    }),
    { numRuns: runs },
  );
}

describe.each(storeKinds)('quarterly statistics counted in the database ($name)', (kind) => {
  it('are the figures of the in-memory definition, for any cases, contacts, closings, frequencies and moment', async () => {
    // Each PostgreSQL run migrates a fresh town schema: fewer runs there, the same SQL.
    await check(kind, kind.name === 'sqlite' ? 200 : 15);
  }, 120_000);
});
