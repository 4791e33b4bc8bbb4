import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import { isIntakeTrigger } from './intake.js';
import { isHelpRequest } from './help.js';
import { continueClose, type CloseDialog } from './close-case.js';
import { continueContact, type ContactDialog } from './contact-log.js';
import { DIALOG_IDLE_MS, isText } from './followup-shared.js';
import type { Handler } from '../src/core/context.js';

type Dialog = ContactDialog | CloseDialog;

/**
 * Continues a follow-up dialog (the contact form or a closing confirmation) of this user in this
 * chat. A dialog idle for 30 minutes, or a message that is plainly another request (帮助, a new
 * case), ends it and the message goes on to the other handlers.
 */
export const followupDialogHandler: Handler = {
  name: 'followup-dialog',
  handle(ctx) {
    const { msg, store } = ctx;
    const open = store.followup.dialog(msg.userId, msg.chatId);
    if (!open) return null;
    const now = ctx.clock.now();
    if (!isText(ctx) || now.getTime() - open.updatedAt.getTime() > DIALOG_IDLE_MS || isHelpRequest(msg.text) || isIntakeTrigger(msg.text) || startsOther(msg.text)) {
      store.followup.deleteDialog(msg.userId, msg.chatId);
      return null;
    }
    const d = open.state as Dialog;
    return d.kind === 'contact' ? continueContact(ctx, d) : continueClose(ctx, d);
  },
};

/** Another follow-up command, written as a command (「走访很顺利」 is still an answer). */
const OTHER = /^(?:(?:记录走访|走访|帮扶记录|联系记录|结案|销号|更换帮扶人|更换帮扶责任人|排查上报)(?=$|[\s:：,，]|[A-Za-z])|(?:我的个案|逾期|超期)$)/;
function startsOther(text: string): boolean {
  return OTHER.test(normalizeInput(text));
}
