import { closeDialog } from './close-case.js';
import { completeCaseDialog } from './complete-case.js';
import { contactDialog } from './contact-log.js';
import { legacyDialogHandler } from './followup-dialog.js';
import { myCasesHandler } from './my-cases.js';
import { overdueListHandler } from './overdue-list.js';
import { reassignDialog } from './reassign-mentor.js';
import { screeningReportHandler } from './screening-report.js';
import { dialogHandler } from '../src/core/dialogs.js';
import type { Handler } from '../src/core/context.js';

/** The follow-up commands done in one message; an open dialog is interrupted by them, not ended. */
export const followupCommandHandlers: readonly Handler[] = [myCasesHandler, overdueListHandler, screeningReportHandler];

/** The follow-up dialogs (走访, 结案, 更换帮扶人, 补充个案信息) as dialog kinds; intake is the other (handlers/dialogs.ts). */
export const followupDialogs = [contactDialog, closeDialog, reassignDialog, completeCaseDialog] as const;

/**
 * The follow-up handlers alone, for a router without intake: the dialogs first, then the
 * commands. In the app they run inside the one dialog handler of handlers/dialogs.ts.
 */
export const followupHandlers: readonly Handler[] = [legacyDialogHandler, dialogHandler(followupDialogs, followupCommandHandlers), ...followupCommandHandlers];
