import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupStores, freshTownId, openPgTestStore, pgEnabled, pgTestUrl } from '../helpers/stores.js';

const fixture = fileURLToPath(new URL('./fixtures/append-audit.ts', import.meta.url));

afterAll(cleanupStores);

/**
 * The bot and the admin CLI write the same town's audit log from different processes. On
 * PostgreSQL nothing like SQLite's BEGIN IMMEDIATE queues them, so the chain depends on the
 * order of the lock and the read of the last entry.
 */
describe.skipIf(!pgEnabled)('audit log written by several processes at once (PostgreSQL)', () => {
  it('keeps one unbroken hash chain', { timeout: 60_000 }, async () => {
    const town = freshTownId();
    const store = await openPgTestStore(town);
    const writers = 3;
    const each = 150;
    const children = Array.from({ length: writers }, () =>
      spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, AUDIT_DB_URL: pgTestUrl, AUDIT_TOWN: town, AUDIT_N: String(each) },
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const ready = children.map((c) => new Promise<void>((resolve) => c.stdout.once('data', () => resolve())));
    const done = children.map((c) => new Promise<number | null>((resolve) => c.on('exit', resolve)));
    await Promise.all(ready);
    for (const c of children) c.stdin.end('go\n');
    expect(await Promise.all(done)).toEqual(children.map(() => 0));
    expect(await store.audit.verify()).toEqual({ ok: true, count: writers * each });
  });

  it('appends from one process at once, unawaited, still chain in order', { timeout: 30_000 }, async () => {
    const store = await openPgTestStore(freshTownId());
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.audit.append({ at: new Date(), actor: `a${i}`, action: 'view', caseCode: null })));
    expect(await store.audit.verify()).toEqual({ ok: true, count: 40 });
  });
});
