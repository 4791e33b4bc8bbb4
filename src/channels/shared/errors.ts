/**
 * Errors that end a chat channel. Each carries the process exit code `main` should use, the same
 * on every platform, so a supervisor (systemd, a shell loop) can tell a configuration problem
 * from a lost connection.
 */
export abstract class ChannelFatalError extends Error {
  abstract readonly exitCode: number;
}

/**
 * Thrown (as the rejection of a channel's `start()`, or of its `done` later) when the platform
 * refused the bot's credentials, or they are missing. Exit code 2, like any configuration error.
 */
export class CredentialsRefusedError extends ChannelFatalError {
  override name = 'CredentialsRefusedError';
  readonly exitCode = 2;
}

/**
 * Rejection of a channel's `done` when another process took the bot's connection over (one
 * connection per bot). This instance stops instead of fighting for it. Exit code 3.
 */
export class TakenOverError extends ChannelFatalError {
  override name = 'TakenOverError';
  readonly exitCode = 3;
}
