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
import type { StorageAlarm } from './core/storage-alarm.js';
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
  /**
   * Builds the Q&A index and intake's matchers (each is otherwise built by the first message
   * that needs it). The runtime calls it right after the channel is up, so a start is ready to
   * take messages without first paying for them and the first question seldom does.
   */
  warm(): void;
}

export function createApp(deps: AppDeps, storage?: StorageAlarm): App {
  return {
    deps,
    router: new Router(deps, buildHandlers(), storage),
    warm: () => {
      qaEngineFor(deps.plan);
      warmIntake(deps);
    },
  };
}
