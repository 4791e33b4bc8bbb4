import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Logs go to stderr as JSON lines so stdout stays the console channel's conversation.
 * Never log message text or case fields: they are about minors.
 */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { app: 'humiao' } }, pino.destination({ dest: 2, sync: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
