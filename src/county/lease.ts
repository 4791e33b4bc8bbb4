import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { PgFence } from '../../store/postgres/pg-pool-db.js';

/**
 * Town ownership for running several processes against one PostgreSQL: exactly one process per
 * town holds the WeCom connection and runs the jobs; the others wait as standbys.
 *
 * A lease is a row in `humiao.leases`. Expiry is judged by the database clock (`now()`), never
 * by a process clock, so hosts with skewed clocks still agree on who holds a town. Each takeover
 * raises `epoch`, a fencing token the holder can stamp on what it writes.
 *
 * Takeover time after the holder dies without releasing (kill -9, power loss): its last renewal
 * set expires_at = (time of that renewal) + ttl, and the renewal came before the death, so the row
 * expires at most ttl after the death; a standby polling every pollMs notices within one more poll.
 * With the defaults (ttl 15 s, poll 5 s) that is ≤ 15 s + 5 s = 20 s, inside the 30 s target.
 * A clean shutdown calls `release()`, which expires the row at once: takeover within one poll.
 *
 * This uses its own small `pg` pool, apart from the towns' store pools: renewals run on their own
 * timers and never queue behind a town's queries. They still need the event loop, so a main
 * thread blocked for longer than ttl − renewMs (10 s by default) misses a renewal; the watchdog
 * then reports the lease lost.
 *
 * The epoch also fences the town's store (see {@link LeaseManager.fenceFor}): each write
 * transaction of a PostgreSQL store checks, in the database, that the lease row still names this
 * holder at this epoch and share-locks that row until it commits. A former owner that stalled past
 * its ttl (and so does not yet know it lost the town) cannot commit anything, and a takeover waits
 * for a transaction already under way to finish. While a transaction is open a renewal of the
 * same row waits for it too, which is why transactions stay short.
 */

export const DEFAULT_LEASE_TTL_MS = 15_000;
export const DEFAULT_LEASE_RENEW_MS = 5_000;
export const DEFAULT_LEASE_POLL_MS = 5_000;

/** What the lease needs of a pool or client: `pg.Pool` fits. */
export interface LeaseQueryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface LeaseTimings {
  /** How long a lease lives without renewal. Default 15 s. */
  ttlMs?: number;
  /** How often the holder renews. Default 5 s; must be well under ttlMs. */
  renewMs?: number;
}

export interface LeaseManagerOptions extends LeaseTimings {
  /** Unique per process; default `newHolderId()`. */
  holder?: string;
  /** How often a standby retries. Default 5 s. */
  pollMs?: number;
}

export interface WaitOptions {
  pollMs?: number;
  /** Aborting stops the wait; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each attempt that found the lease held by another process. */
  onHeld?: () => void;
}

export interface LeaseRow {
  town: string;
  holder: string;
  epoch: number;
  expiresAt: Date;
  renewedAt: Date;
}

/**
 * Passed with a lease's `lost` event (and by `whenLost()`) when the process no longer holds the
 * town: another holder took the row, the row lapsed, or the database stayed unreachable until the
 * lease's ttl ran out. The caller must stop the town at once; another process may be running it.
 */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(
    readonly town: string,
    readonly epoch: number,
    readonly reason: 'taken' | 'expired',
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'taken'
        ? `lease for town ${town} (epoch ${epoch}) was taken over or lapsed`
        : `lease for town ${town} (epoch ${epoch}) could not be renewed before it expired`,
      options,
    );
  }
}

/** `${hostname}:${pid}:${random}` — the random part tells apart a restarted process that got the same pid. */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * A small pool for leases alone, so renewals never queue behind the town's own queries. Idle
 * connections that break (database restart) are reported on the pool's `error` event, which
 * would crash the process unhandled; a broken renewal is already handled by the lease itself.
 */
export function openLeasePool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    application_name: 'humiao-lease',
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
  });
  pool.on('error', () => {});
  return pool;
}

const LEASE_DDL_LOCK = 0x68756d69; // 'humi': serialises concurrent first starts creating the table

/** Creates `humiao.leases` if missing. Safe to call from several processes at once. */
export async function ensureLeaseTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // CREATE … IF NOT EXISTS still races (unique violation on the catalog) when two processes
    // create at the same moment; the transaction-scoped advisory lock takes turns.
    await client.query('SELECT pg_advisory_xact_lock($1)', [LEASE_DDL_LOCK]);
    await client.query('CREATE SCHEMA IF NOT EXISTS humiao');
    await client.query(`CREATE TABLE IF NOT EXISTS humiao.leases (
      town text PRIMARY KEY,
      holder text NOT NULL,
      epoch bigint NOT NULL,
      expires_at timestamptz NOT NULL,
      renewed_at timestamptz NOT NULL
    )`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const ttlInterval = (param: string): string => `make_interval(secs => ${param}::double precision / 1000)`;

// The row is free when it lapsed, or when it is already ours (a restart of the same holder id).
// Every acquisition raises the epoch, so each holding gets a fencing token of its own.
const ACQUIRE_SQL = `
  INSERT INTO humiao.leases AS l (town, holder, epoch, expires_at, renewed_at)
  VALUES ($1, $2, 1, now() + ${ttlInterval('$3')}, now())
  ON CONFLICT (town) DO UPDATE
    SET holder = EXCLUDED.holder, epoch = l.epoch + 1,
        expires_at = EXCLUDED.expires_at, renewed_at = EXCLUDED.renewed_at
    WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
  RETURNING epoch`;

// `expires_at > now()`: a lapsed lease is not revived (someone may be acquiring it), and a renewal
// that reaches the database after release() does not undo the release.
const RENEW_SQL = `
  UPDATE humiao.leases SET expires_at = now() + ${ttlInterval('$4')}, renewed_at = now()
  WHERE town = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()
  RETURNING expires_at`;

const RELEASE_SQL = `
  UPDATE humiao.leases SET expires_at = now()
  WHERE town = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()`;

type LeaseEvents = {
  /** After each successful renewal, with the new expiry (database time). */
  renewed: [expiresAt: Date];
  /** A renewal attempt failed (database unreachable); the lease is kept until its ttl says otherwise. */
  renewFailed: [error: Error];
  /** The town is no longer ours: stop it now. Emitted at most once, never after release(). */
  lost: [error: LeaseLostError];
};

/**
 * One held town. Renews itself every renewMs until released or lost. A watchdog fires at
 * (start of the last successful renewal) + ttl: the database set the expiry from a moment after
 * that start, so the process gives the town up no later than the database does.
 */
export class TownLease extends EventEmitter<LeaseEvents> {
  private state: 'held' | 'released' | 'lost' = 'held';
  private renewTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private deadline: number;
  private readonly lostPromise: Promise<LeaseLostError>;
  private resolveLost!: (e: LeaseLostError) => void;
  /** The renewal query in flight, if any: release() waits for it (see there). */
  private inflight: Promise<unknown> | undefined;

  /** Use LeaseManager.tryAcquire / waitForLease. */
  constructor(
    private readonly pool: LeaseQueryable,
    readonly town: string,
    readonly holder: string,
    /** Fencing token: higher than every earlier holding of this town. */
    readonly epoch: number,
    private readonly ttlMs: number,
    private readonly renewMs: number,
    acquiredAtPerf: number,
  ) {
    super();
    this.lostPromise = new Promise((resolve) => (this.resolveLost = resolve));
    this.deadline = acquiredAtPerf + ttlMs;
    this.armWatchdog();
    this.scheduleRenew();
  }

  /** True while renewals keep the lease alive; check before an irreversible step. */
  get held(): boolean {
    return this.state === 'held' && performance.now() < this.deadline;
  }

  /** Resolves when the lease is lost (never, if it is released first). */
  whenLost(): Promise<LeaseLostError> {
    return this.lostPromise;
  }

  /** Clean shutdown: expire the row now so a standby takes over at its next poll. */
  async release(): Promise<void> {
    if (this.state !== 'held') return;
    this.state = 'released';
    this.stopTimers();
    // A renewal already sent may reach the database after the release, on another pooled
    // connection. Its `expires_at > now()` guard does not stop it: now() is its own start time,
    // earlier than the release's, so after waiting on the row lock it re-checks and revives the
    // row for a whole ttl, and a standby waits that long. Letting it finish first keeps the order.
    await this.inflight?.catch(() => {});
    await this.pool.query(RELEASE_SQL, [this.town, this.holder, this.epoch]);
  }

  /** Renew now (the timer also does); false once the lease is gone. */
  async renew(): Promise<boolean> {
    if (this.state !== 'held') return false;
    const startedAt = performance.now();
    let rows: { expires_at: Date }[];
    const query = this.pool.query<{ expires_at: Date }>(RENEW_SQL, [this.town, this.holder, this.epoch, this.ttlMs]);
    this.inflight = query;
    try {
      rows = (await query).rows;
    } catch (err) {
      if (this.state === 'held') this.emit('renewFailed', err as Error);
      return this.state === 'held';
    } finally {
      if (this.inflight === query) this.inflight = undefined;
    }
    if (this.state !== 'held') return false;
    const row = rows[0];
    if (!row) {
      this.lose('taken');
      return false;
    }
    this.deadline = Math.max(this.deadline, startedAt + this.ttlMs);
    this.armWatchdog();
    this.emit('renewed', row.expires_at);
    return true;
  }

  private scheduleRenew(): void {
    this.renewTimer = setTimeout(() => {
      void this.renew().then((ok) => {
        if (ok && this.state === 'held') this.scheduleRenew();
      });
    }, this.renewMs);
  }

  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.lose('expired'), Math.max(0, this.deadline - performance.now()));
    // The renewal timer keeps the process alive while the lease is held; the watchdog need not.
    this.watchdog.unref();
  }

  private lose(reason: 'taken' | 'expired'): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    this.stopTimers();
    const err = new LeaseLostError(this.town, this.epoch, reason);
    this.resolveLost(err);
    this.emit('lost', err);
  }

  private stopTimers(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.renewTimer = this.watchdog = undefined;
  }
}

/** Takes and watches town leases for one process (one holder id, shared timings and pool). */
export class LeaseManager {
  readonly holder: string;
  readonly ttlMs: number;
  readonly renewMs: number;
  readonly pollMs: number;
  /** The latest lease taken per town (held or not any more): what {@link fenceFor} reads. */
  private readonly latest = new Map<string, TownLease>();

  constructor(
    private readonly pool: pg.Pool,
    opts: LeaseManagerOptions = {},
  ) {
    this.holder = opts.holder ?? newHolderId();
    this.ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.renewMs = opts.renewMs ?? DEFAULT_LEASE_RENEW_MS;
    this.pollMs = opts.pollMs ?? DEFAULT_LEASE_POLL_MS;
    if (!(this.renewMs > 0 && this.renewMs < this.ttlMs)) {
      throw new RangeError(`lease renewMs (${this.renewMs}) must be positive and below ttlMs (${this.ttlMs})`);
    }
  }

  ensureTable(): Promise<void> {
    return ensureLeaseTable(this.pool);
  }

  /**
   * The town's lease if it is free (or already ours), else null. Does not wait. Taking a town
   * this process already holds starts a new epoch and so ends the earlier TownLease (`lost`).
   */
  async tryAcquire(town: string): Promise<TownLease | null> {
    const startedAt = performance.now();
    const { rows } = await this.pool.query<{ epoch: string }>(ACQUIRE_SQL, [town, this.holder, this.ttlMs]);
    const row = rows[0];
    if (!row) return null;
    const lease = new TownLease(this.pool, town, this.holder, Number(row.epoch), this.ttlMs, this.renewMs, startedAt);
    this.latest.set(town, lease);
    return lease;
  }

  /**
   * The fence for the town's store: its epoch is the lease this process holds now, null while it
   * holds none (not yet taken, released, lost, or past its deadline by this process's own clock,
   * which also covers a stall the watchdog had no chance to report).
   */
  fenceFor(town: string): PgFence {
    return {
      town,
      holder: this.holder,
      epoch: () => {
        const lease = this.latest.get(town);
        return lease?.held ? lease.epoch : null;
      },
    };
  }

  /**
   * Standby: retry every pollMs until the town is ours. A failed attempt (database down) is
   * retried like a refused one; `onError` sees each such error, for logging.
   */
  async waitForLease(town: string, opts: WaitOptions & { onError?: (err: Error) => void } = {}): Promise<TownLease> {
    const pollMs = opts.pollMs ?? this.pollMs;
    for (;;) {
      opts.signal?.throwIfAborted();
      try {
        const lease = await this.tryAcquire(town);
        if (lease) {
          if (opts.signal?.aborted) {
            await lease.release().catch(() => {});
            opts.signal.throwIfAborted();
          }
          return lease;
        }
        opts.onHeld?.();
      } catch (err) {
        opts.onError?.(err as Error);
      }
      await sleep(pollMs, opts.signal);
    }
  }

  /** Who holds the town now, by database time; undefined when nobody ever did. */
  async current(town: string): Promise<(LeaseRow & { live: boolean }) | undefined> {
    const { rows } = await this.pool.query<{
      town: string;
      holder: string;
      epoch: string;
      expires_at: Date;
      renewed_at: Date;
      live: boolean;
    }>('SELECT town, holder, epoch, expires_at, renewed_at, expires_at > now() AS live FROM humiao.leases WHERE town = $1', [town]);
    const r = rows[0];
    return r && { town: r.town, holder: r.holder, epoch: Number(r.epoch), expiresAt: r.expires_at, renewedAt: r.renewed_at, live: r.live };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
