import type { LoadedConfig } from '../config/load.js';
import type { Member } from '../config/schema.js';
import type { Clock } from './clock.js';
import type { InboundMessage, Reply } from '../domain/model/message.js';
import type { Logger } from './log.js';
import type { PlanMatrix } from '../domain/plan/types.js';
import type { Store } from '../domain/ports/store.js';

/** What every handler may use. Built once in `src/app.ts`. */
export interface AppDeps {
  config: LoadedConfig;
  store: Store;
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
 * the first that returns replies (even an empty list) has taken it. Handlers are synchronous
 * and run inside the router's store transaction, so their writes and the outbox rows they
 * enqueue commit together with the message id — or not at all.
 */
export interface Handler {
  readonly name: string;
  handle(ctx: HandlerContext): Reply[] | null;
}
