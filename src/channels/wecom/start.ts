import type { AppDeps } from '../../../handlers/types.js';
import { WecomPacer } from './pacing.js';
import { resolvePushTarget } from './push-target.js';
import { createWecomChannel, type WecomChannel } from './wecom-channel.js';
import type { WecomFatalError } from './errors.js';

/**
 * Everything `npm start` needs for WeCom, from the environment:
 * WECOM_BOT_ID, WECOM_BOT_SECRET, and WECOM_WS_URL (optional; tests point it at a loopback server).
 *
 * After start() succeeded, a fatal end (another instance took the bot over, credentials revoked)
 * calls `onFatal`; by default it logs one line and exits with the error's code (2 credentials,
 * 3 taken over, 4 reconnecting given up).
 */
export function startWecom(
  deps: AppDeps,
  env: NodeJS.ProcessEnv,
  onFatal?: (err: WecomFatalError) => void,
): { channel: WecomChannel; pacer: WecomPacer } {
  const { config, store, clock, log } = deps;
  const resolveTarget = (t: Parameters<typeof resolvePushTarget>[0]) => resolvePushTarget(t, store, config);
  const pacer = new WecomPacer({
    chatOf: (t) => {
      try {
        return resolveTarget(t).target.id;
      } catch {
        return t.id;
      }
    },
  });
  const channel = createWecomChannel({
    botId: env.WECOM_BOT_ID ?? '',
    secret: env.WECOM_BOT_SECRET ?? '',
    ...(env.WECOM_WS_URL ? { wsUrl: env.WECOM_WS_URL } : {}),
    log,
    clock,
    knownGroupIds: config.groups.map((g) => g.chatid),
    resolveTarget,
    pacer,
  });
  channel.done.catch((err: WecomFatalError) => {
    // Startup failures reach main through the rejected start().
    if (!channel.started) return;
    if (onFatal) return onFatal(err);
    log.fatal({ err: err.message }, 'WeCom channel stopped');
    process.exit(err.exitCode ?? 1);
  });
  return { channel, pacer };
}
