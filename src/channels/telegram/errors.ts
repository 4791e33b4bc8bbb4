/**
 * Errors that end the Telegram channel. Each carries the process exit code `main` should use,
 * matching the WeCom channel's codes so a supervisor treats both platforms alike.
 */
export abstract class TelegramFatalError extends Error {
  abstract readonly exitCode: number;
}

/**
 * Thrown (as the rejection of `start()`, or of `done` later) when the token is missing or the Bot
 * API refuses it (getMe or getUpdates answer 401/404). Exit code 2, like any configuration error.
 */
export class TelegramAuthError extends TelegramFatalError {
  override name = 'TelegramAuthError';
  readonly exitCode = 2;
}

/**
 * Rejection of `done` when getUpdates answers 409: another process polls with the same token (or
 * a webhook is set). This instance stops instead of fighting for the updates. Exit code 3.
 */
export class TelegramConflictError extends TelegramFatalError {
  override name = 'TelegramConflictError';
  readonly exitCode = 3;
}

/** Thrown by `push()` when the Bot API refused a message or could not be reached; the outbox retries. */
export class TelegramSendError extends Error {
  override name = 'TelegramSendError';
  constructor(
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
  }
}
