import type { Store } from '../ports/store.js';
import { caseForm } from './case-form.js';

/** A form idle this long is paused; the next message gets a notice instead of being read as an answer. */
export const PAUSE_AFTER_MS = 30 * 60_000;

/** A draft untouched this long is deleted and the user told (data minimisation, docs/domain-rules.md P3). */
export const DROP_AFTER_MS = 7 * 24 * 3600_000;

export type SessionTiming = 'fresh' | 'idle' | 'expired';

export function sessionTiming(lastActiveAt: Date, now: Date): SessionTiming {
  const idle = now.getTime() - lastActiveAt.getTime();
  if (idle >= DROP_AFTER_MS) return 'expired';
  if (idle >= PAUSE_AFTER_MS) return 'idle';
  return 'fresh';
}

export const DROPPED_TEXT = '您的个案登记草稿已超过 7 天未继续，按规定已删除。如需登记，请重新发送「新增个案」。';
export const PAUSED_TEXT = '个案登记已暂停（超过 30 分钟未回复）。回复「继续」接着填写，回复「取消」放弃。草稿保留 7 天。';

/**
 * Deletes drafts untouched for 7 days and tells each user privately. For a daily schedule;
 * the handler also drops such a draft when its user next writes.
 */
export async function dropExpiredDrafts(store: Store, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - DROP_AFTER_MS);
  const old = await store.sessions.idleSince(cutoff);
  for (const s of old) {
    await store.sessions.delete(s.userId, s.chatId);
    // Short dialogs (走访, 结案) share the session store; only a registration draft is worth a notice.
    if (s.formId !== caseForm.id) continue;
    await store.outbox.enqueue(
      { target: { kind: 'user', id: s.userId }, reply: { text: DROPPED_TEXT }, reason: 'intake.draft-dropped', dedupeKey: `intake.dropped:${s.userId}:${s.chatId}:${s.createdAt.toISOString()}` },
      now,
    );
  }
  return old.length;
}
