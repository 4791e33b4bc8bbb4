import { sealOf, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { SqlDb as Db } from './db.js';

/**
 * Every stored column of a case that says who the child is or what is on record, in a fixed
 * order. last_contact_date and updated_at are bookkeeping and left out.
 */
const SEALED_COLUMNS = [
  'id', 'code', 'primary_category', 'full_name', 'gender', 'birth_date', 'id_number', 'id_hash', 'dup_key', 'village',
  'school_status', 'school_detail', 'guardian_name', 'guardian_relation', 'guardian_phone', 'guardianship_mode', 'risk_level',
  'mentor_user_id', 'mentor_name', 'reporter_user_id', 'bangjiao_name', 'bangjiao_phone', 'notes', 'details', 'inferred_fields',
  'sealed', 'status', 'created_at', 'closed_at', 'close_reason',
] as const;

type Row = Record<string, unknown> & { id: number; code: string; row_mac: string | null };

/**
 * A MAC over each case row (key derived from HUMIAO_DATA_KEY; a plain hash without one), written
 * by every write to the row. It binds the row's id and code to its ciphertexts, so swapping
 * encrypted names between rows, or setting sealed = 0 with an SQL client, no longer matches.
 */
export class CaseSealer {
  private readonly one;
  private readonly set;
  private readonly unsealed;
  private readonly all;

  constructor(
    db: Db,
    private readonly cipher: FieldCipher | null,
  ) {
    this.one = db.prepare<[number], Row>('SELECT * FROM cases WHERE id = ?');
    this.set = db.prepare('UPDATE cases SET row_mac = ? WHERE id = ?');
    this.unsealed = db.prepare<[], { id: number }>('SELECT id FROM cases WHERE row_mac IS NULL ORDER BY id');
    this.all = db.prepare<[], Row>('SELECT * FROM cases ORDER BY id');
  }

  private sealOfRow(r: Row): string {
    return sealOf(this.cipher, 'case row', JSON.stringify(SEALED_COLUMNS.map((c) => r[c] ?? null)));
  }

  /** After a write to the case: seal what is now stored. */
  reseal(id: number): void {
    const r = this.one.get(id);
    if (r) this.set.run(this.sealOfRow(r), id);
  }

  /** Whether the row's stored fields still match its seal (a row without one counts as intact). */
  intact(id: number): boolean {
    const r = this.one.get(id);
    return !r || r.row_mac === null || r.row_mac === this.sealOfRow(r);
  }

  /** Rows from before seals existed get one as they are (at the first start after the upgrade). */
  sealUnsealed(): number {
    const ids = this.unsealed.all();
    for (const { id } of ids) this.reseal(id);
    return ids.length;
  }

  /** The first case whose stored fields no longer match its seal, or null. */
  firstBroken(): { code: string; count: number } | { code: null; count: number } {
    let count = 0;
    for (const r of this.all.iterate()) {
      count++;
      if (r.row_mac !== null && r.row_mac !== this.sealOfRow(r)) return { code: r.code, count };
    }
    return { code: null, count };
  }
}
