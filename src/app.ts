import type { AppDeps, Handler } from './core/context.js';
import { caseViewHandler } from '../handlers/case-view.js';
import { dialogsHandler } from '../handlers/dialogs.js';
import { followupCommandHandlers } from '../handlers/followup.js';
import { legacyDialogHandler } from '../handlers/followup-dialog.js';
import { helpHandler } from '../handlers/help.js';
import { warmIntake } from '../handlers/intake.js';
import { qaHandler } from '../handlers/qa.js';
import { repeatedConfirmHandler } from '../handlers/repeated-confirm.js';
import { reportRequestHandler } from '../handlers/report-request.js';
import { unsupportedHandler } from '../handlers/unsupported.js';
import { welcomeHandler } from '../handlers/welcome.js';
import { Router } from './core/router.js';
import { qaEngineFor } from './domain/qa/answer.js';

/**
 * The handlers in the order they are offered a message. Dialogs (registration, 走访, 结案) come
 * before commands, and Q&A comes last because it answers anything.
 */
export function buildHandlers(): Handler[] {
  return [unsupportedHandler, repeatedConfirmHandler, welcomeHandler, legacyDialogHandler, dialogsHandler, caseViewHandler, ...followupCommandHandlers, reportRequestHandler, helpHandler, qaHandler];
}

export interface App {
  deps: AppDeps;
  router: Router;
}

export function createApp(deps: AppDeps): App {
  // Build the Q&A index and intake's matchers now so the first question or answer does not pay for them.
  qaEngineFor(deps.plan);
  warmIntake(deps);
  return { deps, router: new Router(deps, buildHandlers()) };
}
