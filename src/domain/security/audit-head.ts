import { sealOf, type FieldCipher } from './field-crypto.js';

/**
 * The audit log's head, kept outside the table (a file beside the SQLite database, a row in the
 * shared PostgreSQL schema, a copy in each backup): how many entries there were and the last
 * one's id and hash when it was written. The chain alone cannot see its own tail cut off, or the
 * whole table emptied; a head that names an entry the table no longer has can.
 *
 * With HUMIAO_DATA_KEY the head is sealed with an HMAC under a key derived from it, so someone
 * who can edit the database and the head but has no key cannot write a head that matches a cut
 * table. Without a key the seal is a plain SHA-256: it catches damage, not a forger.
 */
export interface AuditHead {
  count: number;
  lastId: number;
  lastHash: string;
}

export interface SealedAuditHead extends AuditHead {
  seal: string;
}

const payload = (h: AuditHead) => `${h.count}:${h.lastId}:${h.lastHash}`;

export function sealHead(cipher: FieldCipher | null, h: AuditHead): SealedAuditHead {
  return { count: h.count, lastId: h.lastId, lastHash: h.lastHash, seal: sealOf(cipher, 'audit head', payload(h)) };
}

/** Parses a stored head; `bad-seal` when it was edited (or sealed under another key, or without one). */
export function openHead(cipher: FieldCipher | null, text: string): SealedAuditHead | 'bad-seal' | 'unreadable' {
  let h: SealedAuditHead;
  try {
    h = JSON.parse(text) as SealedAuditHead;
  } catch {
    return 'unreadable';
  }
  if (!h || typeof h.count !== 'number' || typeof h.lastId !== 'number' || typeof h.lastHash !== 'string' || typeof h.seal !== 'string') return 'unreadable';
  return sealOf(cipher, 'audit head', payload(h)) === h.seal ? h : 'bad-seal';
}

/**
 * Where a store keeps its head. Asynchronous: on PostgreSQL it is a row in the shared schema. The
 * store writes it only after the transaction that appended the entries it names has committed.
 */
export interface AuditHeadStore {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  /** For messages: 「数据库旁的 humiao.db.audit-head」. */
  readonly where: string;
}
