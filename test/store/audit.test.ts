import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '../../store/sql/db.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

const t = (m: number) => new Date(Date.UTC(2026, 10, 29, 2, m));

afterEach(cleanupStores);

describe.each(storeKinds)('audit log ($name)', (kind: StoreKind) => {
  async function seeded() {
    const s = await kind.open();
    await s.audit.append({ at: t(0), actor: 'zhouba', action: 'create', caseCode: 'DJ-2026-0001' });
    await s.audit.append({ at: t(1), actor: 'lisi', action: 'view-full', caseCode: 'DJ-2026-0001', reason: '核实监护人情况', detail: 'identity' });
    await s.audit.append({ at: t(2), actor: 'os:admin', action: 'export', detail: 'cases export json (1)' });
    await s.audit.append({ at: t(3), actor: 'lisi', action: 'view', caseCode: 'DJ-2026-0002' });
    return s;
  }

  it('chains entries and lists them by case', async () => {
    const s = await seeded();
    expect(await s.audit.verify()).toEqual({ ok: true, count: 4 });
    expect((await s.audit.list({ caseCode: 'DJ-2026-0001' })).map((e) => [e.actor, e.action, e.reason])).toEqual([
      ['zhouba', 'create', null],
      ['lisi', 'view-full', '核实监护人情况'],
    ]);
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const s = await seeded();
    await expect(s.db.run(sql`UPDATE audit_log SET actor = 'x' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(s.db.run(sql`DELETE FROM audit_log WHERE id = 1`)).rejects.toThrow(/append-only/);
    expect((await s.audit.verify()).ok).toBe(true);
  });

  it('names the first edited entry once the trigger is dropped', async () => {
    const s = await seeded();
    await s.dropTrigger('audit_log_no_update', 'audit_log');
    await s.db.run(sql`UPDATE audit_log SET reason = '随便看看' WHERE id = 2`);
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('notices a deleted middle entry and a deleted last entry', async () => {
    const mid = await seeded();
    await mid.dropTrigger('audit_log_no_delete', 'audit_log');
    await mid.db.run(sql`DELETE FROM audit_log WHERE id = 2`);
    expect(await mid.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });

    const tail = await seeded();
    await tail.dropTrigger('audit_log_no_delete', 'audit_log');
    await tail.db.run(sql`DELETE FROM audit_log WHERE id = 4`);
    expect(await tail.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
    // Appending afterwards does not paper over the gap.
    await tail.audit.append({ at: t(5), actor: 'lisi', action: 'view' });
    expect(await tail.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('notices a re-hashed entry whose successor still points at the old hash', async () => {
    const s = await seeded();
    await s.dropTrigger('audit_log_no_update', 'audit_log');
    await s.db.run(sql`UPDATE audit_log SET actor = 'x', hash = 'f'||substr(hash, 2) WHERE id = 1`);
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('reads a log longer than one page and still finds an edit near its end', async () => {
    const s = await kind.open();
    await s.transaction(async () => {
      for (let i = 0; i < 2100; i++) await s.audit.append({ at: t(i % 60), actor: 'u', action: 'view', caseCode: null });
    });
    expect(await s.audit.verify()).toEqual({ ok: true, count: 2100 });
    await s.dropTrigger('audit_log_no_update', 'audit_log');
    await s.db.run(sql`UPDATE audit_log SET actor = 'x' WHERE id = 2050`);
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 2050 });
  });
});

describe.each(storeKinds)('audit head and transactions ($name)', (kind: StoreKind) => {
  it('a rolled-back transaction leaves no head naming its entries', async () => {
    const s = await kind.open({ persistent: true });
    await s.audit.append({ at: t(0), actor: 'u', action: 'view', caseCode: null });
    await expect(
      s.transaction(async () => {
        await s.audit.append({ at: t(1), actor: 'u', action: 'view', caseCode: null });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await s.audit.verify()).toEqual({ ok: true, count: 1 });
    await s.transaction(async () => {
      await s.audit.append({ at: t(2), actor: 'u', action: 'view', caseCode: null });
    });
    expect(await s.audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('an entry of a rolled-back savepoint is not named by the head its outer transaction writes', async () => {
    const s = await kind.open({ persistent: true });
    await s.audit.append({ at: t(0), actor: 'u', action: 'view', caseCode: null });
    await s.transaction(async () => {
      await expect(
        s.transaction(async () => {
          await s.audit.append({ at: t(1), actor: 'u', action: 'view', caseCode: null });
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
    });
    expect(await s.audit.verify()).toEqual({ ok: true, count: 1 });
    await s.audit.append({ at: t(2), actor: 'u', action: 'view', caseCode: null });
    expect(await s.audit.verify()).toEqual({ ok: true, count: 2 });
  });
});
