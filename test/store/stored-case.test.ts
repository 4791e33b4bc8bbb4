import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CaseRecord } from '../../src/domain/model/records.js';
import { sql } from '../../store/sql/db.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind, type TestStore } from '../helpers/stores.js';

afterAll(cleanupStores);

describe.each(storeKinds)('cases as the store hands them out ($name)', (kind: StoreKind) => {
  let store: TestStore;
  let inserted: CaseRecord;
  beforeAll(async () => {
    store = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    inserted = await store.cases.insert(sampleCase);
  });

  it('lists without reading identity columns, and reads them on first access', async () => {
    const [listed] = await store.cases.list();
    expect(listed!.code).toBe(sampleCase.code);
    expect(listed!.fullName).toBe(sampleCase.fullName);
    expect(listed!.guardianPhone).toBe(sampleCase.guardianPhone);
    expect(listed!.details).toEqual(sampleCase.details);
  });

  it('serialises to the full plain record, identity included', async () => {
    const json = JSON.parse(JSON.stringify((await store.cases.list())[0])) as Record<string, unknown>;
    expect(json).toMatchObject({ code: sampleCase.code, fullName: sampleCase.fullName, idNumber: sampleCase.idNumber, village: sampleCase.village });
    expect(JSON.parse(JSON.stringify(inserted))).toEqual(json);
  });

  it('never holds the plain name in the row it read for a list', async () => {
    const raw = (await store.db.get<{ full_name: string }>(sql`SELECT full_name FROM cases WHERE id = ${inserted.id}`))!;
    expect(raw.full_name).not.toContain(sampleCase.fullName);
  });

  it('lets a caller overwrite an identity field on its copy only', async () => {
    const c = (await store.cases.getByCode(sampleCase.code))!;
    c.fullName = '改名';
    expect(c.fullName).toBe('改名');
    expect((await store.cases.getByCode(sampleCase.code))!.fullName).toBe(sampleCase.fullName);
  });
});
