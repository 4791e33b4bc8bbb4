import { isIntakeTrigger } from './intake.js';
import { isHelpRequest } from './help.js';
import { continueClose, type CloseDialog } from './close-case.js';
import { continueContact, type ContactDialog } from './contact-log.js';
import { DIALOG_IDLE_MS, isText } from './followup-shared.js';
import type { Handler } from './types.js';

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

const OTHER = /^\s*(?:走访|帮扶记录|联系记录|结案|销号|更换帮扶|我的个案|逾期|超期|排查上报)/;
function startsOther(text: string): boolean {
  return OTHER.test(text);
}
