import type { InboundMessage, PushTarget, Reply } from '../domain/model/message.js';

/** What the router answers for one inbound message. */
export interface DispatchResult {
  replies: Reply[];
  /**
   * True when this message id was handled before (a redelivery). `replies` then holds the
   * answer given the first time, so the channel can repeat it without running handlers again.
   */
  duplicate: boolean;
}

export type MessageSink = (msg: InboundMessage) => Promise<DispatchResult>;

/**
 * A channel is a thin adapter: it turns platform frames into {@link InboundMessage}s, hands them
 * to the sink, and renders the returned replies on the platform. Pushes come from the outbox
 * worker through {@link Channel.push}.
 */
export interface Channel {
  readonly name: string;
  start(sink: MessageSink): Promise<void>;
  /**
   * Deliver a push; resolves once the platform acknowledged it, rejects otherwise. May resolve
   * with the target it really used when the original one was unreachable.
   */
  push(target: PushTarget, reply: Reply, progress?: PushProgress): Promise<PushTarget | void>;
  stop(): Promise<void>;
}

/**
 * A long push goes out in parts (several frames); a retry must not repeat the parts already
 * delivered. `from` is how many were; `onPart` is told each time one more was acknowledged.
 */
export interface PushProgress {
  from: number;
  /** Awaited before the next part goes, so the count is stored in order and its failure is not lost. */
  onPart(delivered: number): Promise<void> | void;
}

/** What the outbox worker does with a push that failed. */
export type FailureDisposition =
  /** A passing problem (connection, timeout, rate limit, server busy): try again later. */
  | 'retry'
  /** The platform refuses this message for good: stop and tell the admin. */
  | 'give_up'
  /** Nobody needs it any more (empty content): stop quietly. */
  | 'drop';

/** Errors a channel throws may say what should happen next; anything else is retried. */
export function dispositionOf(err: unknown): FailureDisposition {
  const d = (err as { disposition?: unknown } | null)?.disposition;
  return d === 'give_up' || d === 'drop' ? d : 'retry';
}

/**
 * Thrown by push() when the person cannot be reached yet (they never wrote to the bot). The
 * message waits for them; `nudge`, when set, is a separate notice (in a group they are in)
 * asking them to write to the bot once.
 */
export class HeldForReachError extends Error {
  override name = 'HeldForReachError';
  constructor(
    message: string,
    readonly userId: string,
    readonly nudge?: { target: PushTarget; reply: Reply },
  ) {
    super(message);
  }
}
