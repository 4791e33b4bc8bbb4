import type { AppDeps, Handler } from '../handlers/types.js';
import { helpHandler } from '../handlers/help.js';
import { qaHandler } from '../handlers/qa.js';
import { unsupportedHandler } from '../handlers/unsupported.js';
import { welcomeHandler } from '../handlers/welcome.js';
import { Router } from './core/router.js';

/**
 * The handlers in the order they are offered a message. Conversations in progress come before
 * commands, and Q&A comes last because it answers anything.
 */
export function buildHandlers(): Handler[] {
  return [unsupportedHandler, welcomeHandler, helpHandler, qaHandler];
}

export interface App {
  deps: AppDeps;
  router: Router;
}

export function createApp(deps: AppDeps): App {
  return { deps, router: new Router(deps, buildHandlers()) };
}
