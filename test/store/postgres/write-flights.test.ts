import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLeaseTable } from '../../../src/county/lease.js';
import { openPostgresStore, type PostgresStore } from '../../../store/postgres/postgres-store.js';
import { sampleCase } from '../../helpers/case-fixture.js';
import { PgFlights } from '../../helpers/pg-flights.js';
import { cleanupStores, freshTownId, openPgTestStore, pgEnabled, pgTestUrl } from '../../helpers/stores.js';

// The write's time on PostgreSQL is mostly its waits for the server (docs/benchmarks.md), so how
// many it makes is part of its contract: a change that adds one shows here, not only in a bench.
describe.skipIf(!pgEnabled)('PostgreSQL write round trips', () => {
  const stores: PostgresStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await cleanupStores();
  });

  it('a contact in its own transaction waits for the server twice, also when fenced by a lease', async () => {
    const town = freshTownId();
    // Created (and migrated) directly; the store under test then opens it through the relay.
    const setup = await openPgTestStore(town);
    const c = await setup.transaction(() => setup.cases.insert({ ...sampleCase }));
    const admin = new pg.Pool({ connectionString: pgTestUrl, max: 1 });
    await ensureLeaseTable(admin);
    await admin.query(
      `INSERT INTO humiao.leases (town, holder, epoch, expires_at, renewed_at) VALUES ($1, 'me', 1, now() + interval '1 minute', now())
       ON CONFLICT (town) DO UPDATE SET holder = 'me', epoch = 1, expires_at = EXCLUDED.expires_at`,
      [town],
    );
    const relay = await PgFlights.start(pgTestUrl);
    try {
      const store = await openPostgresStore(relay.urlFor(pgTestUrl), { town, fence: { town, holder: 'me', epoch: () => 1 } });
      stores.push(store);
      const contact = (date: string, riskLevel: '高' | null = null) =>
        store.transaction(() => store.followup.addContact({ caseId: c.id, date, method: '电话', notes: '电话联系', riskLevel, loggedBy: 'lisi', createdAt: new Date() }));
      expect(await relay.count(() => contact('2026-11-20'))).toBe(2);
      expect((await store.followup.lastContactDates()).get(c.id)).toBe('2026-11-20');
      expect((await store.followup.contacts({ caseId: c.id })).map((x) => x.date)).toEqual(['2026-11-20']);
      // An earlier day is recorded and leaves the latest day as it was.
      await contact('2026-10-02');
      expect((await store.followup.lastContactDates()).get(c.id)).toBe('2026-11-20');
      expect((await store.followup.contacts({ caseId: c.id })).map((x) => x.date)).toEqual(['2026-10-02', '2026-11-20']);
    } finally {
      await admin.query('DELETE FROM humiao.leases WHERE town = $1', [town]);
      await admin.end();
      await relay.close();
    }
  });
});
