import { createRequire } from 'node:module';
import type { Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

const requireHere = createRequire(import.meta.url);
const pinoLib = (): typeof import('pino') => requireHere('pino') as typeof import('pino');

/**
 * The logger `make()` returns, made the first time it is used: loading pino was a share of every
 * CLI command, most of which log nothing (nor does the console bot below warnings).
 */
function onFirstUse(make: () => Logger): Logger {
  let real: Logger | undefined;
  const bound = new Map<PropertyKey, unknown>();
  const target = (): Logger => (real ??= make());
  return new Proxy({} as Logger, {
    get(_, prop) {
      const t = target();
      const v: unknown = Reflect.get(t, prop, t);
      if (typeof v !== 'function') return v;
      // pino's methods read their logger from `this`; each is bound once.
      let b = bound.get(prop) as { fn: unknown; bound: unknown } | undefined;
      if (b?.fn !== v) bound.set(prop, (b = { fn: v, bound: (v as (...a: unknown[]) => unknown).bind(t) }));
      return b.bound;
    },
    set: (_, prop, value) => Reflect.set(target(), prop, value),
    has: (_, prop) => Reflect.has(target(), prop),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}

/**
 * Logs go to stderr as JSON lines so stdout stays the console channel's conversation.
 * Never log message text or case fields: they are about minors.
 */
export function createLogger(level = 'info'): Logger {
  return onFirstUse(() => {
    const { pino } = pinoLib();
    return pino({ level, base: { app: 'humiao' } }, pino.destination({ dest: 2, sync: true }));
  });
}

export const silentLogger: Logger = onFirstUse(() => pinoLib().pino({ level: 'silent' }));
