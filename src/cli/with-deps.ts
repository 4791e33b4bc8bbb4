import type { AppDeps } from '../core/context.js';
import { bootstrapTown } from '../bootstrap.js';
import type { Logger } from '../core/log.js';
import { cliStore, closeCliStore } from './town-context.js';

/** Runs a CLI command with config, plan and store open, and closes the store however it ends. */
export async function withDeps<T>(log: Logger, fn: (deps: AppDeps) => T | Promise<T>): Promise<T> {
  const { town, store } = cliStore();
  try {
    return await fn(bootstrapTown(town.config, log, town.env, undefined, {}, store));
  } finally {
    closeCliStore();
  }
}
