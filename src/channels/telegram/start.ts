import type { AppDeps } from '../../../handlers/types.js';
import { resolvePushTarget } from '../shared/push-target.js';
import type { ChannelFatalError } from '../shared/errors.js';
import { createTelegramChannel, type TelegramChannel } from './telegram-channel.js';

/**
 * Everything `npm start` needs for Telegram, from the environment: TELEGRAM_BOT_TOKEN, and
 * TELEGRAM_API_ROOT (optional; a self-hosted Bot API server, or the loopback fake in tests).
 * Members and groups are matched by Telegram's numeric ids written as strings in the config
 * (userid: "123456789", chatid: "-1001234567890").
 *
 * After start() succeeded, a fatal end (token revoked, another instance polling) calls `onFatal`;
 * by default it logs one line and exits with the error's code (2 token, 3 conflict).
 */
export function startTelegram(deps: AppDeps, env: NodeJS.ProcessEnv, onFatal?: (err: ChannelFatalError) => void): { channel: TelegramChannel } {
  const { config, store, clock, log } = deps;
  const channel = createTelegramChannel({
    token: env.TELEGRAM_BOT_TOKEN ?? '',
    ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
    log,
    clock,
    knownGroupIds: config.groups.map((g) => g.chatid),
    resolveTarget: (t) => resolvePushTarget(t, store, config),
    noteStarted: (chatId, userId, at) => store.chats.touch(chatId, 'single', userId, at),
  });
  channel.done.catch((err: ChannelFatalError) => {
    if (!channel.started) return;
    if (onFatal) return onFatal(err);
    log.fatal({ err: err.message }, 'Telegram channel stopped');
    process.exit(err.exitCode ?? 1);
  });
  return { channel };
}
