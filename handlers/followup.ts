import { closeCaseHandler } from './close-case.js';
import { contactLogHandler, quotedContactHandler } from './contact-log.js';
import { followupDialogHandler } from './followup-dialog.js';
import { myCasesHandler } from './my-cases.js';
import { overdueListHandler } from './overdue-list.js';
import { reassignMentorHandler } from './reassign-mentor.js';
import { screeningReportHandler } from './screening-report.js';
import type { Handler } from '../src/core/context.js';

/**
 * The follow-up handlers in order: a dialog in progress first, then the commands. They go after
 * intake (whose drafts take every message) and before Q&A (which answers anything).
 */
export const followupHandlers: readonly Handler[] = [
  followupDialogHandler,
  contactLogHandler,
  quotedContactHandler,
  closeCaseHandler,
  reassignMentorHandler,
  myCasesHandler,
  overdueListHandler,
  screeningReportHandler,
];
