import { caseViewHandler } from './case-view.js';
import { followupCommandHandlers, followupDialogs } from './followup.js';
import { helpHandler } from './help.js';
import { intakeDialog, pendingIntakePrompt } from './intake.js';
import { reportRequestHandler } from './report-request.js';
import { dialogHandler } from '../src/core/dialogs.js';
import type { Handler, HandlerContext } from '../src/core/context.js';
import type { Reply } from '../src/domain/model/message.js';

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

const ALL_DIALOGS = [intakeDialog, ...followupDialogs];

/**
 * The open question of this user's dialog in this chat, for opening the private chat; undefined
 * when none is open (or a registration is paused, which says so itself on the next message).
 */
export async function pendingDialogPrompt(ctx: HandlerContext): Promise<Reply | undefined> {
  const registration = await pendingIntakePrompt(ctx);
  if (registration) return registration;
  const session = await ctx.store.sessions.get(ctx.msg.userId, ctx.msg.chatId);
  const kind = session && ALL_DIALOGS.find((k) => k.formId === session.formId && k !== intakeDialog);
  if (!session || !kind || !await kind.alive(ctx, session)) return undefined;
  const p = await kind.pending(ctx, session);
  return p && { ...p, text: `您有一份未完成的${kind.title}，接着回答：\n${p.text}\n（回复「取消」可放弃。）` };
}
