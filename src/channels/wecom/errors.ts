/**
 * Errors that end the WeCom channel. Each carries the process exit code `main` should use, so a
 * supervisor (systemd, a shell loop) can tell a configuration problem from a lost connection.
 */
export abstract class WecomFatalError extends Error {
  abstract readonly exitCode: number;
}

/**
 * Thrown (as the rejection of `start()`, or of `done` later) when WeCom kept refusing the
 * BotID/Secret after the SDK's authentication retries, or when they are missing. Exit code 2,
 * like any other configuration error.
 */
export class WecomAuthError extends WecomFatalError {
  override name = 'WecomAuthError';
  readonly exitCode = 2;
}

/**
 * Rejection of `done` when WeCom sent `disconnected_event`: another process subscribed with the
 * same bot and WeCom keeps one connection per bot. This instance stops instead of fighting for
 * the connection. Exit code 3.
 */
export class WecomTakenOverError extends WecomFatalError {
  override name = 'WecomTakenOverError';
  readonly exitCode = 3;
}

/**
 * Rejection of `done` when the SDK gave up reconnecting (only with a finite
 * `maxReconnectAttempts`; the default retries forever). Exit code 4.
 */
export class WecomReconnectExhaustedError extends WecomFatalError {
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

/** Thrown by `push()` when WeCom answered a send with a non-zero errcode, or did not answer in time. */
export class WecomSendError extends Error {
  override name = 'WecomSendError';
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message);
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
