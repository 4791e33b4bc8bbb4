import type { ChannelPorts } from '../../core/channel-ports.js';
import { WecomPacer } from './pacing.js';
import { createWecomChannel, type WecomChannel } from './wecom-channel.js';
import type { WecomFatalError } from './errors.js';
import type { WecomSettings } from '../../config/settings.js';

/**
 * The WeCom channel for one town, from its settings (bot id, secret, and optionally another
 * server and the SDK's retry tuning; see src/config/settings.ts).
 *
 * Never ends the process: a startup failure rejects `channel.start()`, and a fatal end after it
 * succeeded (another instance took the bot over, credentials revoked, reconnecting given up)
 * rejects `channel.done` with a {@link WecomFatalError} carrying its exit code (2, 3, 4). The
 * wiring decides what stops: in a county only this town.
 */
export function startWecom(ports: ChannelPorts, settings: WecomSettings): { channel: WecomChannel; pacer: WecomPacer } {
  const { clock, log, resolveTarget } = ports;
  const { authRetries, reconnectMs } = settings;
  const pacer = new WecomPacer({
    chatOf: async (t) => {
      try {
        return (await resolveTarget(t)).target.id;
      } catch {
        return t.id;
      }
    },
  });
  const channel = createWecomChannel({
    botId: settings.botId,
    secret: settings.secret,
    ...(settings.wsUrl ? { wsUrl: settings.wsUrl } : {}),
    log,
    clock,
    knownGroupIds: [...ports.knownGroupIds],
    resolveTarget,
    pacer,
    // An answer that did not arrive on its callback goes on as a push, from the part that failed.
    fallback: ports.queueUndelivered,
    makeFile: ports.makeFile,
    // Cards outlive the process: a tap after a restart is judged against what was really asked.
    cards: ports.cards,
    cardWrites: ports.cardWrites,
    sdk: {
      ...(authRetries !== undefined ? { maxAuthFailureAttempts: authRetries } : {}),
      ...(reconnectMs !== undefined ? { reconnectInterval: reconnectMs } : {}),
    },
  });
  return { channel, pacer };
}
