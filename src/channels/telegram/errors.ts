import { CredentialsRefusedError, TakenOverError } from '../shared/errors.js';

/**
 * Thrown (as the rejection of `start()`, or of `done` later) when the token is missing or the Bot
 * API refuses it (getMe or getUpdates answer 401/404). Exit code 2.
 */
export class TelegramAuthError extends CredentialsRefusedError {
  override name = 'TelegramAuthError';
}

/**
 * Rejection of `done` when getUpdates answers 409: another process polls with the same token (or
 * a webhook is set). Exit code 3.
 */
export class TelegramConflictError extends TakenOverError {
  override name = 'TelegramConflictError';
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
