import type { Handler } from './types.js';
import { helpText } from './help.js';

/** enter_chat: someone opened a private chat with the bot. A short welcome with what it can do. */
export const welcomeHandler: Handler = {
  name: 'welcome',
  handle(ctx) {
    if (ctx.msg.kind !== 'enter_chat') return null;
    return [{ text: `您好，我是${ctx.config.town}护苗助手。\n${helpText(ctx)}` }];
  },
};
