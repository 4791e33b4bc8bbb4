import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../core/context.js';
import { resolvePushTarget } from '../../core/push-target.js';
import type { ChannelFatalError } from '../shared/errors.js';
import type { TelegramSettings } from '../../config/settings.js';
import { createTelegramChannel, type TelegramChannel } from './telegram-channel.js';

/**
 * The Telegram channel for one town, from its settings: the bot token, optionally a self-hosted
 * Bot API server (or the loopback fake in tests), and webhook mode instead of long polling (the
 * public HTTPS address, the local host and port the reverse proxy forwards to, and a secret token,
 * random per start when not given). Members and groups are matched by Telegram's numeric ids
 * written as strings in the config (userid: "123456789", chatid: "-1001234567890").
 *
 * Never ends the process: a startup failure rejects `channel.start()`, and a fatal end after it
 * succeeded (token revoked, another instance polling) rejects `channel.done` with a
 * {@link ChannelFatalError} carrying its exit code (2 token, 3 conflict). The wiring decides what
 * stops: in a county only this town.
 */
export function startTelegram(deps: AppDeps, settings: TelegramSettings): { channel: TelegramChannel } {
  const { config, store, clock, log } = deps;
  const { webhook } = settings;
  const channel = createTelegramChannel({
    token: settings.token,
    ...(settings.apiRoot ? { apiRoot: settings.apiRoot } : {}),
    log,
    clock,
    knownGroupIds: config.groups.map((g) => g.chatid),
    resolveTarget: (t) => resolvePushTarget(t, store, config),
    ...(webhook
      ? {
          webhook: {
            url: webhook.url,
            host: webhook.host,
            port: webhook.port,
            // Telegram allows A-Z, a-z, 0-9, _ and -.
            secretToken: webhook.secretToken ?? randomBytes(24).toString('base64url'),
          },
        }
      : {}),
    noteStarted: (chatId, userId, at) => store.chats.touch(chatId, 'single', userId, at),
  });
  return { channel };
}
