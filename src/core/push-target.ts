import type { Config, Group } from '../config/schema.js';
import type { PushTarget, Reply } from '../domain/model/message.js';
import type { Store } from '../domain/ports/store.js';
import { HeldForReachError } from './channel.js';

/**
 * Thrown by {@link resolvePushTarget} when a person never wrote to the bot and there is no group
 * to leave them a notice in (no group for their unit and no broadcast group in the config).
 */
export class UnreachableTargetError extends Error {
  override name = 'UnreachableTargetError';
}

export interface ResolvedPush {
  /** Where the message really goes. */
  target: PushTarget;
  /** True when `target` is not the one asked for. */
  redirected: boolean;
  /**
   * Set when redirected: the notice to post instead of the original message (which may be about
   * a child and must not appear in a group). It names the cadre only.
   */
  notice?: Reply;
  /** The person the notice is for; a group webhook can @-mention them. */
  mention?: { userid: string; name: string };
  /** The target group's config entry, when the target is a configured group. */
  group?: Group;
}

const reachable = async (store: Pick<Store, 'chats'>, g: Group): Promise<boolean> =>
  Boolean(g.webhookKey) || await store.chats.get(g.chatid) !== undefined;

/**
 * WeCom lets the bot push only into a conversation where someone already wrote to it, and
 * Telegram refuses a private message to anyone who never started the bot. A person
 * who never opened a private chat with the bot therefore cannot be reached directly; the push
 * turns into a notice in their unit's group, else the broadcast group, asking them to write to
 * the bot once. Groups the bot can already reach (or that have a webhook key) are preferred.
 */
export async function resolvePushTarget(
  target: PushTarget,
  store: Pick<Store, 'chats'>,
  config: Pick<Config, 'members' | 'groups'>,
): Promise<ResolvedPush> {
  if (target.kind === 'chat') {
    const group = config.groups.find((g) => g.chatid === target.id);
    return { target, redirected: false, ...(group ? { group } : {}) };
  }
  if (await store.chats.get(target.id)) return { target, redirected: false };

  const member = config.members.find((m) => m.userid === target.id);
  const unitGroups = member ? config.groups.filter((g) => g.unit === member.unit) : [];
  const broadcast = config.groups.filter((g) => g.broadcast);
  const candidates = [...unitGroups, ...broadcast];
  let group = candidates[0];
  for (const g of candidates) {
    if (await reachable(store, g)) {
      group = g;
      break;
    }
  }
  const name = member?.name ?? target.id;
  if (!group) {
    throw new UnreachableTargetError(
      `${name}（${target.id}）从未私聊过机器人，且配置中没有其单位的群或广播群可以转达；请让他私聊机器人一次`,
    );
  }
  return {
    target: { kind: 'chat', id: group.chatid },
    redirected: true,
    notice: { text: `@${name}：您有护苗助手的私信提醒，请私聊机器人说一句话（如「你好」），待收的提醒会立即发给您。`, mentions: [target.id] },
    mention: { userid: target.id, name },
    group,
  };
}

/**
 * Where a channel may deliver a push, or the {@link HeldForReachError} that keeps it in the outbox
 * until the person writes to the bot: neither WeCom nor Telegram lets a bot write first to someone
 * who never wrote to it. Their group gets only a nudge of its own (the outbox records it as a
 * separate row), never the message, which may be about a child. One policy for every channel.
 */
export async function deliverableTarget(resolve: ((t: PushTarget) => Promise<ResolvedPush>) | undefined, target: PushTarget): Promise<ResolvedPush> {
  let resolved: ResolvedPush;
  try {
    resolved = (await resolve?.(target)) ?? { target, redirected: false };
  } catch (err) {
    // Nobody to nudge: the message still waits for the person's first message.
    if (err instanceof UnreachableTargetError) throw new HeldForReachError(err.message, target.id);
    throw err;
  }
  if (resolved.redirected) {
    throw new HeldForReachError(
      `${target.id} 还未私聊过机器人，消息等待其首次发言`,
      target.id,
      resolved.notice ? { target: resolved.target, reply: resolved.notice } : undefined,
    );
  }
  return resolved;
}
