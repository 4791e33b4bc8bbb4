import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../core/context.js';
import { resolvePushTarget } from '../../core/push-target.js';
import type { ChannelFatalError } from '../shared/errors.js';
import { createTelegramChannel, type TelegramChannel } from './telegram-channel.js';

/**
 * Everything `npm start` needs for Telegram, from the environment: TELEGRAM_BOT_TOKEN, and
 * TELEGRAM_API_ROOT (optional; a self-hosted Bot API server, or the loopback fake in tests).
 * Webhook mode instead of long polling: TELEGRAM_WEBHOOK_URL (the public HTTPS address) and
 * TELEGRAM_WEBHOOK_PORT (local port the reverse proxy forwards to, default 8080; host
 * TELEGRAM_WEBHOOK_HOST, default 127.0.0.1); TELEGRAM_WEBHOOK_SECRET is optional (a random one
 * per start otherwise). Members and groups are matched by Telegram's numeric ids written as strings in the config
 * (userid: "123456789", chatid: "-1001234567890").
 *
 * After start() succeeded, a fatal end (token revoked, another instance polling) calls `onFatal`;
 * by default it logs one line and exits with the error's code (2 token, 3 conflict).
 */
export function startTelegram(deps: AppDeps, env: NodeJS.ProcessEnv, onFatal?: (err: ChannelFatalError) => void): { channel: TelegramChannel } {
  const { config, store, clock, log } = deps;
  const webhookUrl = env.TELEGRAM_WEBHOOK_URL;
  let port = Number(env.TELEGRAM_WEBHOOK_PORT || 8080);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
    if (webhookUrl) log.warn({ name: 'TELEGRAM_WEBHOOK_PORT' }, 'ignoring a malformed port; using 8080');
    port = 8080;
  }
  const channel = createTelegramChannel({
    token: env.TELEGRAM_BOT_TOKEN ?? '',
    ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
    log,
    clock,
    knownGroupIds: config.groups.map((g) => g.chatid),
    resolveTarget: (t) => resolvePushTarget(t, store, config),
    ...(webhookUrl
      ? {
          webhook: {
            url: webhookUrl,
            host: env.TELEGRAM_WEBHOOK_HOST || '127.0.0.1',
            port,
            // Telegram allows A-Z, a-z, 0-9, _ and -.
            secretToken: env.TELEGRAM_WEBHOOK_SECRET || randomBytes(24).toString('base64url'),
          },
        }
      : {}),
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
