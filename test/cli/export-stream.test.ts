import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { csvChunks, jsonChunks, toCsv } from '../../src/cli/csv.js';
import { auditedExport, auditedExportStream } from '../../src/domain/security/audited-export.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds } from '../helpers/stores.js';

afterEach(cleanupStores);

const row = fc.record({ code: fc.string(), name: fc.string(), n: fc.integer(), x: fc.option(fc.string(), { nil: null }) });

describe('streamed export', () => {
  it('writes the same JSON and CSV text as building it whole', async () => {
    const text = async (chunks: AsyncIterable<string>) => {
      let s = '';
      for await (const c of chunks) s += c;
      return s;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 6 }), async (rows) => {
        expect(await text(jsonChunks(rows))).toBe(`${JSON.stringify(rows, null, 2)}\n`);
        expect(await text(csvChunks(rows))).toBe(toCsv(rows));
      }),
    );
  });

  it.each(storeKinds)('reads the same cases page by page as the whole list, audited once before any row ($name)', async (kind) => {
    const store = await kind.open();
    for (let i = 0; i < 7; i++) {
      await store.cases.insert({ ...sampleCase, code: `DJ-2026-${String(i + 1).padStart(4, '0')}`, dupKey: `k${i}`, idHash: null, fullName: `王小${i}` });
    }
    const plain = (c: unknown) => JSON.parse(JSON.stringify(c)) as unknown;
    const collect = async <T>(it: AsyncIterable<T>) => {
      const out: T[] = [];
      for await (const x of it) out.push(x);
      return out;
    };
    expect((await collect(store.cases.each(3))).map(plain)).toEqual((await store.cases.list()).map(plain));
    const now = new Date('2026-12-01T00:00:00Z');
    const whole = await auditedExport(store, 'os:a', now, 'json');
    const stream = auditedExportStream(store, 'os:b', now, 'json');
    const first = await stream.next();
    const entry = async (actor: string) => (await store.audit.list()).find((e) => e.actor === actor);
    expect(await entry('os:b')).toMatchObject({ action: 'export', detail: (await entry('os:a'))!.detail });
    expect((await entry('os:b'))!.detail).toMatch(/^cases export json: 7 个案/);
    expect([first.value, ...(await collect(stream))]).toEqual(whole);
    await store.close();
  });
});
