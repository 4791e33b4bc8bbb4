import { createHash } from 'node:crypto';

/**
 * What an audit entry says happened. `cli-login` is one run of an admin CLI command;
 * `migrate-store` is a town's records copied from SQLite into PostgreSQL; `seal-cases` is the
 * one-off sealing of case rows written before rows carried a MAC; `encrypt-legacy` the one-off
 * encryption, at the first keyed start after an upgrade, of what earlier versions kept in plain text; `denied` is a refused attempt
 * (a case command on a case the person may not touch, or by someone not in the config).
 */
export type AuditAction = 'view' | 'view-full' | 'view-sealed' | 'export' | 'create' | 'change' | 'close' | 'cli-login' | 'purge' | 'migrate-store' | 'seal-cases' | 'encrypt-legacy' | 'denied';

export interface AuditFields {
  id: number;
  at: string;
  actor: string;
  action: string;
  caseCode: string | null;
  reason: string | null;
  detail: string | null;
}

/** Hash of the entry before the first one. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The chain link: SHA-256 over the previous hash and every field of the entry, including its
 * id, so editing any field, deleting a row or reordering rows changes what later rows expect.
 */
export function auditHash(prevHash: string, e: AuditFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify([e.id, e.at, e.actor, e.action, e.caseCode, e.reason, e.detail]))
    .digest('hex');
}

export interface StoredAuditEntry extends AuditFields {
  prevHash: string;
  hash: string;
  /**
   * Part of what the hash covers is gone by design (a reason from before reasons were kept apart,
   * since erased by purge): the entry's own hash cannot be recomputed, only its links are checked.
   * The caller vouches for the rest of the row some other way.
   */
  contentErased?: boolean;
}

export type AuditVerifyResult =
  | { ok: true; count: number; /** Entries exist but no signed head was ever written for them. */ headMissing?: boolean }
  | { ok: false; count: number; brokenAt: number; problem: string };

/**
 * Walks the chain in id order. `maxIdEverUsed` (from sqlite_sequence) exposes rows deleted
 * from the end, which the chain alone cannot see.
 */
export function verifyAuditChain(entries: Iterable<StoredAuditEntry>, maxIdEverUsed: number): AuditVerifyResult {
  let prev = GENESIS_HASH;
  let expectedId = 1;
  let count = 0;
  for (const e of entries) {
    if (e.id !== expectedId) return { ok: false, count, brokenAt: expectedId, problem: `第 ${expectedId} 条记录已被删除` };
    if (e.prevHash !== prev) return { ok: false, count, brokenAt: e.id, problem: `第 ${e.id} 条记录与前一条衔接不上（前一条被改动或删除）` };
    if (!e.contentErased && auditHash(prev, e) !== e.hash) return { ok: false, count, brokenAt: e.id, problem: `第 ${e.id} 条记录的内容被改动` };
    prev = e.hash;
    expectedId++;
    count++;
  }
  if (maxIdEverUsed >= expectedId) return { ok: false, count, brokenAt: expectedId, problem: `第 ${expectedId} 条及之后的记录已被删除` };
  return { ok: true, count };
}
