import { createHash } from 'node:crypto';
import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { IdentityMarkRepo, MarkKind } from '../../src/domain/ports/store.js';
import { nameKey, numberKeys } from '../../src/domain/privacy/identity-text.js';
import type { SqlDb as Db } from './db.js';

/** Marks are looked up this many at a time: one prepared statement, padded, serves every message. */
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
  private readonly insertMark;
  private readonly dropCase;
  private readonly fillRow;
  private readonly ensureRow;
  private readonly setScheme;
  private readonly advance;
  private readonly advanceIfCovered;
  private readonly lengthen;
  private readonly notCovered;
  private readonly lookup;

  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null,
  ) {
    this.scheme = cipher ? `hmac:${cipher.mac('identity mark', 'scheme v1').slice(0, 16)}` : 'sha256:v1';
    this.insertMark = db.prepare('INSERT INTO identity_marks (mark, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.dropCase = db.prepare('DELETE FROM identity_marks WHERE case_id = ?');
    this.fillRow = db.prepare<[], { scheme: string; through: number; longest_name: number }>('SELECT scheme, through, longest_name FROM identity_mark_fill WHERE one = 1');
    this.ensureRow = db.prepare('INSERT INTO identity_mark_fill (one, scheme, through, longest_name) VALUES (1, ?, 0, 0) ON CONFLICT (one) DO NOTHING');
    this.setScheme = db.prepare('UPDATE identity_mark_fill SET scheme = ?, through = 0, longest_name = 0 WHERE one = 1');
    this.advance = db.prepare('UPDATE identity_mark_fill SET through = ? WHERE one = 1 AND through < ?');
    // A new case moves the mark past itself only when every case before it is already covered;
    // otherwise the fill still has ground to cover and passes over it again (marks are idempotent).
    this.advanceIfCovered = db.prepare(
      'UPDATE identity_mark_fill SET through = @id WHERE one = 1 AND through < @id AND NOT EXISTS (SELECT 1 FROM cases WHERE id > identity_mark_fill.through AND id < @id)',
    );
    this.lengthen = db.prepare('UPDATE identity_mark_fill SET longest_name = ? WHERE one = 1 AND longest_name < ?');
    this.notCovered = db.prepare<[], { one: number }>('SELECT 1 AS one FROM cases WHERE id > COALESCE((SELECT through FROM identity_mark_fill WHERE one = 1), 0) LIMIT 1');
    this.lookup = db.prepare<string[], { mark: string }>(`SELECT DISTINCT mark FROM identity_marks WHERE mark IN (${Array(LOOKUP).fill('?').join(', ')})`);
  }

  /**
   * Marks made under another key (or before a key was set) can never match again: they are
   * dropped and the fill starts over. Runs once, when the store opens.
   */
  adoptScheme(): void {
    const row = this.fillRow.get();
    if (!row || row.scheme === this.scheme) return;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM identity_marks').run();
      this.setScheme.run(this.scheme);
    }).immediate();
  }

  private mark(kind: MarkKind, value: string): string {
    const data = `${kind}\n${value}`;
    return this.cipher ? this.cipher.mac('identity mark', data).slice(0, 32) : createHash('sha256').update(`identity mark\n${data}`).digest('hex').slice(0, 32);
  }

  private write(c: Identity): void {
    this.ensureRow.run(this.scheme);
    let longest = 0;
    for (const n of c.names) {
      const key = nameKey(n);
      if (key === null) continue;
      this.insertMark.run(this.mark('name', key), c.id);
      this.insertMark.run(this.mark('start', [...key].slice(0, 2).join('')), c.id);
      longest = Math.max(longest, [...key].length);
    }
    for (const num of c.numbers) for (const key of numberKeys(num)) this.insertMark.run(this.mark('number', key), c.id);
    if (longest > 0) this.lengthen.run(longest, longest);
  }

  /** Called by the case repository inside the transaction that inserts the case. */
  added(c: Identity): void {
    this.write(c);
    this.advanceIfCovered.run({ id: c.id });
  }

  /** The case's names and numbers are gone (anonymised): so are their marks. */
  removed(caseId: number): void {
    this.dropCase.run(caseId);
  }

  pending(): boolean {
    return this.notCovered.get() !== undefined;
  }

  fill(read: (afterId: number, limit: number) => Identity[], limit: number): { more: boolean; broken: number[] } {
    return this.db.transaction(() => {
      const through = this.fillRow.get()?.through ?? 0;
      const page = read(through, limit);
      const broken: number[] = [];
      for (const c of page) {
        if (c.broken) broken.push(c.id);
        else this.write(c);
      }
      if (page.length > 0) {
        this.ensureRow.run(this.scheme);
        const last = page[page.length - 1]!.id;
        this.advance.run(last, last);
      }
      return { more: page.length === limit, broken };
    }).immediate();
  }

  longestName(): number {
    return this.fillRow.get()?.longest_name ?? 0;
  }

  onFile(kind: MarkKind, values: readonly string[]): Set<string> {
    const found = new Set<string>();
    const distinct = [...new Set(values)];
    for (let at = 0; at < distinct.length; at += LOOKUP) {
      const chunk = distinct.slice(at, at + LOOKUP);
      const marks = chunk.map((v) => this.mark(kind, v));
      const byMark = new Map(marks.map((m, i) => [m, chunk[i]!]));
      while (marks.length < LOOKUP) marks.push(marks[0]!);
      for (const { mark } of this.lookup.all(...marks)) found.add(byMark.get(mark)!);
    }
    return found;
  }
}
