import { encryptCloseReason, isEncrypted, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CaseSealer } from './case-seal.js';
import type { SqlDb as Db } from './db.js';
import { SENT_BODY } from './outbox.js';

export interface LegacyPlaintextCounts {
  replies: number;
  outbox: number;
  closeReasons: number;
  dialogs: number;
}

/**
 * Copies written in plain text before each was encrypted — cached replies, outbox bodies, the
 * words of 其他 close reasons, follow-up dialog state — are encrypted in place with the data key
 * (a sent outbox body is blanked instead, as it would be today). A case row whose seal matched
 * before is resealed; one that did not keeps its old seal, so the upgrade does not launder an
 * edit that `audit verify` should still report. The caller runs this in a transaction.
 */
export function encryptLegacyPlaintext(db: Db, cipher: FieldCipher, seals: CaseSealer): LegacyPlaintextCounts {
  const plain = (v: string | null): v is string => v !== null && !isEncrypted(v);

  const replies = db.prepare<[], { channel: string; id: string; replies: string }>('SELECT channel, id, replies FROM inbound WHERE replies IS NOT NULL').all().filter((r) => plain(r.replies));
  const setReplies = db.prepare('UPDATE inbound SET replies = ? WHERE channel = ? AND id = ?');
  for (const r of replies) setReplies.run(cipher.encrypt(r.replies), r.channel, r.id);

  const bodies = db.prepare<[string], { id: number; reply: string; sent_at: string | null }>('SELECT id, reply, sent_at FROM outbox WHERE reply <> ?').all(SENT_BODY).filter((r) => plain(r.reply));
  const setBody = db.prepare('UPDATE outbox SET reply = ? WHERE id = ?');
  for (const r of bodies) setBody.run(r.sent_at === null ? cipher.encrypt(r.reply) : SENT_BODY, r.id);

  // Only the words after 「其他：」 are personal; the code before them stays plain for statistics.
  const reasons = db
    .prepare<[], { id: number; close_reason: string }>("SELECT id, close_reason FROM cases WHERE close_reason IS NOT NULL AND close_reason LIKE '%：%'")
    .all()
    .filter((r) => plain(r.close_reason.slice(r.close_reason.indexOf('：') + 1)));
  const setReason = db.prepare('UPDATE cases SET close_reason = ? WHERE id = ?');
  for (const r of reasons) {
    const intact = seals.intact(r.id);
    setReason.run(encryptCloseReason(cipher, r.close_reason), r.id);
    if (intact) seals.reseal(r.id);
  }

  const dialogs = db.prepare<[], { user_id: string; chat_id: string; state: string }>('SELECT user_id, chat_id, state FROM followup_dialogs').all().filter((r) => plain(r.state));
  const setDialog = db.prepare('UPDATE followup_dialogs SET state = ? WHERE user_id = ? AND chat_id = ?');
  for (const r of dialogs) setDialog.run(cipher.encrypt(r.state), r.user_id, r.chat_id);

  return { replies: replies.length, outbox: bodies.length, closeReasons: reasons.length, dialogs: dialogs.length };
}
