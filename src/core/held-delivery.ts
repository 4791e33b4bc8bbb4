import type { OutboxItem } from '../domain/model/records.js';
import type { Store } from '../domain/ports/store.js';
import type { Reply } from '../domain/model/message.js';

/** Up to this many held messages are delivered as they are; more become one digest. */
export const HELD_SEPARATELY = 3;
/** A digest shows this many messages (newest first) and counts the rest. */
const DIGEST_SHOWN = 15;
const DIGEST_LINES = 3;

const REASON = 'outbox.held-digest';

function when(d: Date): string {
  const cn = new Date(d.getTime() + 8 * 3_600_000).toISOString();
  return `${Number(cn.slice(5, 7))}月${Number(cn.slice(8, 10))}日 ${cn.slice(11, 16)}`;
}

function excerpt(item: OutboxItem): string {
  const lines = item.reply.text.split('\n').filter((l) => l.trim() !== '');
  const shown = lines.slice(0, DIGEST_LINES).join('\n');
  return lines.length > DIGEST_LINES ? `${shown}\n……` : shown;
}

/** Newest first; the oldest beyond what is shown are counted, not dropped from the count. */
export function heldDigest(items: readonly OutboxItem[]): Reply {
  const shown = items.slice(0, DIGEST_SHOWN);
  const lines = [`您有 ${items.length} 条之前未能送达的提醒（最新的在前）：`];
  shown.forEach((it, i) => lines.push('', `${i + 1}.【${when(it.createdAt)}】${excerpt(it)}`));
  if (items.length > shown.length) lines.push('', `另有 ${items.length - shown.length} 条更早的提醒未列出；回复「我的个案」或「逾期」查看当前待办。`);
  return { text: lines.join('\n') };
}

/**
 * A person the bot could not reach wrote to it privately, so pushes to them now work: what was
 * held for them goes out. A few go as they were; many become one digest (newest first), the
 * rows themselves marked delivered inside it. Runs in the turn's transaction.
 */
export async function releaseHeld(store: Store, userId: string, now: Date): Promise<void> {
  const target = { kind: 'user' as const, id: userId };
  const held = await store.outbox.heldFor(target);
  if (held.length === 0) return;
  if (held.length <= HELD_SEPARATELY) {
    await store.outbox.release(target, now);
    return;
  }
  await store.outbox.enqueue({ target, reply: heldDigest(held), reason: REASON }, now);
  for (const it of held) await store.outbox.markSent(it.id, now, target);
}

/**
 * Opening the private chat: WeCom lets the bot answer with one welcome, but not yet push. What
 * is held goes into that welcome as a digest, and the rows count as delivered with it; should
 * the welcome itself fail, the channel's fallback queues it again for this person.
 */
export async function heldForWelcome(store: Store, userId: string, now: Date): Promise<Reply | undefined> {
  const target = { kind: 'user' as const, id: userId };
  const held = await store.outbox.heldFor(target);
  if (held.length === 0) return undefined;
  for (const it of held) await store.outbox.markSent(it.id, now, target);
  return heldDigest(held);
}
