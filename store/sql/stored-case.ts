import type { CategoryCode } from '../../src/domain/plan/types.js';
import { decryptCloseReason, decryptOpt, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import type { CaseCategoryRecord, CaseRecord } from '../../src/domain/model/records.js';

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
  inferred_fields: string;
  status: 'open' | 'closed';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
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
  details: string;
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
  #inferred: string | string[];
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
    this.createdAt = new Date(r.created_at);
    this.updatedAt = new Date(r.updated_at);
    this.closedAt = r.closed_at ? new Date(r.closed_at) : null;
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
        details: JSON.parse(dec(h.details)!) as Record<string, unknown>,
      };
    }
    return this.#plain;
  }

  get inferredFields(): string[] {
    if (typeof this.#inferred === 'string') this.#inferred = JSON.parse(this.#inferred) as string[];
    return this.#inferred;
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
const SUMMARY_COLUMNS =
  'c.id, c.code, c.village, c.mentor_user_id, c.mentor_name, c.risk_level, c.created_at, c.closed_at, c.last_contact_date, c.status, c.close_reason, c.birth_date';
const OPEN = "c.status = 'open'";
/**
 * "Not contacted from @since to @asOf": the kept latest day answers for nearly every case; only
 * when it lies after @asOf (looking back in time) do the contacts themselves have to say.
 */
const NOT_CONTACTED = `(c.last_contact_date IS NULL OR c.last_contact_date < @since
  OR (c.last_contact_date > @asOf AND NOT EXISTS (
    SELECT 1 FROM contacts k WHERE k.case_id = c.id AND k.contact_date >= @since AND k.contact_date <= @asOf)))`;

export const SUMMARY_QUERY = `SELECT ${SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_summary WHERE ${OPEN} ORDER BY c.id`;
// Read through the covering index (status first), then put back in id order for the merge.
export const SUMMARY_ALL_QUERY = `SELECT ${SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_summary WHERE c.status IN ('open', 'closed')`;
export const SUMMARY_ALL_CATEGORIES_QUERY = 'SELECT case_id, category, lead_units FROM case_categories ORDER BY case_id, ordinal';
export const SUMMARY_NOT_CONTACTED_QUERY = `SELECT ${SUMMARY_COLUMNS} FROM cases c WHERE ${OPEN} AND ${NOT_CONTACTED} ORDER BY c.id`;
export const SUMMARY_CATEGORIES_QUERY = `SELECT cc.case_id, cc.category, cc.lead_units FROM case_categories cc JOIN cases c ON c.id = cc.case_id
  WHERE ${OPEN} ORDER BY cc.case_id, cc.ordinal`;
export const SUMMARY_CATEGORIES_NOT_CONTACTED_QUERY = `SELECT cc.case_id, cc.category, cc.lead_units FROM case_categories cc JOIN cases c ON c.id = cc.case_id
  WHERE ${OPEN} AND ${NOT_CONTACTED} ORDER BY cc.case_id, cc.ordinal`;

/** Pages by id (see OpenSummaryFilter.afterId): through the covering index, in id order. */
export const SUMMARY_PAGE_QUERY = `SELECT ${SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_summary WHERE ${OPEN} AND c.id > @after ORDER BY c.id LIMIT @limit`;
export const SUMMARY_PAGE_NOT_CONTACTED_QUERY = `SELECT ${SUMMARY_COLUMNS} FROM cases c INDEXED BY cases_summary
  WHERE ${OPEN} AND c.id > @after AND ${NOT_CONTACTED} ORDER BY c.id LIMIT @limit`;
/**
 * The categories of the cases of one page (ids after @after up to @last that pass the same
 * filter): the ids come from the covering index, so only the page's own category rows are read.
 */
const pageCategories = (filter: string) => `SELECT case_id, category, lead_units FROM case_categories WHERE case_id IN (
  SELECT c.id FROM cases c INDEXED BY cases_summary WHERE ${OPEN} AND c.id > @after AND c.id <= @last${filter}) ORDER BY case_id, ordinal`;
export const SUMMARY_PAGE_CATEGORIES_QUERY = pageCategories('');
export const SUMMARY_PAGE_CATEGORIES_NOT_CONTACTED_QUERY = pageCategories(` AND ${NOT_CONTACTED}`);

/** The optional filters of a page query (see OpenSummaryFilter): which rows, not how many. */
export interface SummaryPageShape {
  notContacted: boolean;
  mentor: boolean;
  unit: boolean;
}

/**
 * A page of open summaries and the categories of that page, for any mix of filters. One
 * mentor's cases come through the mentor index, one unit's through case_lead_units; either way
 * only the matching rows are read, not the town's.
 */
export function summaryPageQueries(shape: SummaryPageShape): { rows: string; categories: string } {
  const filter = `${shape.notContacted ? ` AND ${NOT_CONTACTED}` : ''}${shape.mentor ? ' AND c.mentor_user_id = @mentor' : ''}`;
  const from = shape.unit
    ? 'case_lead_units u CROSS JOIN cases c INDEXED BY cases_summary'
    : shape.mentor
      ? 'cases c INDEXED BY cases_mentor'
      : 'cases c INDEXED BY cases_summary';
  const where = shape.unit ? `u.unit = @unit AND u.case_id > @after AND c.id = u.case_id AND ${OPEN}` : `${OPEN} AND c.id > @after`;
  const key = shape.unit ? 'u.case_id' : 'c.id';
  return {
    rows: `SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${where}${filter} ORDER BY ${key} LIMIT @limit`,
    categories: `SELECT case_id, category, lead_units FROM case_categories WHERE case_id IN (
  SELECT c.id FROM ${from} WHERE ${where} AND ${key} <= @last${filter}) ORDER BY case_id, ordinal`,
  };
}

export type SummaryRow = [
  number, string, string, string | null, string | null, '低' | '中' | '高' | null, string, string | null, string | null, 'open' | 'closed', string | null, string,
];
export type SummaryCategoryRow = [number, CategoryCode, string];

/** See {@link CaseSummary}: the name is fetched and decrypted on first read. */
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
  readonly #nameOf: (id: number) => string;

  constructor(r: SummaryRow, categories: CaseCategoryRecord[], nameOf: (id: number) => string, cipher: FieldCipher | null = null) {
    this.id = r[0];
    this.code = r[1];
    this.village = r[2];
    this.mentorUserId = r[3];
    this.mentorName = r[4];
    this.riskLevel = r[5];
    this.createdAt = new Date(r[6]);
    this.closedAt = r[7] === null ? null : new Date(r[7]);
    this.categories = categories;
    this.lastContactDate = r[8];
    this.status = r[9];
    this.closeReason = decryptCloseReason(cipher, r[10]);
    this.birthDate = r[11];
    this.#nameOf = nameOf;
  }

  get fullName(): string {
    return (this.#name ??= this.#nameOf(this.id));
  }
}
