import type { Store } from '../domain/ports/store.js';
import type { DispatchResult } from './channel.js';
import type { Logger } from './log.js';
import type { InboundMessage } from '../domain/model/message.js';
import { FAILURE_REPLY, type Router } from './router.js';

interface Pending {
  msg: InboundMessage;
  resolve: (r: DispatchResult) => void;
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

  constructor(
    private readonly store: Store,
    private readonly router: Router,
    private readonly log: Logger,
    /** Upper bound on one batch, so a flood cannot hold the database for long. */
    private readonly maxBatch = 200,
  ) {}

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
      this.log.error({ err, messages: batch.length }, 'commit failed; the batch was rolled back');
      // The commit itself failed (disk full, I/O error): nothing of the batch was kept, and the
      // message ids were not recorded either, so a redelivery is handled afresh.
      for (const p of batch) p.resolve({ replies: [FAILURE_REPLY], duplicate: false });
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }
}
