import type { CategoryCode } from '../../src/domain/plan/types.js';
import { decryptCloseReason, decryptOpt, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CaseCategoryRecord, CaseRecord } from '../../src/domain/model/records.js';
import { empty, fromJson, indexedBy, raw, sql, toDate, toDateOrNull, type Sql, type SqlDb } from './db.js';

/** A timestamp column: ISO text on SQLite, a Date on PostgreSQL (see toDate). */
type Stamp = string | Date;

/** The plain columns of a case. */
export interface LightRow {
  id: number;
  code: string;
  primary_category: CategoryCode;
  gender: '男' | '女';
  birth_date: string;
  id_hash: string | null;
  dup_key: string;
  village: string;
  school_status: string | null;
  guardian_relation: string | null;
  guardianship_mode: string | null;
  risk_level: '低' | '中' | '高';
  mentor_user_id: string | null;
  mentor_name: string | null;
  reporter_user_id: string;
  /** JSON: text on SQLite, parsed when PostgreSQL keeps it as jsonb (see fromJson). */
  inferred_fields: unknown;
  status: 'open' | 'closed';
  created_at: Stamp;
  updated_at: Stamp;
  closed_at: Stamp | null;
  close_reason: string | null;
  sealed: number;
}

/** The identity columns, encrypted when a data key is set; decrypted on first read. */
export interface HeavyRow {
  full_name: string;
  id_number: string | null;
  school_detail: string | null;
  guardian_name: string | null;
  guardian_phone: string | null;
  bangjiao_name: string | null;
  bangjiao_phone: string | null;
  notes: string | null;
  /** Encrypted JSON text, or without a data key plain JSON (parsed if the column is jsonb). */
  details: unknown;
}

export type CaseRow = LightRow & HeavyRow;

interface Plain {
  fullName: string;
  idNumber: string | null;
  schoolDetail: string | null;
  guardianName: string | null;
  guardianPhone: string | null;
  bangjiaoName: string | null;
  bangjiaoPhone: string | null;
  notes: string | null;
  details: Record<string, unknown>;
}

const HEAVY_KEYS: ReadonlyArray<[keyof Plain, keyof HeavyRow]> = [
  ['fullName', 'full_name'],
  ['idNumber', 'id_number'],
  ['schoolDetail', 'school_detail'],
  ['guardianName', 'guardian_name'],
  ['guardianPhone', 'guardian_phone'],
  ['bangjiaoName', 'bangjiao_name'],
  ['bangjiaoPhone', 'bangjiao_phone'],
  ['notes', 'notes'],
  ['details', 'details'],
];

/** The case columns stored encrypted when a data key is set. */
export const ENCRYPTED_CASE_COLUMNS: ReadonlyArray<keyof HeavyRow> = HEAVY_KEYS.map(([, column]) => column);

/**
 * A case as the store hands it out. Plain fields are ordinary properties; identity fields are
 * read from the database (when the query did not already bring them) and decrypted the first
 * time anything asks for them, then kept. `toJSON` gives the full plain record.
 */
export class StoredCase implements CaseRecord {
  id: number;
  code: string;
  categories: CaseCategoryRecord[];
  primaryCategory: CategoryCode;
  gender: '男' | '女';
  birthDate: string;
  idHash: string | null;
  dupKey: string;
  village: string;
  schoolStatus: string | null;
  guardianRelation: string | null;
  guardianshipMode: string | null;
  riskLevel: '低' | '中' | '高' | null;
  mentorUserId: string | null;
  mentorName: string | null;
  reporterUserId: string;
  status: 'open' | 'closed';
  sealed: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closeReason: string | null;
  #inferred: unknown;
  readonly #heavy: HeavyRow;
  #plain: Plain | undefined;
  readonly #cipher: FieldCipher | null;

  constructor(r: CaseRow, categories: CaseCategoryRecord[], cipher: FieldCipher | null) {
    this.id = r.id;
    this.code = r.code;
    this.categories = categories;
    this.primaryCategory = r.primary_category;
    this.gender = r.gender;
    this.birthDate = r.birth_date;
    this.idHash = r.id_hash;
    this.dupKey = r.dup_key;
    this.village = r.village;
    this.schoolStatus = r.school_status;
    this.guardianRelation = r.guardian_relation;
    this.guardianshipMode = r.guardianship_mode;
    this.riskLevel = r.risk_level;
    this.mentorUserId = r.mentor_user_id;
    this.mentorName = r.mentor_name;
    this.reporterUserId = r.reporter_user_id;
    this.#inferred = r.inferred_fields;
    this.status = r.status;
    this.sealed = r.sealed === 1;
    this.createdAt = toDate(r.created_at);
    this.updatedAt = toDate(r.updated_at);
    this.closedAt = r.closed_at ? toDate(r.closed_at) : null;
    this.closeReason = decryptCloseReason(cipher, r.close_reason);
    this.#heavy = r;
    this.#cipher = cipher;
  }

  #identity(): Plain {
    if (!this.#plain) {
      const h = this.#heavy;
      const dec = (v: string | null) => decryptOpt(this.#cipher, v);
      this.#plain = {
        fullName: dec(h.full_name)!,
        idNumber: dec(h.id_number),
        schoolDetail: dec(h.school_detail),
        guardianName: dec(h.guardian_name),
        guardianPhone: dec(h.guardian_phone),
        bangjiaoName: dec(h.bangjiao_name),
        bangjiaoPhone: dec(h.bangjiao_phone),
        notes: dec(h.notes),
        details: fromJson<Record<string, unknown>>(typeof h.details === 'string' ? dec(h.details) : h.details),
      };
    }
    return this.#plain;
  }

  get inferredFields(): string[] {
    if (!Array.isArray(this.#inferred)) this.#inferred = fromJson<string[]>(this.#inferred);
    return this.#inferred as string[];
  }
  set inferredFields(v: string[]) { this.#inferred = v; }

  get fullName(): string { return this.#identity().fullName; }
  set fullName(v: string) { this.#identity().fullName = v; }
  get idNumber(): string | null { return this.#identity().idNumber; }
  set idNumber(v: string | null) { this.#identity().idNumber = v; }
  get schoolDetail(): string | null { return this.#identity().schoolDetail; }
  set schoolDetail(v: string | null) { this.#identity().schoolDetail = v; }
  get guardianName(): string | null { return this.#identity().guardianName; }
  set guardianName(v: string | null) { this.#identity().guardianName = v; }
  get guardianPhone(): string | null { return this.#identity().guardianPhone; }
  set guardianPhone(v: string | null) { this.#identity().guardianPhone = v; }
  get bangjiaoName(): string | null { return this.#identity().bangjiaoName; }
  set bangjiaoName(v: string | null) { this.#identity().bangjiaoName = v; }
  get bangjiaoPhone(): string | null { return this.#identity().bangjiaoPhone; }
  set bangjiaoPhone(v: string | null) { this.#identity().bangjiaoPhone = v; }
  get notes(): string | null { return this.#identity().notes; }
  set notes(v: string | null) { this.#identity().notes = v; }
  get details(): Record<string, unknown> { return this.#identity().details; }
  set details(v: Record<string, unknown>) { this.#identity().details = v; }

  toJSON(): CaseRecord {
    const out: Record<string, unknown> = { ...(this as object) };
    for (const [key] of HEAVY_KEYS) out[key] = this[key];
    out.inferredFields = this.inferredFields;
    return out as unknown as CaseRecord;
  }
}

/** Open cases and their categories, as two ordered scans merged in code (cheaper than a join). */
const SUMMARY_COLUMNS = raw(
  'c.id, c.code, c.village, c.mentor_user_id, c.mentor_name, c.risk_level, c.created_at, c.closed_at, c.last_contact_date, c.status, c.close_reason, c.birth_date',
);
const OPEN = raw("c.status = 'open'");

/** The not-contacted filter of a scan (see OpenSummaryFilter.notContactedSince): no contact from `since` to `asOf`. */
export interface NotContacted {
  since: string;
  asOf: string;
}

/**
 * "Not contacted from since to asOf": the kept latest day answers for nearly every case; only
 * when it lies after asOf (looking back in time) do the contacts themselves have to say.
 */
const notContacted = ({ since, asOf }: NotContacted): Sql => sql`(c.last_contact_date IS NULL OR c.last_contact_date < ${since}
  OR (c.last_contact_date > ${asOf} AND NOT EXISTS (
    SELECT 1 FROM contacts k WHERE k.case_id = c.id AND k.contact_date >= ${since} AND k.contact_date <= ${asOf})))`;

/** Every open case, through the covering index, in id order; optionally only those not contacted. */
export function summaryQuery(db: SqlDb, filter?: NotContacted): Sql {
  return filter === undefined
    ? sql`SELECT ${SUMMARY_COLUMNS} FROM cases c ${indexedBy(db, 'cases_summary')} WHERE ${OPEN} ORDER BY c.id`
    : sql`SELECT ${SUMMARY_COLUMNS} FROM cases c WHERE ${OPEN} AND ${notContacted(filter)} ORDER BY c.id`;
}

/** Read through the covering index (status first), then put back in id order for the merge. */
export const summaryAllQuery = (db: SqlDb): Sql =>
  sql`SELECT ${SUMMARY_COLUMNS} FROM cases c ${indexedBy(db, 'cases_summary')} WHERE c.status IN ('open', 'closed')`;
export const SUMMARY_ALL_CATEGORIES_QUERY: Sql = sql`SELECT case_id, category, lead_units FROM case_categories ORDER BY case_id, ordinal`;

/** The categories of every open case (optionally only those not contacted), in case id order. */
export function summaryCategoriesQuery(filter?: NotContacted): Sql {
  return sql`SELECT cc.case_id, cc.category, cc.lead_units FROM case_categories cc JOIN cases c ON c.id = cc.case_id
  WHERE ${OPEN}${filter === undefined ? empty : sql` AND ${notContacted(filter)}`} ORDER BY cc.case_id, cc.ordinal`;
}

/** One page of a scan (see OpenSummaryFilter): which rows, and how many. */
export interface SummaryPage {
  after: number;
  limit: number;
  notContacted?: NotContacted;
  mentor?: string;
  unit?: string;
}

/**
 * A page of open summaries by id, and the categories of that page, for any mix of filters. The
 * unfiltered page comes through the covering index; one mentor's cases through the mentor index,
 * one unit's through case_lead_units; either way only the matching rows are read, not the town's.
 * The categories are those of the cases of the page (ids after `after` up to `last` that pass the
 * same filter): the ids come from the index, so only the page's own category rows are read.
 */
export function summaryPageQueries(db: SqlDb, page: SummaryPage): { rows: Sql; categories: (last: number) => Sql } {
  const mentor = page.mentor !== undefined;
  const unit = page.unit !== undefined;
  const filter = sql`${page.notContacted === undefined ? empty : sql` AND ${notContacted(page.notContacted)}`}${
    mentor ? sql` AND c.mentor_user_id = ${page.mentor}` : empty
  }`;
  const from = unit
    ? sql`case_lead_units u CROSS JOIN cases c ${indexedBy(db, 'cases_summary')}`
    : mentor
      ? sql`cases c ${indexedBy(db, 'cases_mentor')}`
      : sql`cases c ${indexedBy(db, 'cases_summary')}`;
  const where = unit ? sql`u.unit = ${page.unit} AND u.case_id > ${page.after} AND c.id = u.case_id AND ${OPEN}` : sql`${OPEN} AND c.id > ${page.after}`;
  const key = raw(unit ? 'u.case_id' : 'c.id');
  return {
    rows: sql`SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${where}${filter} ORDER BY ${key} LIMIT ${page.limit}`,
    categories: (last) => sql`SELECT case_id, category, lead_units FROM case_categories WHERE case_id IN (
  SELECT c.id FROM ${from} WHERE ${where} AND ${key} <= ${last}${filter}) ORDER BY case_id, ordinal`,
  };
}

export type SummaryRow = [
  number, string, string, string | null, string | null, '低' | '中' | '高' | null, Stamp, Stamp | null, string | null, 'open' | 'closed', string | null, string,
];
/** The lead units are a JSON list: text on SQLite, parsed if PostgreSQL keeps them as jsonb. */
export type SummaryCategoryRow = [number, CategoryCode, unknown];

/**
 * See {@link CaseSummary}: the name comes as its stored ciphertext and is decrypted on first
 * read, so a scan of thousands decrypts only the few names it shows.
 */
export class StoredCaseSummary {
  readonly id: number;
  readonly code: string;
  readonly village: string;
  readonly mentorUserId: string | null;
  readonly mentorName: string | null;
  readonly riskLevel: '低' | '中' | '高' | null;
  readonly createdAt: Date;
  readonly closedAt: Date | null;
  readonly categories: CaseCategoryRecord[];
  readonly lastContactDate: string | null;
  readonly status: 'open' | 'closed';
  readonly closeReason: string | null;
  readonly birthDate: string;
  #name: string | undefined;
  readonly #storedName: string;
  readonly #cipher: FieldCipher | null;

  constructor(r: SummaryRow, categories: CaseCategoryRecord[], storedName: string, cipher: FieldCipher | null = null) {
    this.id = r[0];
    this.code = r[1];
    this.village = r[2];
    this.mentorUserId = r[3];
    this.mentorName = r[4];
    this.riskLevel = r[5];
    this.createdAt = toDate(r[6]);
    this.closedAt = toDateOrNull(r[7]);
    this.categories = categories;
    this.lastContactDate = r[8];
    this.status = r[9];
    this.closeReason = decryptCloseReason(cipher, r[10]);
    this.birthDate = r[11];
    this.#storedName = storedName;
    this.#cipher = cipher;
  }

  get fullName(): string {
    return (this.#name ??= decryptOpt(this.#cipher, this.#storedName)!);
  }
}
