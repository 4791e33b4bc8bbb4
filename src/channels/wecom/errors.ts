import type { FailureDisposition } from '../../core/channel.js';
import { ChannelFatalError, CredentialsRefusedError, TakenOverError } from '../shared/errors.js';

/** Errors that end the WeCom channel; see {@link ChannelFatalError} for the exit codes. */
export { ChannelFatalError as WecomFatalError };

/**
 * Thrown (as the rejection of `start()`, or of `done` later) when WeCom kept refusing the
 * BotID/Secret after the SDK's authentication retries, or when they are missing. Exit code 2.
 */
export class WecomAuthError extends CredentialsRefusedError {
  override name = 'WecomAuthError';
}

/**
 * Rejection of `done` when WeCom sent `disconnected_event`: another process subscribed with the
 * same bot and WeCom keeps one connection per bot. Exit code 3.
 */
export class WecomTakenOverError extends TakenOverError {
  override name = 'WecomTakenOverError';
}

/**
 * Rejection of `done` when the SDK gave up reconnecting (only with a finite
 * `maxReconnectAttempts`; the default retries forever). Exit code 4.
 */
export class WecomReconnectExhaustedError extends ChannelFatalError {
  override name = 'WecomReconnectExhaustedError';
  readonly exitCode = 4;
}

/**
 * Thrown by `push()` when the connection is not authenticated and does not come back within the
 * wait; the outbox worker retries the row later.
 */
export class WecomNotConnectedError extends Error {
  override name = 'WecomNotConnectedError';
}

/**
 * What to do about a refused or unanswered frame, by errcode. No errcode (an ack timeout, a lost
 * socket) and WeCom's "busy / too often / too many at once" pass with time; empty content has
 * nothing to deliver; anything else is a refusal that retrying will not change (a wrong chatid,
 * a malformed card, a conversation that cannot take pushes), so the admin has to look.
 */
export function classifyErrcode(errcode: number | undefined): FailureDisposition {
  if (errcode === undefined) return 'retry';
  if (RETRYABLE.has(errcode)) return 'retry';
  if (errcode === 44004) return 'drop';
  return 'give_up';
}

/** -1 system busy, 45009 frequency limit, 45033 too many concurrent calls, 6000 data version conflict. */
const RETRYABLE = new Set([-1, 45009, 45033, 6000]);

/** Thrown by `push()` when WeCom answered a send with a non-zero errcode, or did not answer in time. */
export class WecomSendError extends Error {
  override name = 'WecomSendError';
  readonly disposition: FailureDisposition;
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message);
    this.disposition = classifyErrcode(errcode);
  }
}

/**
 * Thrown by `push()` when the chat's rate window has no room for the frames this message needs;
 * `retryAt` says when it will. (The worker normally avoids this by asking the pacer first.)
 */
export class WecomRateLimitedError extends Error {
  override name = 'WecomRateLimitedError';
  constructor(
    message: string,
    readonly retryAt: Date,
  ) {
    super(message);
  }
}
