import { afterEach, describe, expect, it } from 'vitest';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

const t = (m: number) => new Date(Date.UTC(2026, 10, 29, 2, m));

afterEach(cleanupStores);

describe.each(storeKinds)('audit log ($name)', (kind: StoreKind) => {
  function seeded() {
    const s = kind.open();
    s.audit.append({ at: t(0), actor: 'zhouba', action: 'create', caseCode: 'DJ-2026-0001' });
    s.audit.append({ at: t(1), actor: 'lisi', action: 'view-full', caseCode: 'DJ-2026-0001', reason: '核实监护人情况', detail: 'identity' });
    s.audit.append({ at: t(2), actor: 'os:admin', action: 'export', detail: 'cases export json (1)' });
    s.audit.append({ at: t(3), actor: 'lisi', action: 'view', caseCode: 'DJ-2026-0002' });
    return s;
  }

  it('chains entries and lists them by case', () => {
    const s = seeded();
    expect(s.audit.verify()).toEqual({ ok: true, count: 4 });
    expect(s.audit.list({ caseCode: 'DJ-2026-0001' }).map((e) => [e.actor, e.action, e.reason])).toEqual([
      ['zhouba', 'create', null],
      ['lisi', 'view-full', '核实监护人情况'],
    ]);
  });

  it('refuses UPDATE and DELETE through SQL', () => {
    const s = seeded();
    expect(() => s.db.prepare("UPDATE audit_log SET actor = 'x' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => s.db.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow(/append-only/);
    expect(s.audit.verify().ok).toBe(true);
  });

  it('names the first edited entry once the trigger is dropped', () => {
    const s = seeded();
    s.dropTrigger('audit_log_no_update', 'audit_log');
    s.db.prepare("UPDATE audit_log SET reason = '随便看看' WHERE id = 2").run();
    expect(s.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('notices a deleted middle entry and a deleted last entry', () => {
    const mid = seeded();
    mid.dropTrigger('audit_log_no_delete', 'audit_log');
    mid.db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(mid.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });

    const tail = seeded();
    tail.dropTrigger('audit_log_no_delete', 'audit_log');
    tail.db.prepare('DELETE FROM audit_log WHERE id = 4').run();
    expect(tail.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
    // Appending afterwards does not paper over the gap.
    tail.audit.append({ at: t(5), actor: 'lisi', action: 'view' });
    expect(tail.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('notices a re-hashed entry whose successor still points at the old hash', () => {
    const s = seeded();
    s.dropTrigger('audit_log_no_update', 'audit_log');
    s.db.prepare("UPDATE audit_log SET actor = 'x', hash = 'f'||substr(hash, 2) WHERE id = 1").run();
    expect(s.audit.verify()).toMatchObject({ ok: false, brokenAt: 1 });
  });
});
