import type { Store } from '../domain/ports/store.js';
import type { DispatchResult } from './channel.js';
import type { Logger } from './log.js';
import type { InboundMessage } from '../domain/model/message.js';
import { FAILURE_REPLY, savedNothing, type Router } from './router.js';
import type { StorageAlarm } from './storage-alarm.js';

interface Pending {
  msg: InboundMessage;
  resolve: (r: DispatchResult) => void;
}

export interface GroupCommitOptions {
  /** Told when a commit fails because the store cannot write, and when one that wrote succeeds. */
  storage?: StorageAlarm;
  /** Upper bound on one batch, so a flood cannot hold the database for long. */
  maxBatch?: number;
}

/**
 * Group commit: messages that arrive while the event loop is busy are handled in one outer
 * transaction, each in its own savepoint (the router's nested transaction), so a burst pays for
 * one fsync instead of one per message. Answers are released only after the commit, so nobody
 * is told 「已保存」 for a change that a crash could still lose. A lone message is handled on the
 * next turn of the event loop, so quiet traffic waits for nothing.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly storage: StorageAlarm | undefined;
  private readonly maxBatch: number;

  constructor(
    private readonly store: Store,
    private readonly router: Router,
    private readonly log: Logger,
    opts: GroupCommitOptions = {},
  ) {
    this.storage = opts.storage;
    this.maxBatch = opts.maxBatch ?? 200;
  }

  dispatch(msg: InboundMessage): Promise<DispatchResult> {
    return new Promise((resolve) => {
      this.queue.push({ msg, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(() => void this.flush());
    let results: DispatchResult[];
    try {
      // One after another: each message's savepoint must end before the next one begins.
      results = await this.store.transaction(async () => {
        const out: DispatchResult[] = [];
        for (const p of batch) out.push(await this.router.dispatch(p.msg));
        return out;
      });
    } catch (err) {
      // The commit itself failed (disk full, I/O error): nothing of the batch was kept, and the
      // message ids were not recorded either, so a redelivery is handled afresh.
      const reply = this.storage?.failed(err) ?? FAILURE_REPLY;
      if (reply === FAILURE_REPLY) this.log.error({ err, messages: batch.length }, 'commit failed; the batch was rolled back');
      else this.log.warn({ messages: batch.length }, 'commit failed: the store cannot write; the batch was rolled back');
      for (const p of batch) p.resolve({ replies: [reply], duplicate: false });
      return;
    }
    // Only a commit that kept some turn shows the store writes again.
    if (results.some((r) => !r.duplicate && !savedNothing(r))) this.storage?.saved();
    batch.forEach((p, i) => p.resolve(results[i]!));
  }
}
