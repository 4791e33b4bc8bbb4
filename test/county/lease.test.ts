import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLostError, LeaseManager, newHolderId, openLeasePool, type TownLease } from '../../src/county/lease.js';
import { FencedOffError, PgPoolDb } from '../../store/postgres/pg-pool-db.js';
import { sql } from '../../store/sql/db.js';
import { pgEnabled, pgTestUrl as url } from '../helpers/stores.js';

// Small timings keep the suite fast; the arithmetic is the same as with the 15 s / 5 s defaults.
// A holder whose event loop stalls for ttl − renew (2.5 s) misses its renewal; a loaded box must not get there.
const ttlMs = 3_000;
const renewMs = 500;
const pollMs = 100;
/** How late a timer or a query may come back on a loaded 2-core box: added to every time bound below. */
const slackMs = 1_000;

let pool: pg.Pool;
const towns: string[] = [];
const leases: TownLease[] = [];
/** A town name no other run (or parallel suite) uses. */
const freshTown = (): string => {
  const t = `t_lease_${randomBytes(4).toString('hex')}`;
  towns.push(t);
  return t;
};
const manager = (extra: { pool?: pg.Pool; holder?: string } = {}): LeaseManager =>
  new LeaseManager(extra.pool ?? pool, { ttlMs, renewMs, pollMs, holder: extra.holder });
const track = (l: TownLease): TownLease => (leases.push(l), l);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  pool = openLeasePool(url);
  await manager().ensureTable();
});

afterAll(async () => {
  for (const l of leases) await l.release().catch(() => {});
  await pool.query('DELETE FROM humiao.leases WHERE town = ANY($1)', [towns]);
  await pool.end();
});

describe.skipIf(!pgEnabled)('town lease', () => {
  it('creates the table idempotently, also from several callers at once', async () => {
    await Promise.all([manager().ensureTable(), manager().ensureTable(), manager().ensureTable()]);
  });

  it('holder ids are host:pid:random and differ per call', () => {
    const a = newHolderId();
    expect(a).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(newHolderId()).not.toBe(a);
  });

  it('lets exactly one of several concurrent takers have a free town', async () => {
    const town = freshTown();
    const got = await Promise.all(Array.from({ length: 6 }, () => manager().tryAcquire(town)));
    const winners = got.filter((l): l is TownLease => l !== null);
    winners.forEach(track);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.epoch).toBe(1);
  });

  it('a standby waits while the holder renews, and takes over at once when it releases', async () => {
    const town = freshTown();
    const a = track((await manager().tryAcquire(town))!);
    const b = manager();
    let bLease: TownLease | undefined;
    const waiting = b.waitForLease(town).then((l) => (bLease = track(l)));
    // Longer than the ttl: only renewals can keep the standby out this long.
    await sleep(ttlMs + 500);
    expect(bLease).toBeUndefined();
    expect(a.held).toBe(true);

    const releasedAt = performance.now();
    await a.release();
    await waiting;
    expect(performance.now() - releasedAt).toBeLessThan(pollMs + slackMs);
    expect(bLease!.epoch).toBe(a.epoch + 1);
    expect(a.held).toBe(false);
    expect((await b.current(town))).toMatchObject({ holder: b.holder, epoch: a.epoch + 1, live: true });
  });

  it('when the holder loses the database, it reports the lease lost by its ttl and a standby takes over', async () => {
    const town = freshTown();
    const deadPool = openLeasePool(url);
    const a = await manager({ pool: deadPool }).tryAcquire(town);
    const failures: Error[] = [];
    a!.on('renewFailed', (e) => failures.push(e));
    const lost = a!.whenLost();
    const stoppedAt = performance.now();
    await deadPool.end(); // every later renewal fails, as if the database were unreachable

    const b = track(await manager().waitForLease(town));
    const takeover = performance.now() - stoppedAt;
    // The old holder gives up no later than the database lets the standby in: by the time the
    // standby holds the town, the old holder no longer claims it, however late its timers run.
    expect(a!.held).toBe(false);
    const err = await lost;
    const lostAfter = performance.now() - stoppedAt;

    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err.reason).toBe('expired');
    expect(failures.length).toBeGreaterThan(0);
    expect(b.epoch).toBe(a!.epoch + 1);
    // …and says so at its watchdog, which was due before the takeover: only a late timer separates them.
    expect(lostAfter).toBeLessThanOrEqual(takeover + slackMs);
    expect(takeover).toBeLessThan(ttlMs + pollMs + slackMs);
  });

  it("an old holder's renewal fails once another took the town, and it emits lost", async () => {
    const town = freshTown();
    const a = track((await manager().tryAcquire(town))!);
    const lostEvents: LeaseLostError[] = [];
    a.on('lost', (e) => lostEvents.push(e));
    // The row lapses (the holder stalled past its ttl) and a standby takes it before the next renewal.
    await pool.query("UPDATE humiao.leases SET expires_at = now() - interval '1 second' WHERE town = $1", [town]);
    const b = track((await manager().tryAcquire(town))!);
    expect(b.epoch).toBe(a.epoch + 1);

    expect(await a.renew()).toBe(false);
    expect(lostEvents).toHaveLength(1);
    expect(lostEvents[0]!.reason).toBe('taken');
    expect(a.held).toBe(false);
    // b keeps renewing undisturbed.
    await sleep(renewMs * 2);
    expect(b.held).toBe(true);
    expect(await b.renew()).toBe(true);
  });

  it('a renewal that lands after release() does not revive the lease', async () => {
    // The two queries go out on different pooled connections, so their order at the database is
    // a race; several rounds make a wrong order likely to show up.
    for (let round = 0; round < 15; round++) {
      const town = freshTown();
      const a = (await manager().tryAcquire(town))!;
      const pending = a.renew();
      await a.release();
      await pending;
      const row = await manager().current(town);
      expect(row!.live, `round ${round}`).toBe(false);
      track((await manager().tryAcquire(town))!);
    }
  });

  it('waitForLease stops when its signal aborts', async () => {
    const town = freshTown();
    track((await manager().tryAcquire(town))!);
    const ac = new AbortController();
    const waiting = manager().waitForLease(town, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('shutting down')), 250);
    await expect(waiting).rejects.toThrow('shutting down');
  });

  it('a standby takes over within ttl + poll after the holder process is killed with SIGKILL', async () => {
    const town = freshTown();
    const fixture = fileURLToPath(new URL('./fixtures/hold-lease.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, LEASE_DB_URL: url, LEASE_TOWN: town, LEASE_TTL_MS: String(ttlMs), LEASE_RENEW_MS: String(renewMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      let renewals = 0;
      const held = new Promise<{ holder: string; epoch: number }>((resolve) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const lines = out.split('\n');
          out = lines.pop()!;
          for (const line of lines) {
            const msg = JSON.parse(line) as { holder?: string; epoch?: number; renewed?: boolean };
            if (msg.renewed) renewals++;
            else resolve(msg as { holder: string; epoch: number });
          }
        });
      });
      const childLease = await held;

      const standby = manager();
      const waiting = standby.waitForLease(town);
      // Let the child renew a few times so the standby really had to wait.
      await sleep(ttlMs + renewMs);
      expect(renewals).toBeGreaterThan(0);

      const killedAt = performance.now();
      child.kill('SIGKILL');
      await once(child, 'exit');
      const lease = track(await waiting);
      const takeoverMs = performance.now() - killedAt;
      console.log(`lease takeover after SIGKILL: ${Math.round(takeoverMs)} ms (ttl ${ttlMs} ms, poll ${pollMs} ms)`);

      expect(lease.epoch).toBe(childLease.epoch + 1);
      expect(takeoverMs).toBeLessThan(ttlMs + pollMs + slackMs);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
  it('fences the town’s store: only the current holder at its epoch commits; a taken-over or released lease cannot', async () => {
    const town = freshTown();
    const schema = `t_fence_${randomBytes(4).toString('hex')}`;
    const a = manager();
    const b = manager();
    const fence = a.fenceFor(town);
    expect(fence.epoch()).toBeNull();
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.t (id integer)`);
    const db = await PgPoolDb.open(url, { searchPath: schema, writeLock: 7_000_001, fence });
    try {
      const write = (id: number) => db.transaction(() => db.run(sql`INSERT INTO t (id) VALUES (${id})`));
      await expect(write(1)).rejects.toBeInstanceOf(FencedOffError);
      const lease = track((await a.tryAcquire(town))!);
      expect(fence.epoch()).toBe(lease.epoch);
      await write(2);
      await lease.release();
      expect(fence.epoch()).toBeNull();
      await expect(write(3)).rejects.toBeInstanceOf(FencedOffError);

      // A stalled owner: it still believes it holds epoch 2, but b took the town over.
      const again = track((await a.tryAcquire(town))!);
      await pool.query('UPDATE humiao.leases SET expires_at = now() WHERE town = $1', [town]);
      track((await b.tryAcquire(town))!);
      expect(fence.epoch()).toBe(again.epoch);
      await expect(write(4)).rejects.toBeInstanceOf(FencedOffError);
      expect((await pool.query(`SELECT id FROM ${schema}.t`)).rows).toEqual([{ id: 2 }]);
    } finally {
      await db.close();
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});
