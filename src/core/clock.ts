/** Injected everywhere time matters, so tests and `job run --at` can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(start: Date): Clock & { set(d: Date): void; advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = d.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/**
 * A clock that starts at `start` and then runs forward in real time. Used when `HUMIAO_CLOCK`
 * is set, so a test or a drill can run the real process on a date it chooses (the 1st of a
 * month, New Year's Day, 23:59 on a quarter's last day) without touching the machine's clock.
 */
export function offsetClock(start: Date, real: () => number = Date.now): Clock {
  const offset = start.getTime() - real();
  return { now: () => new Date(real() + offset) };
}
