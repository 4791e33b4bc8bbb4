import type { InboundMessage, PushTarget, Reply } from './message.js';

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
  push(target: PushTarget, reply: Reply): Promise<PushTarget | void>;
  stop(): Promise<void>;
}
