import { createHash } from 'node:crypto';
import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { IdentityMarkRepo, MarkKind } from '../../src/domain/ports/store.js';
import { nameKey, numberKeys } from '../../src/domain/privacy/identity-text.js';
import { join, sql, type SqlDb as Db } from './db.js';

/** Marks are looked up this many at a time: one statement text, padded, serves every message. */
const LOOKUP = 64;

/** A case's names and numbers, decrypted (see CaseRepo.identitySince). */
export interface Identity {
  id: number;
  names: string[];
  numbers: string[];
  broken?: boolean;
}

/**
 * The group filter's index on disk (store/migrations/011): for every name and number on file, a
 * keyed hash, HMAC-SHA256 under a sub-key of HUMIAO_DATA_KEY cut to 128 bits. Without the key a
 * mark cannot be computed, so a copy of the database cannot be searched by hashing candidate
 * names; with it, the ciphertexts beside it say more anyway. Without a data key the values are
 * stored in plain text and the marks are plain SHA-256: they add nothing a reader could not see.
 *
 * A case's marks are written in the transaction that writes the case, so a case is never on
 * file without them. Cases from before the table are filled once, a page at a time; until that
 * is done {@link pending} says so and the filter fills the rest before it checks a message.
 */
export class SqlIdentityMarks implements IdentityMarkRepo {
  private readonly scheme: string;

  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null,
  ) {
    this.scheme = cipher ? `hmac:${cipher.mac('identity mark', 'scheme v1').slice(0, 16)}` : 'sha256:v1';
  }

  private fillRow(): Promise<{ scheme: string; through: number; longest_name: number } | undefined> {
    return this.db.get(sql`SELECT scheme, through, longest_name FROM identity_mark_fill WHERE one = 1`);
  }

  private async ensureRow(): Promise<void> {
    await this.db.run(sql`INSERT INTO identity_mark_fill (one, scheme, through, longest_name) VALUES (1, ${this.scheme}, 0, 0) ON CONFLICT (one) DO NOTHING`);
  }

  /**
   * Marks made under another key (or before a key was set) can never match again: they are
   * dropped and the fill starts over. Runs once, when the store opens (from its init()).
   */
  async adoptScheme(): Promise<void> {
    const row = await this.fillRow();
    if (!row || row.scheme === this.scheme) return;
    await this.db.atomic(async () => {
      await this.db.run(sql`DELETE FROM identity_marks`);
      await this.db.run(sql`UPDATE identity_mark_fill SET scheme = ${this.scheme}, through = 0, longest_name = 0 WHERE one = 1`);
    });
  }

  private mark(kind: MarkKind, value: string): string {
    const data = `${kind}\n${value}`;
    return this.cipher ? this.cipher.mac('identity mark', data).slice(0, 32) : createHash('sha256').update(`identity mark\n${data}`).digest('hex').slice(0, 32);
  }

  private async insertMark(mark: string, caseId: number): Promise<void> {
    await this.db.run(sql`INSERT INTO identity_marks (mark, case_id) VALUES (${mark}, ${caseId}) ON CONFLICT DO NOTHING`);
  }

  /** The caller runs it in a transaction (the case's, or the fill's). */
  private async write(c: Identity): Promise<void> {
    await this.ensureRow();
    let longest = 0;
    for (const n of c.names) {
      const key = nameKey(n);
      if (key === null) continue;
      await this.insertMark(this.mark('name', key), c.id);
      await this.insertMark(this.mark('start', [...key].slice(0, 2).join('')), c.id);
      longest = Math.max(longest, [...key].length);
    }
    for (const num of c.numbers) for (const key of numberKeys(num)) await this.insertMark(this.mark('number', key), c.id);
    if (longest > 0) await this.db.run(sql`UPDATE identity_mark_fill SET longest_name = ${longest} WHERE one = 1 AND longest_name < ${longest}`);
  }

  /** Called by the case repository inside the transaction that inserts the case. */
  async added(c: Identity): Promise<void> {
    await this.write(c);
    // A new case moves the mark past itself only when every case before it is already covered;
    // otherwise the fill still has ground to cover and passes over it again (marks are idempotent).
    await this.db.run(
      sql`UPDATE identity_mark_fill SET through = ${c.id} WHERE one = 1 AND through < ${c.id} AND NOT EXISTS (SELECT 1 FROM cases WHERE id > identity_mark_fill.through AND id < ${c.id})`,
    );
  }

  /** The case's names and numbers are gone (anonymised): so are their marks. */
  async removed(caseId: number): Promise<void> {
    await this.db.run(sql`DELETE FROM identity_marks WHERE case_id = ${caseId}`);
  }

  async pending(): Promise<boolean> {
    const r = await this.db.get(sql`SELECT 1 AS one FROM cases WHERE id > COALESCE((SELECT through FROM identity_mark_fill WHERE one = 1), 0) LIMIT 1`);
    return r !== undefined;
  }

  fill(read: (afterId: number, limit: number) => Promise<Identity[]>, limit: number): Promise<{ more: boolean; broken: number[] }> {
    // `read` runs inside the transaction (its queries join it), so the page and its marks agree.
    return this.db.atomic(async () => {
      const through = (await this.fillRow())?.through ?? 0;
      const page = await read(through, limit);
      const broken: number[] = [];
      for (const c of page) {
        if (c.broken) broken.push(c.id);
        else await this.write(c);
      }
      if (page.length > 0) {
        await this.ensureRow();
        const last = page[page.length - 1]!.id;
        await this.db.run(sql`UPDATE identity_mark_fill SET through = ${last} WHERE one = 1 AND through < ${last}`);
      }
      return { more: page.length === limit, broken };
    });
  }

  async longestName(): Promise<number> {
    return (await this.fillRow())?.longest_name ?? 0;
  }

  async onFile(kind: MarkKind, values: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const distinct = [...new Set(values)];
    for (let at = 0; at < distinct.length; at += LOOKUP) {
      const chunk = distinct.slice(at, at + LOOKUP);
      const marks = chunk.map((v) => this.mark(kind, v));
      const byMark = new Map(marks.map((m, i) => [m, chunk[i]!]));
      while (marks.length < LOOKUP) marks.push(marks[0]!);
      const rows = await this.db.all<{ mark: string }>(sql`SELECT DISTINCT mark FROM identity_marks WHERE mark IN (${join(marks)})`);
      for (const { mark } of rows) found.add(byMark.get(mark)!);
    }
    return found;
  }
}
