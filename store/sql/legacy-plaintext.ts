import { encryptCloseReason, isEncrypted, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CaseSealer } from './case-seal.js';
import { sql, type SqlDb as Db } from './db.js';
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
 * edit that `audit verify` should still report. All of it is one transaction (a savepoint of the
 * caller's, which records that the upgrade ran).
 */
export function encryptLegacyPlaintext(db: Db, cipher: FieldCipher, seals: CaseSealer): Promise<LegacyPlaintextCounts> {
  return db.transaction(() => encryptAll(db, cipher, seals));
}

async function encryptAll(db: Db, cipher: FieldCipher, seals: CaseSealer): Promise<LegacyPlaintextCounts> {
  const plain = (v: string | null): v is string => v !== null && !isEncrypted(v);

  const replies = (await db.all<{ channel: string; id: string; replies: string }>(sql`SELECT channel, id, replies FROM inbound WHERE replies IS NOT NULL`)).filter((r) =>
    plain(r.replies),
  );
  for (const r of replies) await db.run(sql`UPDATE inbound SET replies = ${cipher.encrypt(r.replies)} WHERE channel = ${r.channel} AND id = ${r.id}`);

  const bodies = (await db.all<{ id: number; reply: string; sent_at: unknown }>(sql`SELECT id, reply, sent_at FROM outbox WHERE reply <> ${SENT_BODY}`)).filter((r) => plain(r.reply));
  for (const r of bodies) await db.run(sql`UPDATE outbox SET reply = ${r.sent_at === null ? cipher.encrypt(r.reply) : SENT_BODY} WHERE id = ${r.id}`);

  // Only the words after 「其他：」 are personal; the code before them stays plain for statistics.
  const reasons = (
    await db.all<{ id: number; close_reason: string }>(sql`SELECT id, close_reason FROM cases WHERE close_reason IS NOT NULL AND close_reason LIKE '%：%'`)
  ).filter((r) => plain(r.close_reason.slice(r.close_reason.indexOf('：') + 1)));
  for (const r of reasons) {
    const intact = await seals.intact(r.id);
    await db.run(sql`UPDATE cases SET close_reason = ${encryptCloseReason(cipher, r.close_reason)} WHERE id = ${r.id}`);
    if (intact) await seals.reseal(r.id);
  }

  const dialogs = (await db.all<{ user_id: string; chat_id: string; state: string }>(sql`SELECT user_id, chat_id, state FROM followup_dialogs`)).filter((r) =>
    plain(r.state),
  );
  for (const r of dialogs) await db.run(sql`UPDATE followup_dialogs SET state = ${cipher.encrypt(r.state)} WHERE user_id = ${r.user_id} AND chat_id = ${r.chat_id}`);

  return { replies: replies.length, outbox: bodies.length, closeReasons: reasons.length, dialogs: dialogs.length };
}
