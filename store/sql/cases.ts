import type { CategoryCode } from '../../src/domain/plan/types.js';
import { decryptOpt, encryptOpt, FieldDecryptError, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import { isSealedDetails } from '../../src/domain/security/sealed.js';
import type { CaseCategoryRecord, CaseRecord, CaseSummary, MandatoryReportInsert, MandatoryReportRecord, NewCase } from '../../src/domain/model/records.js';
import type { CasePatch, CaseRepo, OpenSummaryFilter } from '../../src/domain/ports/store.js';
import type { SqlDb as Db, SqlStatement } from './db.js';
import type { CaseSealer } from './case-seal.js';
import type { SqlIdentityMarks } from './identity-marks.js';

type Stmt<R> = SqlStatement<[Record<string, unknown>], R>;
import { StoredCase, StoredCaseSummary, SUMMARY_ALL_CATEGORIES_QUERY, SUMMARY_ALL_QUERY, SUMMARY_CATEGORIES_NOT_CONTACTED_QUERY, SUMMARY_CATEGORIES_QUERY, SUMMARY_NOT_CONTACTED_QUERY, SUMMARY_QUERY, SUMMARY_PAGE_QUERY, SUMMARY_PAGE_NOT_CONTACTED_QUERY, SUMMARY_PAGE_CATEGORIES_QUERY, SUMMARY_PAGE_CATEGORIES_NOT_CONTACTED_QUERY, summaryPageQueries, type SummaryPageShape, type SummaryCategoryRow, type SummaryRow, type CaseRow } from './stored-case.js';


interface CategoryRow {
  case_id: number;
  category: CategoryCode;
  lead_units: string;
}

interface ReportRow {
  id: number;
  case_id: number | null;
  user_id: string;
  chat_id: string;
  sign: string;
  report_to: string;
  prompted_at: string;
}

export class SqlCaseRepo implements CaseRepo {
  private readonly bumpSerial;
  private readonly insertCase;
  private readonly insertCategory;
  private readonly byCode;
  private readonly byId;
  private readonly byIdHash;
  private readonly byDupKey;
  private readonly all;
  private readonly categoriesOf;
  private readonly allCategories;
  private readonly openRows;
  private readonly allSummaries;
  private readonly allSummaryCategories;
  private readonly summaryCategories;
  private readonly summariesNotContacted;
  private readonly summaryCategoriesNotContacted;
  private readonly summaryPage;
  private readonly summaryPageNotContacted;
  private readonly summaryPageCategories;
  private readonly summaryPageCategoriesNotContacted;
  private readonly nameOfStmt;
  private readonly insertReport;
  private readonly attachReport;
  private readonly reportsOf;
  private readonly allReports;
  private readonly identityRows;
  private readonly closedBefore;
  private readonly anonymise;
  private readonly wipeContacts;
  private readonly insertLeadUnit;
  private readonly rowsAfter;
  private readonly categoriesAfter;
  private readonly countStmt;
  private readonly ledBy;
  /** Filtered page queries, prepared on first use: one pair per mix of filters. */
  private readonly filteredPages = new Map<string, { rows: Stmt<SummaryRow>; categories: Stmt<SummaryCategoryRow> }>();

  /**
   * With a cipher, identity fields (name, ID number, guardian and 帮教 names and phones, school
   * detail, notes) and the details JSON are encrypted here, at the boundary: handlers only
   * ever see plain values, and the lookup keys (id_hash, dup_key) stay searchable.
   */
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher | null = null,
    private readonly sealer: CaseSealer | null = null,
    private readonly marks: SqlIdentityMarks | null = null,
  ) {
    this.closedBefore = db.prepare<[string], { id: number; code: string; birth_date: string; close_reason: string | null }>(
      "SELECT id, code, birth_date, close_reason FROM cases WHERE status = 'closed' AND closed_at < ? AND dup_key NOT LIKE 'anonymised:%' ORDER BY id",
    );
    this.anonymise = db.prepare(
      `UPDATE cases SET full_name = @name, birth_date = @birth, id_number = NULL, id_hash = NULL, dup_key = @dup,
         school_detail = NULL, guardian_name = NULL, guardian_phone = NULL, bangjiao_name = NULL, bangjiao_phone = NULL,
         notes = NULL, details = @details, sealed = 0, close_reason = @close, updated_at = @now WHERE id = @id`,
    );
    // contacts belongs to the follow-up feature; its free-text notes may name the child.
    this.wipeContacts = db.prepare("UPDATE contacts SET notes = '（已匿名）' WHERE case_id = ?");
    this.identityRows = db.prepare<
      [number, number],
      Pick<CaseRow, 'id' | 'full_name' | 'guardian_name' | 'bangjiao_name' | 'id_number' | 'guardian_phone' | 'bangjiao_phone'>
    >('SELECT id, full_name, guardian_name, bangjiao_name, id_number, guardian_phone, bangjiao_phone FROM cases WHERE id > ? ORDER BY id LIMIT ?');
    this.bumpSerial = db.prepare<[number], { last: number }>(
      'INSERT INTO case_serials (year, last) VALUES (?, 1) ON CONFLICT (year) DO UPDATE SET last = case_serials.last + 1 RETURNING last',
    );
    this.insertCase = db.prepare(
      `INSERT INTO cases (code, primary_category, full_name, gender, birth_date, id_number, id_hash, dup_key, village,
         school_status, school_detail, guardian_name, guardian_relation, guardian_phone, guardianship_mode, risk_level,
         mentor_user_id, mentor_name, reporter_user_id, bangjiao_name, bangjiao_phone, notes, details, inferred_fields,
         sealed, created_at, updated_at)
       VALUES (@code, @primary_category, @full_name, @gender, @birth_date, @id_number, @id_hash, @dup_key, @village,
         @school_status, @school_detail, @guardian_name, @guardian_relation, @guardian_phone, @guardianship_mode, @risk_level,
         @mentor_user_id, @mentor_name, @reporter_user_id, @bangjiao_name, @bangjiao_phone, @notes, @details, @inferred_fields,
         @sealed, @created_at, @created_at) RETURNING id`,
    );
    this.insertCategory = db.prepare('INSERT INTO case_categories (case_id, category, ordinal, lead_units) VALUES (?, ?, ?, ?)');
    // One row per (lead unit, case), so 逾期 for a unit reads that unit's cases through an index.
    this.insertLeadUnit = db.prepare('INSERT INTO case_lead_units (unit, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.ledBy = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM case_lead_units WHERE unit = ? LIMIT 1');
    this.byCode = db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE code = ?');
    this.byId = db.prepare<[number], CaseRow>('SELECT * FROM cases WHERE id = ?');
    this.byIdHash = db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE id_hash = ? ORDER BY id');
    this.byDupKey = db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE dup_key = ? ORDER BY id');
    // Whole rows: list() serves export, which reads every field; fetching the identity columns
    // lazily cost one more query per case (100,000 round trips at county size on PostgreSQL).
    this.all = db.prepare<[], CaseRow>('SELECT * FROM cases ORDER BY id');
    this.rowsAfter = db.prepare<[number, number], CaseRow>('SELECT * FROM cases WHERE id > ? ORDER BY id LIMIT ?');
    this.categoriesAfter = db.prepare<[number, number], CategoryRow>('SELECT * FROM case_categories WHERE case_id > ? AND case_id <= ? ORDER BY case_id, ordinal');
    this.countStmt = db.prepare<[], { total: number; sealed: number | null }>('SELECT count(*) AS total, sum(sealed) AS sealed FROM cases');
    this.categoriesOf = db.prepare<[number], CategoryRow>('SELECT * FROM case_categories WHERE case_id = ? ORDER BY ordinal');
    this.allCategories = db.prepare<[], CategoryRow>('SELECT * FROM case_categories ORDER BY case_id, ordinal');
    this.openRows = db.prepare<[], SummaryRow>(SUMMARY_QUERY).raw(true);
    this.allSummaries = db.prepare<[], SummaryRow>(SUMMARY_ALL_QUERY).raw(true);
    this.allSummaryCategories = db.prepare<[], SummaryCategoryRow>(SUMMARY_ALL_CATEGORIES_QUERY).raw(true);
    this.summaryCategories = db.prepare<[], SummaryCategoryRow>(SUMMARY_CATEGORIES_QUERY).raw(true);
    this.summariesNotContacted = db.prepare<[{ since: string; asOf: string }], SummaryRow>(SUMMARY_NOT_CONTACTED_QUERY).raw(true);
    this.summaryCategoriesNotContacted = db.prepare<[{ since: string; asOf: string }], SummaryCategoryRow>(SUMMARY_CATEGORIES_NOT_CONTACTED_QUERY).raw(true);
    this.summaryPage = db.prepare<[{ after: number; limit: number }], SummaryRow>(SUMMARY_PAGE_QUERY).raw(true);
    this.summaryPageNotContacted = db.prepare<[{ after: number; limit: number; since: string; asOf: string }], SummaryRow>(SUMMARY_PAGE_NOT_CONTACTED_QUERY).raw(true);
    this.summaryPageCategories = db.prepare<[{ after: number; last: number }], SummaryCategoryRow>(SUMMARY_PAGE_CATEGORIES_QUERY).raw(true);
    this.summaryPageCategoriesNotContacted = db.prepare<[{ after: number; last: number; since: string; asOf: string }], SummaryCategoryRow>(
      SUMMARY_PAGE_CATEGORIES_NOT_CONTACTED_QUERY,
    ).raw(true);
    this.nameOfStmt = db.prepare<[number], { full_name: string }>('SELECT full_name FROM cases WHERE id = ?');
    this.insertReport = db.prepare(
      'INSERT INTO mandatory_reports (case_id, user_id, chat_id, sign, report_to, prompted_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    );
    this.attachReport = db.prepare('UPDATE mandatory_reports SET case_id = ? WHERE id = ? AND case_id IS NULL');
    this.reportsOf = db.prepare<[number], ReportRow>('SELECT * FROM mandatory_reports WHERE case_id = ? ORDER BY id');
    this.allReports = db.prepare<[], ReportRow>('SELECT * FROM mandatory_reports ORDER BY id');
  }

  nextCode(prefix: string, year: number): string {
    const { last } = this.bumpSerial.get(year)!;
    return `${prefix}-${year}-${String(last).padStart(4, '0')}`;
  }

  insert(c: NewCase): CaseRecord {
    const enc = (v: string | null) => encryptOpt(this.cipher, v);
    const r = this.insertCase.get({
      code: c.code,
      primary_category: c.primaryCategory,
      full_name: enc(c.fullName),
      gender: c.gender,
      birth_date: c.birthDate,
      id_number: enc(c.idNumber),
      id_hash: c.idHash,
      dup_key: c.dupKey,
      village: c.village,
      school_status: c.schoolStatus,
      school_detail: enc(c.schoolDetail),
      guardian_name: enc(c.guardianName),
      guardian_relation: c.guardianRelation,
      guardian_phone: enc(c.guardianPhone),
      guardianship_mode: c.guardianshipMode,
      risk_level: c.riskLevel,
      mentor_user_id: c.mentorUserId,
      mentor_name: c.mentorName,
      reporter_user_id: c.reporterUserId,
      bangjiao_name: enc(c.bangjiaoName),
      bangjiao_phone: enc(c.bangjiaoPhone),
      notes: enc(c.notes),
      details: enc(JSON.stringify(c.details)),
      sealed: isSealedDetails(c.details) ? 1 : 0,
      inferred_fields: JSON.stringify(c.inferredFields),
      created_at: c.createdAt.toISOString(),
    });
    const id = (r as { id: number }).id;
    c.categories.forEach((cat, i) => this.insertCategory.run(id, cat.code, i, JSON.stringify(cat.leadUnits)));
    this.sealer?.reseal(id);
    this.marks?.added({
      id,
      names: [c.fullName, c.guardianName, c.bangjiaoName].filter((v): v is string => v !== null),
      numbers: [c.idNumber, c.guardianPhone, c.bangjiaoPhone].filter((v): v is string => v !== null),
    });
    for (const unit of new Set(c.categories.flatMap((cat) => cat.leadUnits))) this.insertLeadUnit.run(unit, id);
    return this.toRecord(this.byId.get(id)!);
  }

  update(caseId: number, patch: CasePatch, now: Date): CaseRecord {
    const enc = (v: string | null | undefined) => encryptOpt(this.cipher, v ?? null);
    const params: Record<string, unknown> = { id: caseId, now: now.toISOString() };
    const sets: string[] = [];
    const put = (column: string, value: unknown) => {
      sets.push(`${column} = @${column}`);
      params[column] = value;
    };
    const plain = { birthDate: 'birth_date', idHash: 'id_hash', dupKey: 'dup_key', village: 'village', schoolStatus: 'school_status', guardianRelation: 'guardian_relation', guardianshipMode: 'guardianship_mode', riskLevel: 'risk_level' } as const;
    const secret = { fullName: 'full_name', idNumber: 'id_number', schoolDetail: 'school_detail', guardianName: 'guardian_name', guardianPhone: 'guardian_phone', bangjiaoName: 'bangjiao_name', bangjiaoPhone: 'bangjiao_phone' } as const;
    for (const [k, col] of Object.entries(plain)) if (k in patch) put(col, patch[k as keyof typeof plain] ?? null);
    for (const [k, col] of Object.entries(secret)) if (k in patch) put(col, enc(patch[k as keyof typeof secret]));
    if (patch.details) {
      put('details', enc(JSON.stringify(patch.details)));
      put('sealed', isSealedDetails(patch.details) ? 1 : 0);
    }
    if (sets.length) {
      this.db.prepare(`UPDATE cases SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`).run(params);
      this.sealer?.reseal(caseId);
    }
    const c = this.toRecord(this.byId.get(caseId)!);
    // The group filter must know a name or number completed now, as one given at registration.
    if (this.marks && Object.keys(secret).some((k) => k in patch)) {
      this.marks.removed(caseId);
      this.marks.added({
        id: caseId,
        names: [c.fullName, c.guardianName, c.bangjiaoName].filter((v): v is string => v !== null),
        numbers: [c.idNumber, c.guardianPhone, c.bangjiaoPhone].filter((v): v is string => v !== null),
      });
    }
    return c;
  }

  getByCode(code: string): CaseRecord | undefined {
    const r = this.byCode.get(code);
    return r && this.toRecord(r);
  }

  findByIdHash(idHash: string): CaseRecord[] {
    return this.byIdHash.all(idHash).map((r) => this.toRecord(r));
  }

  findByDupKey(dupKey: string): CaseRecord[] {
    return this.byDupKey.all(dupKey).map((r) => this.toRecord(r));
  }

  openSummaries(filter: OpenSummaryFilter = {}): CaseSummary[] {
    const since = filter.notContactedSince;
    const args = since === undefined ? undefined : { since, asOf: filter.asOfDay ?? '9999-12-31' };
    if (filter.mentorUserId !== undefined || filter.leadUnit !== undefined) return this.filteredPage(filter, args);
    if (filter.afterId !== undefined || filter.limit !== undefined) {
      const page = { after: filter.afterId ?? 0, limit: filter.limit ?? Number.MAX_SAFE_INTEGER };
      const rows = args === undefined ? this.summaryPage.all(page) : this.summaryPageNotContacted.all({ ...page, ...args });
      if (rows.length === 0) return [];
      const range = { after: page.after, last: rows[rows.length - 1]![0] };
      const cats = args === undefined ? this.summaryPageCategories.all(range) : this.summaryPageCategoriesNotContacted.all({ ...range, ...args });
      return this.toSummaries(rows, cats);
    }
    const cats = args === undefined ? this.summaryCategories.all() : this.summaryCategoriesNotContacted.all(args);
    const rows = args === undefined ? this.openRows.all() : this.summariesNotContacted.all(args);
    return this.toSummaries(rows, cats);
  }

  private filteredPage(filter: OpenSummaryFilter, args: { since: string; asOf: string } | undefined): CaseSummary[] {
    const shape: SummaryPageShape = { notContacted: args !== undefined, mentor: filter.mentorUserId !== undefined, unit: filter.leadUnit !== undefined };
    const key = `${+shape.notContacted}${+shape.mentor}${+shape.unit}`;
    let q = this.filteredPages.get(key);
    if (!q) {
      const sql = summaryPageQueries(shape);
      q = { rows: this.db.prepare<[Record<string, unknown>], SummaryRow>(sql.rows).raw(true), categories: this.db.prepare<[Record<string, unknown>], SummaryCategoryRow>(sql.categories).raw(true) };
      this.filteredPages.set(key, q);
    }
    const params: Record<string, unknown> = { ...args, after: filter.afterId ?? 0, limit: filter.limit ?? Number.MAX_SAFE_INTEGER };
    if (shape.mentor) params.mentor = filter.mentorUserId;
    if (shape.unit) params.unit = filter.leadUnit;
    const rows = q.rows.all(params);
    if (rows.length === 0) return [];
    const { limit: _limit, ...rest } = params;
    return this.toSummaries(rows, q.categories.all({ ...rest, last: rows[rows.length - 1]![0] }));
  }

  anyLedBy(unit: string): boolean {
    return this.ledBy.get(unit) !== undefined;
  }

  summaries(): CaseSummary[] {
    return this.toSummaries(this.allSummaries.all().sort((a, b) => a[0] - b[0]), this.allSummaryCategories.all());
  }

  /** Rows and category rows, both ordered by case id, merged; category sets shared between cases. */
  private toSummaries(rows: SummaryRow[], cats: SummaryCategoryRow[]): CaseSummary[] {
    // Most cases share one of a handful of category sets: build each distinct set once.
    const sets = new Map<string, CaseCategoryRecord[]>();
    const units = new Map<string, string[]>();
    let i = 0;
    const nameOf = (id: number) => decryptOpt(this.cipher, this.nameOfStmt.get(id)!.full_name)!;
    return rows.map((r) => {
      let key = '';
      while (i < cats.length && cats[i]![0] < r[0]) i++;
      const first = i;
      while (i < cats.length && cats[i]![0] === r[0]) key += `${cats[i]![1]}:${cats[i++]![2]}|`;
      let set = sets.get(key);
      if (!set) {
        set = cats.slice(first, i).map(([, code, json]) => {
          let lead = units.get(json);
          if (!lead) units.set(json, (lead = JSON.parse(json) as string[]));
          return { code, leadUnits: lead };
        });
        sets.set(key, set);
      }
      return new StoredCaseSummary(r, set, nameOf, this.cipher);
    });
  }

  list(): CaseRecord[] {
    // One query for every case's categories instead of one per case: county lists are 100,000 long.
    const cats = new Map<number, CategoryRow[]>();
    for (const c of this.allCategories.all()) {
      const list = cats.get(c.case_id);
      if (list) list.push(c);
      else cats.set(c.case_id, [c]);
    }
    return this.all.all().map((r) => this.toRecord(r, cats.get(r.id) ?? []));
  }

  *each(pageSize = 500): Generator<CaseRecord> {
    for (let after = 0; ; ) {
      const rows = this.rowsAfter.all(after, pageSize);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!.id;
      const cats = new Map<number, CategoryRow[]>();
      for (const c of this.categoriesAfter.all(after, last)) {
        const list = cats.get(c.case_id);
        if (list) list.push(c);
        else cats.set(c.case_id, [c]);
      }
      for (const r of rows) yield this.toRecord(r, cats.get(r.id) ?? []);
      if (rows.length < pageSize) return;
      after = last;
    }
  }

  counts(): { total: number; sealed: number } {
    const r = this.countStmt.get()!;
    return { total: Number(r.total), sealed: Number(r.sealed ?? 0) };
  }

  identitySince(id: number, limit = Number.MAX_SAFE_INTEGER): Array<{ id: number; names: string[]; numbers: string[]; broken?: boolean }> {
    const dec = (v: string | null) => decryptOpt(this.cipher, v);
    return this.identityRows.all(id, limit).map((r) => {
      // One corrupted ciphertext is that row's problem: the other rows are still read.
      try {
        return {
          id: r.id,
          names: [r.full_name, r.guardian_name, r.bangjiao_name].map(dec).filter((v): v is string => v !== null),
          numbers: [r.id_number, r.guardian_phone, r.bangjiao_phone].map(dec).filter((v): v is string => v !== null),
        };
      } catch (err) {
        if (!(err instanceof FieldDecryptError)) throw err;
        return { id: r.id, names: [], numbers: [], broken: true };
      }
    });
  }

  anonymiseClosedBefore(cutoff: Date, now: Date): string[] {
    const rows = this.closedBefore.all(cutoff.toISOString());
    for (const r of rows) {
      this.anonymise.run({
        id: r.id,
        name: encryptOpt(this.cipher, '（已匿名）'),
        birth: r.birth_date.slice(0, 4),
        dup: `anonymised:${r.code}`,
        details: encryptOpt(this.cipher, '{}'),
        // The coded reason stays for the statistics; the free text of 其他 may name the child.
        close: r.close_reason === null ? null : r.close_reason.split('：')[0]!,
        now: now.toISOString(),
      });
      this.wipeContacts.run(r.id);
      this.marks?.removed(r.id);
      this.sealer?.reseal(r.id);
    }
    return rows.map((r) => r.code);
  }

  recordMandatoryReport(m: MandatoryReportInsert): number {
    return (this.insertReport.get(m.caseId, m.userId, m.chatId, m.sign, m.reportTo, m.promptedAt.toISOString()) as { id: number }).id;
  }

  attachMandatoryReports(ids: readonly number[], caseId: number): void {
    for (const id of ids) this.attachReport.run(caseId, id);
  }

  mandatoryReports(caseId?: number): MandatoryReportRecord[] {
    const rows = caseId === undefined ? this.allReports.all() : this.reportsOf.all(caseId);
    return rows.map((r) => ({
      id: r.id,
      caseId: r.case_id,
      userId: r.user_id,
      chatId: r.chat_id,
      sign: r.sign,
      reportTo: r.report_to,
      promptedAt: new Date(r.prompted_at),
    }));
  }

  /** Lead-unit lists repeat across thousands of cases; parse each distinct one once. */
  private readonly parsedUnits = new Map<string, string[]>();
  private leadUnits(json: string): string[] {
    let units = this.parsedUnits.get(json);
    if (!units) this.parsedUnits.set(json, (units = JSON.parse(json) as string[]));
    return [...units];
  }

  private toRecord(r: CaseRow, categories: CategoryRow[] = this.categoriesOf.all(r.id)): CaseRecord {
    return new StoredCase(
      r,
      categories.map((c) => ({ code: c.category, leadUnits: this.leadUnits(c.lead_units) })),
      this.cipher,
    );
  }
}
