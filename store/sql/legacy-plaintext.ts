import { soundKey } from '../../src/domain/intake/submit.js';
import { lookupKeys, plainLookupKeys, type LookupKeys } from '../../src/domain/privacy/lookup-key.js';
import { encryptCloseReason, isEncrypted, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CaseSealer } from './case-seal.js';
import { join, raw, sql, type Sql, type SqlDb as Db } from './db.js';
import { SENT_BODY } from './outbox.js';
import { ENCRYPTED_CASE_COLUMNS, type HeavyRow } from './stored-case.js';

export interface LegacyPlaintextCounts {
  replies: number;
  outbox: number;
  closeReasons: number;
  dialogs: number;
  /** Cases whose identity fields or lookup hashes were written without the key (a trial run). */
  cases: number;
  contacts: number;
  drafts: number;
  cards: number;
  turns: number;
  outcomes: number;
}


/** What purge leaves in a contact's notes, plain even with a key: it names no one. */
const ANONYMISED_NOTE = '（已匿名）';

/** Rows read per page: a county's cases and contacts are never all in memory. */
const PAGE = 1000;

type CaseRow = Record<keyof HeavyRow, string | null> & {
  id: number;
  id_hash: string | null;
  dup_key: string;
  village: string;
  close_reason: string | null;
};

/**
 * Copies written in plain text — by earlier versions (cached replies, outbox bodies, the words
 * of 其他 close reasons, follow-up dialog state) or while the bot ran without a key (the cases'
 * identity fields, contact notes, registration drafts, sent cards and answers) — are encrypted in
 * place with the data key (a sent outbox body is blanked instead, as it would be today). Lookup
 * hashes computed without the key are recomputed with it, so duplicate checks still find those
 * cases. A case row whose seal matched before is resealed; one that did not keeps its old seal,
 * so the upgrade does not launder an edit that `audit verify` should still report. All of it is
 * one transaction (a savepoint of the caller's, which records that the upgrade ran).
 */
export function encryptLegacyPlaintext(db: Db, cipher: FieldCipher, seals: CaseSealer): Promise<LegacyPlaintextCounts> {
  return db.transaction(() => encryptAll(db, cipher, seals));
}

const plain = (v: string | null): v is string => v !== null && !isEncrypted(v);

async function encryptAll(db: Db, cipher: FieldCipher, seals: CaseSealer): Promise<LegacyPlaintextCounts> {
  const replies = (await db.all<{ channel: string; id: string; replies: string }>(sql`SELECT channel, id, replies FROM inbound WHERE replies IS NOT NULL`)).filter((r) =>
    plain(r.replies),
  );
  for (const r of replies) await db.run(sql`UPDATE inbound SET replies = ${cipher.encrypt(r.replies)} WHERE channel = ${r.channel} AND id = ${r.id}`);

  const bodies = (await db.all<{ id: number; reply: string; sent_at: unknown }>(sql`SELECT id, reply, sent_at FROM outbox WHERE reply <> ${SENT_BODY}`)).filter((r) => plain(r.reply));
  for (const r of bodies) await db.run(sql`UPDATE outbox SET reply = ${r.sent_at === null ? cipher.encrypt(r.reply) : SENT_BODY} WHERE id = ${r.id}`);

  const { cases, closeReasons } = await upgradeCases(db, cipher, seals);

  let contacts = 0;
  for (let after = 0; ; ) {
    const rows = await db.all<{ id: number; notes: string }>(sql`SELECT id, notes FROM contacts WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`);
    for (const r of rows) {
      if (!plain(r.notes) || r.notes === ANONYMISED_NOTE) continue;
      await db.run(sql`UPDATE contacts SET notes = ${cipher.encrypt(r.notes)} WHERE id = ${r.id}`);
      contacts++;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }

  // The short-lived tables (drafts, dialogs, cards, answers) hold a few rows per member at most.
  const byUserChat = async (table: string, column: string): Promise<number> => {
    const rows = (await db.all<{ user_id: string; chat_id: string; v: string | null }>(sql`SELECT user_id, chat_id, ${raw(column)} AS v FROM ${raw(table)}`)).filter((r) =>
      plain(r.v),
    );
    for (const r of rows) await db.run(sql`UPDATE ${raw(table)} SET ${raw(column)} = ${cipher.encrypt(r.v!)} WHERE user_id = ${r.user_id} AND chat_id = ${r.chat_id}`);
    return rows.length;
  };
  const dialogs = await byUserChat('followup_dialogs', 'state');
  const drafts = await byUserChat('form_sessions', 'state');
  const turns = await byUserChat('conversation_turns', 'reply');
  const outcomes = await byUserChat('dialog_outcomes', 'reply');

  const cards = (await db.all<{ task_id: string; body: string }>(sql`SELECT task_id, body FROM sent_cards`)).filter((r) => plain(r.body));
  for (const r of cards) await db.run(sql`UPDATE sent_cards SET body = ${cipher.encrypt(r.body)} WHERE task_id = ${r.task_id}`);

  return { replies: replies.length, outbox: bodies.length, closeReasons, dialogs, cases, contacts, drafts, cards: cards.length, turns, outcomes };
}

/**
 * The lookup hash `stored` recomputed under the key, if it is the keyless hash of this case's
 * values; otherwise (already keyed, anonymised, or not derived from them) null. Each form a
 * version wrote is tried, and the same form is written back, so a check that searches with it
 * finds the case as before.
 */
function rekeyed(stored: string | null, forms: ReadonlyArray<(keys: LookupKeys) => string>, keyed: LookupKeys): string | null {
  if (stored === null) return null;
  const form = forms.find((f) => f(plainLookupKeys) === stored);
  return form ? form(keyed) : null;
}

async function upgradeCases(db: Db, cipher: FieldCipher, seals: CaseSealer): Promise<{ cases: number; closeReasons: number }> {
  const keyed = lookupKeys(cipher.macKey);
  let cases = 0;
  let closeReasons = 0;
  for (let after = 0; ; ) {
    const rows = await db.all<CaseRow>(sql`SELECT * FROM cases WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`);
    for (const r of rows) {
      const sets: Sql[] = [];
      const secrets = ENCRYPTED_CASE_COLUMNS.filter((c) => plain(r[c]));
      // Column names come from the fixed list of encrypted columns.
      for (const c of secrets) sets.push(sql`${raw(c)} = ${cipher.encrypt(r[c]!)}`);
      // Hashes were computed without the key only where the values were stored without it.
      if (secrets.length > 0) {
        const idNumber = r.id_number === null ? null : cipher.decrypt(r.id_number);
        const name = r.full_name === null ? null : cipher.decrypt(r.full_name);
        const idHash = idNumber === null ? null : rekeyed(r.id_hash, [(k) => k.idLookupHash(idNumber)], keyed);
        const dupKey =
          name === null ? null : rekeyed(r.dup_key, [(k) => soundKey(k, name, r.village), (k) => k.nameVillageKey(name, r.village)], keyed);
        if (idHash !== null) sets.push(sql`id_hash = ${idHash}`);
        if (dupKey !== null) sets.push(sql`dup_key = ${dupKey}`);
      }
      const trial = sets.length > 0;
      // Only the words after 「其他：」 are personal; the code before them stays plain for statistics.
      const at = r.close_reason?.indexOf('：') ?? -1;
      const closeReason = r.close_reason !== null && at >= 0 && plain(r.close_reason.slice(at + 1));
      if (closeReason) sets.push(sql`close_reason = ${encryptCloseReason(cipher, r.close_reason!)}`);
      if (sets.length === 0) continue;
      // A row written without the key carries a keyless seal; it counts only on a row that still
      // holds plain identity fields, which a keyed write never leaves.
      const intact = await seals.intact(r.id, { keyless: secrets.length > 0 });
      await db.run(sql`UPDATE cases SET ${join(sets, ', ')} WHERE id = ${r.id}`);
      if (intact) await seals.reseal(r.id);
      if (trial) cases++;
      if (closeReason) closeReasons++;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  return { cases, closeReasons };
}
