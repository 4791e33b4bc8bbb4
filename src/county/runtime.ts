import type { AppDeps } from '../core/context.js';
import { ChannelFailedError, startTownRuntime, type TownRuntime, type TownRuntimeOptions } from '../town-runtime.js';
import type { PgFence } from '../../store/postgres/pg-pool-db.js';
import type { LeaseManager, TownLease } from './lease.js';

export interface TownUnit {
  deps: AppDeps;
  runtime: TownRuntimeOptions;
}

/** Where each town of this process stands, by town id. */
export interface TownsStanding {
  /** Lease held (where there are leases) and chat channel up. */
  serving: string[];
  /** Another process holds the lease: this one waits as the town's warm standby. */
  standby: string[];
  /** Its chat channel failed; the town stopped and gave its lease back. */
  failed: string[];
}

export interface OwnedTowns {
  /** Stops every town this process runs, releases their leases and stops waiting for the others. */
  stop(): Promise<void>;
  /** Settles when a console town's scripted conversation ended (single-town console only). */
  readonly done: Promise<void> | undefined;
  /**
   * Rejects with the last failing town's {@link ChannelFailedError} once every town of this
   * process has failed: nothing is left to run, and its exit code tells a supervisor why.
   */
  readonly failure: Promise<never>;
  /**
   * Resolves the first time every town has settled (serving, waiting as standby, or failed) and
   * at least one serves: the process answers from then on. A process whose towns all wait as
   * standby gets here only once it has taken one over.
   */
  readonly serving: Promise<TownsStanding>;
  /**
   * Resolves the first time every town has settled, serving or not: tells a process that serves
   * nothing yet (every lease held elsewhere) from one still starting.
   */
  readonly settled: Promise<TownsStanding>;
}

type Standing = 'starting' | keyof TownsStanding;

/** Each town's standing, and the two moments {@link OwnedTowns} announces. */
class Standings {
  private readonly of = new Map<string, Standing>();
  private settle!: (s: TownsStanding) => void;
  private serve!: (s: TownsStanding) => void;
  readonly settled = new Promise<TownsStanding>((r) => (this.settle = r));
  readonly serving = new Promise<TownsStanding>((r) => (this.serve = r));

  constructor(towns: TownUnit[]) {
    for (const t of towns) this.of.set(t.deps.config.townId, 'starting');
  }

  set(town: string, standing: Standing): void {
    this.of.set(town, standing);
    if ([...this.of.values()].includes('starting')) return;
    const now: TownsStanding = { serving: [], standby: [], failed: [] };
    for (const [id, s] of this.of) if (s !== 'starting') now[s].push(id);
    // Only the first resolution counts: later changes are each town's own log lines.
    this.settle(now);
    if (now.serving.length) this.serve(now);
  }
}

/**
 * Runs each town only while this process owns it. Without leases (SQLite: one process per
 * database file) every town starts at once. With leases (PostgreSQL) a town starts when its lease
 * is taken; a process that cannot take it waits as the town's standby. A lost lease stops the
 * town at once (another process may already be running it) and the process goes back to waiting.
 *
 * A town whose channel fails (it could not start, or the platform ended it later) stops alone and
 * gives its lease back, so a standby may take it over; the other towns go on. It is not retried
 * here, since a bad credential does not get better by retrying. Only when no town starts at all
 * (without leases) does this reject, with the ChannelFailedError; when every town has failed later,
 * `failure` rejects.
 */
export async function runOwnedTowns(towns: TownUnit[], leases: LeaseManager | undefined): Promise<OwnedTowns> {
  const running = new Map<string, { runtime: TownRuntime; lease?: TownLease }>();
  const abort = new AbortController();
  const standings = new Standings(towns);
  let left = towns.length;
  let failed: (err: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => {});
  /** One town is out for good: said once in its log; the process fails when none is left. */
  const townFailed = (t: TownUnit, err: unknown): void => {
    if (!(err instanceof ChannelFailedError)) {
      failed(err);
      return;
    }
    t.deps.log.fatal({ town: t.deps.config.townId, err: err.message, exitCode: err.exitCode }, 'town stopped: its chat channel failed');
    standings.set(t.deps.config.townId, 'failed');
    if (--left === 0) failed(err);
  };
  if (!leases) {
    // A running town's channel may end later; the town has stopped itself by then.
    const watch = (t: TownUnit, runtime: TownRuntime): void => {
      runtime.failed.catch((err: unknown) => {
        running.delete(t.deps.config.townId);
        townFailed(t, err);
      });
    };
    let firstError: unknown;
    for (const t of towns) {
      try {
        const runtime = await startTownRuntime(t.deps, t.runtime);
        running.set(t.deps.config.townId, { runtime });
        standings.set(t.deps.config.townId, 'serving');
        watch(t, runtime);
      } catch (err) {
        if (!(err instanceof ChannelFailedError) || towns.length === 1) {
          await stopAll(running);
          throw err;
        }
        firstError ??= err;
        townFailed(t, err);
      }
    }
    if (running.size === 0) throw firstError;
    const done = towns.length === 1 ? running.values().next().value?.runtime.done : undefined;
    return { stop: () => stopAll(running), done, failure, serving: standings.serving, settled: standings.settled };
  }

  // The console (single town, no chat platform) ends with its script, lease or not.
  let consoleDone: () => void = () => {};
  const done = towns.length === 1 && towns[0]!.runtime.chat.platform === 'console' ? new Promise<void>((r) => (consoleDone = r)) : undefined;
  const stopping = new Promise<null>((resolve) => abort.signal.addEventListener('abort', () => resolve(null), { once: true }));
  const own = async (t: TownUnit): Promise<void> => {
    const { config, log } = t.deps;
    // From here on only the lease's holder can commit to the town's tables, so a stall that
    // outlives the lease cannot write over the next holder's work.
    fenceStore(t.deps.store, leases.fenceFor(config.townId));
    while (!abort.signal.aborted) {
      // A town is standby only once its lease was found held elsewhere, not while it is still
      // being asked for: a process that is about to serve never says it waits.
      let waiting = false;
      const lease = await leases.waitForLease(config.townId, {
        signal: abort.signal,
        onError: (err) => log.warn({ town: config.townId, err: err.message }, 'lease attempt failed; retrying'),
        onHeld: () => {
          if (waiting) return;
          waiting = true;
          log.info({ town: config.townId, holder: leases.holder }, 'waiting for the town lease (standby)');
          standings.set(config.townId, 'standby');
        },
      });
      standings.set(config.townId, 'starting');
      log.info({ town: config.townId, epoch: lease.epoch }, 'town lease taken; starting the town');
      lease.on('renewFailed', (err) => log.warn({ town: config.townId, err: err.message }, 'lease renewal failed; still held until it expires'));
      let runtime: TownRuntime;
      try {
        runtime = await startTownRuntime(t.deps, { ...t.runtime, owns: () => lease.held });
      } catch (err) {
        // Give the town up at once: a standby may do better.
        await lease.release().catch(() => {});
        throw err;
      }
      if (abort.signal.aborted) {
        // stop() ran while the town was starting and could not see it: stop it here.
        await runtime.stop();
        await lease.release().catch(() => {});
        return;
      }
      running.set(config.townId, { runtime, lease });
      log.info({ town: config.townId, epoch: lease.epoch, channel: runtime.channelName }, 'town serving');
      standings.set(config.townId, 'serving');
      void runtime.done?.then(consoleDone);
      const ended = runtime.failed.then(
        () => null,
        (err: unknown) => ({ err }),
      );
      const lost = await Promise.race([lease.whenLost(), stopping, ended]);
      if (!lost) return; // stop() stops the town and releases the lease
      running.delete(config.townId);
      if ('err' in lost) {
        // The town has stopped itself; its lease goes back so a standby may take it.
        await lease.release().catch(() => {});
        throw lost.err;
      }
      log.error({ town: config.townId, epoch: lease.epoch, reason: lost.reason }, 'town lease lost; stopping the town and waiting as standby');
      standings.set(config.townId, 'starting');
      await runtime.stop();
    }
  };
  for (const t of towns) {
    own(t).catch((err: unknown) => {
      if (!abort.signal.aborted) townFailed(t, err);
    });
  }
  return {
    stop: async () => {
      abort.abort(new Error('shutting down'));
      await stopAll(running);
    },
    done,
    failure,
    serving: standings.serving,
    settled: standings.settled,
  };
}

async function stopAll(running: Map<string, { runtime: TownRuntime; lease?: TownLease }>): Promise<void> {
  const entries = [...running.values()];
  running.clear();
  await Promise.all(
    entries.map(async ({ runtime, lease }) => {
      await runtime.stop();
      // Released only after the town stopped, so the next holder never overlaps with us.
      await lease?.release().catch(() => {});
    }),
  );
}

/**
 * A PostgreSQL store's pool takes the town's fence (PgPoolDb.setFence). Checked by shape, not by
 * class: importing the PostgreSQL store here would load `pg` on SQLite starts too. A store without
 * one (SQLite, a test double) has no second process to be fenced against.
 */
function fenceStore(store: unknown, fence: PgFence): void {
  const db = (store as { db?: { setFence?: unknown } } | null)?.db;
  if (db && typeof db.setFence === 'function') (db as { setFence(f: PgFence): void }).setFence(fence);
}
