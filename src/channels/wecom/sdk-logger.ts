import type { Logger as SdkLogger } from '@wecom/aibot-node-sdk';
import type { Logger } from '../../core/log.js';

/**
 * The SDK logs whole frame bodies — message text about minors — at debug level, and logs every
 * failed authentication attempt as an error. Its lines go to our debug level only, cut before any
 * frame body or JSON, and without their extra arguments; the channel logs what matters itself.
 */
export function sdkLogger(log: Logger): SdkLogger {
  const line = (message: string): void => {
    if (!log.isLevelEnabled('debug')) return;
    const cut = message.search(/body=|\{/);
    log.debug({ sdk: true }, cut >= 0 ? `${message.slice(0, cut).trim()} …` : message);
  };
  return { debug: line, info: line, warn: line, error: line };
}
