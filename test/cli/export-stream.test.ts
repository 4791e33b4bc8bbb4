import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { csvChunks, jsonChunks, toCsv } from '../../src/cli/csv.js';
import { auditedExport, auditedExportStream } from '../../src/domain/security/audited-export.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds } from '../helpers/stores.js';

afterEach(cleanupStores);

const row = fc.record({ code: fc.string(), name: fc.string(), n: fc.integer(), x: fc.option(fc.string(), { nil: null }) });

describe('streamed export', () => {
  it('writes the same JSON and CSV text as building it whole', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), (rows) => {
        expect([...jsonChunks(rows)].join('')).toBe(`${JSON.stringify(rows, null, 2)}\n`);
        if (rows.length) expect([...csvChunks(rows)].join('')).toBe(toCsv(rows));
        else expect([...csvChunks(rows)].join('')).toBe(toCsv([]));
      }),
    );
  });

  it.each(storeKinds)('reads the same cases page by page as the whole list, audited once before any row ($name)', (kind) => {
    const store = kind.open();
    for (let i = 0; i < 7; i++) {
      store.cases.insert({ ...sampleCase, code: `DJ-2026-${String(i + 1).padStart(4, '0')}`, dupKey: `k${i}`, idHash: null, fullName: `王小${i}` });
    }
    const plain = (c: unknown) => JSON.parse(JSON.stringify(c)) as unknown;
    expect([...store.cases.each(3)].map(plain)).toEqual(store.cases.list().map(plain));
    const now = new Date('2026-12-01T00:00:00Z');
    const whole = auditedExport(store, 'os:a', now, 'json');
    const stream = auditedExportStream(store, 'os:b', now, 'json');
    const first = stream.next();
    const entry = (actor: string) => store.audit.list().find((e) => e.actor === actor);
    expect(entry('os:b')).toMatchObject({ action: 'export', detail: entry('os:a')!.detail });
    expect(entry('os:b')!.detail).toMatch(/^cases export json: 7 个案/);
    expect([first.value, ...stream]).toEqual(whole);
    store.close();
  });
});
