import { CLOSE_FORM_ID } from '../src/domain/followup/close-form.js';
import { CONTACT_FORM_ID } from '../src/domain/followup/contact-form.js';
import { adoptCloseDialog } from './close-case.js';
import { adoptContactDialog } from './contact-log.js';
import { DIALOG_IDLE_MS } from './followup-shared.js';
import type { Handler } from '../src/core/context.js';

/**
 * Before 走访 and 结案 ran on the form engine, their dialogs were kept in the follow-up dialog
 * store. One still open at a deploy is moved into the session store as the same point of the
 * form, so its next answer is read as before; the message then goes on to the dialog handler.
 */
export const legacyDialogHandler: Handler = {
  name: 'legacy-dialogs',
  async handle(ctx) {
    const { msg, store } = ctx;
    const open = await store.followup.dialog(msg.userId, msg.chatId);
    if (!open) return null;
    await store.followup.deleteDialog(msg.userId, msg.chatId);
    if (ctx.clock.now().getTime() - open.updatedAt.getTime() > DIALOG_IDLE_MS || await store.sessions.get(msg.userId, msg.chatId)) return null;
    const legacy = (open.state ?? {}) as Record<string, unknown>;
    const adopted =
      legacy.kind === 'contact' ? { formId: CONTACT_FORM_ID, state: await adoptContactDialog(ctx, legacy) }
      : legacy.kind === 'close' ? { formId: CLOSE_FORM_ID, state: await adoptCloseDialog(ctx, legacy) }
      : undefined;
    if (!adopted?.state) return null;
    await store.sessions.save({
      userId: msg.userId, chatId: msg.chatId, formId: adopted.formId, status: 'active', state: adopted.state,
      startedIn: msg.chatId, createdAt: open.updatedAt, lastActiveAt: open.updatedAt,
    });
    return null;
  },
};
