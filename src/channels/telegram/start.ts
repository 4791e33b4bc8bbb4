import { randomBytes } from 'node:crypto';
import type { ChannelPorts } from '../../core/channel-ports.js';
import type { ChannelFatalError } from '../shared/errors.js';
import type { TelegramSettings } from '../../config/settings.js';
import { createTelegramChannel, type TelegramChannel, type TelegramChannelOptions } from './telegram-channel.js';

/** Timings no setting carries, for tests against the loopback Bot API only. */
export type TelegramTuning = Pick<TelegramChannelOptions, 'throttle' | 'pollTimeoutSec'>;

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
 * stops: in a county only this town. Tests start their channel here too, so they run on the wiring
 * production runs on.
 */
export function startTelegram(ports: ChannelPorts, settings: TelegramSettings, tuning: TelegramTuning = {}): { channel: TelegramChannel } {
  const { clock, log } = ports;
  const { webhook } = settings;
  const channel = createTelegramChannel({
    token: settings.token,
    ...(settings.apiRoot ? { apiRoot: settings.apiRoot } : {}),
    log,
    clock,
    knownGroupIds: [...ports.knownGroupIds],
    resolveTarget: ports.resolveTarget,
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
    noteStarted: ports.noteStarted,
    ...tuning,
  });
  return { channel };
}
