import type { AppDeps } from '../../core/context.js';
import { WecomPacer } from './pacing.js';
import { resolvePushTarget } from '../../core/push-target.js';
import { createWecomChannel, type WecomChannel } from './wecom-channel.js';
import type { WecomFatalError } from './errors.js';
import { reportFile } from '../shared/report-file.js';

/** A non-negative integer from the environment, or undefined (the SDK default) when unset or malformed. */
function intEnv(env: NodeJS.ProcessEnv, name: string, log: AppDeps['log']): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) {
    log.warn({ name }, 'ignoring a malformed number in the environment');
    return undefined;
  }
  return Number(raw);
}

/**
 * Everything `npm start` needs for WeCom, from the environment:
 * WECOM_BOT_ID, WECOM_BOT_SECRET, and WECOM_WS_URL (optional; tests point it at a loopback server).
 * Tuning, rarely needed: WECOM_AUTH_RETRIES (retries after a refused subscribe, SDK default 5)
 * and WECOM_RECONNECT_MS (first reconnect delay, doubling up to 30 s; default 1000).
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
  const authRetries = intEnv(env, 'WECOM_AUTH_RETRIES', log);
  const reconnectMs = intEnv(env, 'WECOM_RECONNECT_MS', log);
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
    // An answer that did not arrive on its callback goes on as a push, from the part that failed.
    fallback: (target, reply, partsSent) => {
      store.outbox.enqueue({ target, reply, reason: 'reply.fallback', partsSent }, clock.now());
    },
    makeFile: (file) => reportFile(deps, file),
    sdk: {
      ...(authRetries !== undefined ? { maxAuthFailureAttempts: authRetries } : {}),
      ...(reconnectMs !== undefined ? { reconnectInterval: reconnectMs } : {}),
    },
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
