import type { Channel } from '../../core/channel.js';
import type { Clock } from '../../core/clock.js';
import type { PushTarget } from '../../domain/model/message.js';
import type { Logger } from '../../core/log.js';
import type { ResolvedPush } from '../../core/push-target.js';

/** What every chat-platform channel is built with. */
export interface ChatChannelOptions {
  log: Logger;
  clock?: Clock;
  /** Chat ids of the configured groups; a message from any other group is logged once. */
  knownGroupIds?: Iterable<string>;
  /** Where a push really goes (see resolvePushTarget); default: where it was addressed. */
  resolveTarget?: (target: PushTarget) => Promise<ResolvedPush>;
}

/** A channel to a chat platform, which can end on its own (credentials revoked, taken over). */
export interface ChatChannel extends Channel {
  /**
   * Settles when the channel ends for good: resolves after stop(), rejects with a
   * ChannelFatalError (whose `exitCode` main should use) when the platform refused the
   * credentials, another instance took the bot over, or reconnecting was given up.
   */
  readonly done: Promise<void>;
  /** True once start() resolved: a later rejection of `done` is not a startup failure. */
  readonly started: boolean;
}
