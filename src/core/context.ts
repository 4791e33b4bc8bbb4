import type { LoadedConfig } from '../config/load.js';
import type { Member } from '../config/schema.js';
import type { Clock } from './clock.js';
import type { InboundMessage, Reply } from '../domain/model/message.js';
import type { Logger } from './log.js';
import type { PlanMatrix } from '../domain/plan/types.js';
import type { Store } from '../domain/ports/store.js';
import type { LookupKeys } from '../domain/privacy/lookup-key.js';

/** What every handler may use: one town's context, built once per town by `src/bootstrap.ts`. */
export interface AppDeps {
  config: LoadedConfig;
  store: Store;
  /** The keys duplicate checks search the store with: keyed by the town's data key when it has one. */
  lookup: LookupKeys;
  plan: PlanMatrix;
  clock: Clock;
  log: Logger;
}

export interface HandlerContext extends AppDeps {
  msg: InboundMessage;
  /** The sender's entry in `members`, or undefined for people the config does not list. */
  member: Member | undefined;
}

/**
 * One thing a user can ask or do. The router offers each message to the handlers in order;
 * the first that returns replies (even an empty list) has taken it. Handlers run inside the
 * router's store transaction (awaited to its end), so their writes and the outbox rows they
 * enqueue commit together with the message id — or not at all.
 */
export interface Handler {
  readonly name: string;
  handle(ctx: HandlerContext): Promise<Reply[] | null> | Reply[] | null;
}
