import { caseViewHandler } from './case-view.js';
import { followupCommandHandlers, followupDialogs } from './followup.js';
import { helpHandler } from './help.js';
import { intakeDialog } from './intake.js';
import { reportRequestHandler } from './report-request.js';
import { dialogHandler } from '../src/core/dialogs.js';
import type { Handler } from '../src/core/context.js';

/**
 * The commands done in one message that may interrupt any dialog; the dialog's question is
 * repeated after them. 「帮助」 itself is the form's own help; 「菜单」「怎么用」 show the menu.
 */
export const interruptingCommands: readonly Handler[] = [caseViewHandler, ...followupCommandHandlers, reportRequestHandler, helpHandler];

/**
 * Every dialog of the app — 个案登记, 走访, 结案 — behind one handler, so one precedence rule
 * (src/core/dialogs.ts, docs/dialogs.md) decides between them for every message.
 */
export const dialogsHandler: Handler = dialogHandler([intakeDialog, ...followupDialogs], interruptingCommands, { allForms: true });
