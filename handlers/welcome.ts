import type { Handler } from '../src/core/context.js';
import { helpText } from './help.js';
import { pendingDialogPrompt } from './dialogs.js';

/**
 * enter_chat: someone opened a private chat with the bot. With a dialog in progress (often a
 * registration started in a group) its pending question is shown; otherwise a short welcome with what it can do.
 */
export const welcomeHandler: Handler = {
  name: 'welcome',
  handle(ctx) {
    if (ctx.msg.kind !== 'enter_chat') return null;
    const pending = pendingDialogPrompt(ctx);
    if (pending) return [pending];
    return [{ text: `您好，我是${ctx.config.town}护苗助手。\n${helpText(ctx)}` }];
  },
};
