import { sealOf, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sql, toIso, type SqlDb as Db } from './db.js';

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

/** Rows read per page by the scans over every case: a county's cases are never all in memory. */
const PAGE = 1000;

/**
 * A column as the seal covers it: the text SQLite keeps, whatever type PostgreSQL hands back
 * (a Date for a timestamp, a parsed value for jsonb), so a row seals the same on both.
 */
function sealValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return toIso(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/**
 * A MAC over each case row (key derived from HUMIAO_DATA_KEY; a plain hash without one), written
 * by every write to the row. It binds the row's id and code to its ciphertexts, so swapping
 * encrypted names between rows, or setting sealed = 0 with an SQL client, no longer matches.
 */
export class CaseSealer {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null,
  ) {}

  private sealData(r: Row): string {
    return JSON.stringify(SEALED_COLUMNS.map((c) => sealValue(r[c])));
  }

  private sealOfRow(r: Row): string {
    return sealOf(this.cipher, 'case row', this.sealData(r));
  }

  private row(id: number): Promise<Row | undefined> {
    return this.db.get<Row>(sql`SELECT * FROM cases WHERE id = ${id}`);
  }

  /** After a write to the case: seal what is now stored (read and sealed in one transaction). */
  async reseal(id: number): Promise<void> {
    const seal = async () => {
      const r = await this.row(id);
      if (r) await this.db.run(sql`UPDATE cases SET row_mac = ${this.sealOfRow(r)} WHERE id = ${id}`);
    };
    // Every write to a case already runs in a transaction; only a lone call opens its own.
    await this.db.atomic(seal);
  }

  /**
   * Whether the row's stored fields still match its seal (a row without one counts as intact).
   * With `keyless`, a seal made without a key (`sha256:`, as a trial run writes it) counts too:
   * only for the upgrade that encrypts such a row, since anyone could compute that seal.
   */
  async intact(id: number, opts: { keyless?: boolean } = {}): Promise<boolean> {
    const r = await this.row(id);
    if (!r || r.row_mac === null || r.row_mac === this.sealOfRow(r)) return true;
    return opts.keyless === true && r.row_mac === sealOf(null, 'case row', this.sealData(r));
  }

  /** Rows from before seals existed get one as they are (at the first start after the upgrade). */
  sealUnsealed(): Promise<number> {
    return this.db.atomic(async () => {
      let n = 0;
      for (let after = 0; ; ) {
        const ids = await this.db.values<[number]>(sql`SELECT id FROM cases WHERE row_mac IS NULL AND id > ${after} ORDER BY id LIMIT ${PAGE}`);
        for (const [id] of ids) await this.reseal(id);
        n += ids.length;
        if (ids.length < PAGE) return n;
        after = ids[ids.length - 1]![0];
      }
    });
  }

  /** The first case whose stored fields no longer match its seal, or null. */
  async firstBroken(): Promise<{ code: string; count: number } | { code: null; count: number }> {
    let count = 0;
    for (let after = 0; ; ) {
      const rows = await this.db.all<Row>(sql`SELECT * FROM cases WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`);
      for (const r of rows) {
        count++;
        if (r.row_mac !== null && r.row_mac !== this.sealOfRow(r)) return { code: r.code, count };
      }
      if (rows.length < PAGE) return { code: null, count };
      after = rows[rows.length - 1]!.id;
    }
  }
}
