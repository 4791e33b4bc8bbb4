import type { ChannelPorts } from '../../core/channel-ports.js';
import { WecomPacer } from './pacing.js';
import { createWecomChannel, type WecomChannel, type WecomChannelOptions } from './wecom-channel.js';
import type { WecomFatalError } from './errors.js';
import type { WecomSettings } from '../../config/settings.js';

/**
 * Timings no setting carries, for tests against the loopback server only: a shorter wait for a
 * lost connection, and heartbeats out of the way of the frames a test counts.
 */
export interface WecomTuning {
  pushConnectTimeoutMs?: number;
  heartbeatMs?: number;
}

/**
 * The WeCom channel for one town, from its settings (bot id, secret, and optionally another
 * server and the SDK's retry tuning; see src/config/settings.ts). Tests start their channel here
 * too, so they run on the wiring production runs on.
 *
 * Never ends the process: a startup failure rejects `channel.start()`, and a fatal end after it
 * succeeded (another instance took the bot over, credentials revoked, reconnecting given up)
 * rejects `channel.done` with a {@link WecomFatalError} carrying its exit code (2, 3, 4). The
 * wiring decides what stops: in a county only this town.
 */
export function startWecom(
  ports: ChannelPorts,
  settings: WecomSettings,
  tuning: WecomTuning = {},
): { channel: WecomChannel; pacer: WecomPacer } {
  const { resolveTarget } = ports;
  const pacer = new WecomPacer({
    chatOf: async (t) => {
      try {
        return (await resolveTarget(t)).target.id;
      } catch {
        return t.id;
      }
    },
  });
  return { channel: createWecomChannel(wecomChannelOptions(ports, settings, pacer, tuning)), pacer };
}

function wecomChannelOptions(ports: ChannelPorts, settings: WecomSettings, pacer: WecomPacer, tuning: WecomTuning): WecomChannelOptions {
  const { authRetries, reconnectMs } = settings;
  return {
    botId: settings.botId,
    secret: settings.secret,
    ...(settings.wsUrl ? { wsUrl: settings.wsUrl } : {}),
    log: ports.log,
    clock: ports.clock,
    knownGroupIds: [...ports.knownGroupIds],
    resolveTarget: ports.resolveTarget,
    pacer,
    // An answer that did not arrive on its callback goes on as a push, from the part that failed.
    fallback: ports.queueUndelivered,
    makeFile: ports.makeFile,
    // Cards outlive the process: a tap after a restart is judged against what was really asked.
    cards: ports.cards,
    cardWrites: ports.cardWrites,
    ...(tuning.pushConnectTimeoutMs !== undefined ? { pushConnectTimeoutMs: tuning.pushConnectTimeoutMs } : {}),
    sdk: {
      ...(authRetries !== undefined ? { maxAuthFailureAttempts: authRetries } : {}),
      ...(reconnectMs !== undefined ? { reconnectInterval: reconnectMs } : {}),
      ...(tuning.heartbeatMs !== undefined ? { heartbeatInterval: tuning.heartbeatMs } : {}),
    },
  };
}
