import type { AppDeps } from '../../handlers/types.js';
import { bootstrap } from '../bootstrap.js';
import type { Logger } from '../log.js';

/** Runs a CLI command with config, plan and store open, and closes the store however it ends. */
export async function withDeps<T>(log: Logger, fn: (deps: AppDeps) => T | Promise<T>): Promise<T> {
  const deps = bootstrap(log);
  try {
    return await fn(deps);
  } finally {
    deps.store.close();
  }
}
