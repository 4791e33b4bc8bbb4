import type { AppDeps } from '../core/context.js';
import { platformOf, startTownRuntime, type TownRuntime, type TownRuntimeOptions } from '../town-runtime.js';
import type { LeaseManager, TownLease } from './lease.js';

export interface TownUnit {
  deps: AppDeps;
  runtime: TownRuntimeOptions;
}

export interface OwnedTowns {
  /** Stops every town this process runs, releases their leases and stops waiting for the others. */
  stop(): Promise<void>;
  /** Settles when a console town's scripted conversation ended (single-town console only). */
  readonly done: Promise<void> | undefined;
  /** Rejects when a town taken over later could not start its channel (ChannelStartError). */
  readonly failure: Promise<never>;
}

/**
 * Runs each town only while this process owns it. Without leases (SQLite: one process per
 * database file) every town starts at once. With leases (PostgreSQL) a town starts when its lease
 * is taken; a process that cannot take it waits as the town's standby. A lost lease stops the
 * town at once (another process may already be running it) and the process goes back to waiting.
 *
 * A channel that fails to start rejects the returned promise (ChannelStartError): the caller exits
 * with its code, since a bad credential does not get better by retrying.
 */
export async function runOwnedTowns(towns: TownUnit[], leases: LeaseManager | undefined): Promise<OwnedTowns> {
  const running = new Map<string, { runtime: TownRuntime; lease?: TownLease }>();
  const abort = new AbortController();

  if (!leases) {
    for (const t of towns) running.set(t.deps.config.townId, { runtime: await startTownRuntime(t.deps, t.runtime) });
    const done = towns.length === 1 ? running.values().next().value?.runtime.done : undefined;
    return { stop: () => stopAll(running), done, failure: new Promise<never>(() => {}) };
  }

  // The console (single town, no chat platform) ends with its script, lease or not.
  let consoleDone: () => void = () => {};
  const done = towns.length === 1 && platformOf(towns[0]!.runtime.env) === 'console' ? new Promise<void>((r) => (consoleDone = r)) : undefined;
  let failed: (err: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const stopping = new Promise<null>((resolve) => abort.signal.addEventListener('abort', () => resolve(null), { once: true }));
  const own = async (t: TownUnit): Promise<void> => {
    const { config, log } = t.deps;
    while (!abort.signal.aborted) {
      log.info({ town: config.townId, holder: leases.holder }, 'waiting for the town lease (standby)');
      const lease = await leases.waitForLease(config.townId, {
        signal: abort.signal,
        onError: (err) => log.warn({ town: config.townId, err: err.message }, 'lease attempt failed; retrying'),
      });
      log.info({ town: config.townId, epoch: lease.epoch }, 'town lease taken; starting the town');
      lease.on('renewFailed', (err) => log.warn({ town: config.townId, err: err.message }, 'lease renewal failed; still held until it expires'));
      let runtime: TownRuntime;
      try {
        runtime = await startTownRuntime(t.deps, { ...t.runtime, owns: () => lease.held });
      } catch (err) {
        // Give the town up at once: the process is about to exit, a standby may do better.
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
      void runtime.done?.then(consoleDone);
      const lost = await Promise.race([lease.whenLost(), stopping]);
      if (!lost) return; // stop() stops the town and releases the lease
      running.delete(config.townId);
      log.error({ town: config.townId, epoch: lease.epoch, reason: lost.reason }, 'town lease lost; stopping the town and waiting as standby');
      await runtime.stop();
    }
  };
  for (const t of towns) {
    own(t).catch((err: unknown) => {
      if (!abort.signal.aborted) failed(err);
    });
  }
  return {
    stop: async () => {
      abort.abort(new Error('shutting down'));
      await stopAll(running);
    },
    done,
    failure,
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
