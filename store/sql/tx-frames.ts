import { AsyncLocalStorage } from 'node:async_hooks';

/** One open transaction level (the outermost transaction or a savepoint inside it). */
export interface TxFrame {
  /** False once the level has ended: work it started that is still running is outside it then. */
  open: boolean;
  /** Run after the outermost commit; a savepoint hands its own up when released, drops them when rolled back. */
  after: Array<() => void>;
}

/**
 * Which transaction the running code is in, carried by the async context: a query made anywhere
 * inside `run()` (however deep, through any awaits) belongs to that level. Both connections
 * (SQLite, PostgreSQL) keep their levels here, so "inside a transaction" means the same on both.
 */
export class TxFrames<F extends TxFrame> {
  private readonly store = new AsyncLocalStorage<F>();

  /** The innermost open level, or undefined outside any transaction. */
  current(): F | undefined {
    const f = this.store.getStore();
    return f?.open ? f : undefined;
  }

  run<T>(frame: F, fn: () => Promise<T>): Promise<T> {
    return this.store.run(frame, fn);
  }

  afterCommit(fn: () => void): void {
    const f = this.current();
    if (f) f.after.push(fn);
    else fn();
  }

  /** A savepoint was released: what it was to run after the commit now waits with its parent. */
  static released(inner: TxFrame, outer: TxFrame): void {
    inner.open = false;
    outer.after.push(...inner.after);
  }

  /**
   * The outermost level committed: its callbacks run now. One that throws must not look like a
   * failed transaction (it committed), so its error is thrown on its own, later.
   */
  static committed(frame: TxFrame): void {
    frame.open = false;
    for (const f of frame.after) {
      try {
        f();
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
