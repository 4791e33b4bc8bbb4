import type { AppDeps } from '../core/context.js';
import { bootstrapTown, clockOf } from '../bootstrap.js';
import { cliStore, closeCliStore, type CliRun } from './town-context.js';

/** Runs a CLI command with config, plan and store open, and closes the store however it ends. */
export async function withDeps<T>(run: CliRun, fn: (deps: AppDeps) => T | Promise<T>): Promise<T> {
  const { town, store } = await cliStore(run.settings);
  try {
    return await fn(await bootstrapTown(town.config, town.settings, run.log, { clock: clockOf(run.settings), opened: store }));
  } finally {
    await closeCliStore();
  }
}
