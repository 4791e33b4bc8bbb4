import type { CategoryCode } from '../../src/domain/plan/types.js';
import { decryptOpt, encryptOpt, FieldDecryptError, type FieldCipher } from '../../src/domain/security/field-crypto.js';
import { isSealedDetails } from '../../src/domain/security/sealed.js';
import type { CaseCategoryRecord, CaseRecord, CaseSummary, MandatoryReportInsert, MandatoryReportRecord, NewCase } from '../../src/domain/model/records.js';
import type { CasePatch, CaseRepo, OpenSummaryFilter } from '../../src/domain/ports/store.js';
import { fromJson, join, raw, sql, toDate, type Sql, type SqlDb as Db } from './db.js';
import type { CaseSealer } from './case-seal.js';
import type { SqlIdentityMarks } from './identity-marks.js';
import {
  StoredCase,
  StoredCaseSummary,
  SUMMARY_ALL_CATEGORIES_QUERY,
  summaryAllQuery,
  summaryCategoriesQuery,
  summaryPageQueries,
  summaryQuery,
  type CaseRow,
  type NotContacted,
  type SummaryCategoryRow,
  type SummaryRow,
} from './stored-case.js';

interface CategoryRow {
  case_id: number;
  category: CategoryCode;
  /** JSON list: text on SQLite, parsed if PostgreSQL keeps it as jsonb. */
  lead_units: unknown;
}

interface ReportRow {
  id: number;
  case_id: number | null;
  user_id: string;
  chat_id: string;
  sign: string;
  report_to: string;
  prompted_at: string | Date;
}

type IdentityRow = Pick<CaseRow, 'id' | 'full_name' | 'guardian_name' | 'bangjiao_name' | 'id_number' | 'guardian_phone' | 'bangjiao_phone'>;

/** Names of summaries are read by primary key this many at a time (well under any bind limit). */
const NAME_CHUNK = 500;

/** A JSON column's value as text, to tell equal ones apart (jsonb comes back parsed). */
const jsonKey = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Category rows ordered by case id, grouped per case. */
function byCase(rows: readonly CategoryRow[]): Map<number, CategoryRow[]> {
  const cats = new Map<number, CategoryRow[]>();
  for (const c of rows) {
    const list = cats.get(c.case_id);
    if (list) list.push(c);
    else cats.set(c.case_id, [c]);
  }
  return cats;
}

export class SqlCaseRepo implements CaseRepo {
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
  ) {}

  async nextCode(prefix: string, year: number): Promise<string> {
    const { last } = (await this.db.get<{ last: number }>(
      sql`INSERT INTO case_serials (year, last) VALUES (${year}, 1) ON CONFLICT (year) DO UPDATE SET last = case_serials.last + 1 RETURNING last`,
    ))!;
    return `${prefix}-${year}-${String(last).padStart(4, '0')}`;
  }

  insert(c: NewCase): Promise<CaseRecord> {
    const enc = (v: string | null) => encryptOpt(this.cipher, v);
    // The row, its categories, seal, marks and lead units land together or not at all.
    return this.db.atomic(async () => {
      const r = await this.db.get<{ id: number }>(
        sql`INSERT INTO cases (code, primary_category, full_name, gender, birth_date, id_number, id_hash, dup_key, village,
         school_status, school_detail, guardian_name, guardian_relation, guardian_phone, guardianship_mode, risk_level,
         mentor_user_id, mentor_name, reporter_user_id, bangjiao_name, bangjiao_phone, notes, details, inferred_fields,
         sealed, created_at, updated_at)
       VALUES (${c.code}, ${c.primaryCategory}, ${enc(c.fullName)}, ${c.gender}, ${c.birthDate}, ${enc(c.idNumber)}, ${c.idHash}, ${c.dupKey}, ${c.village},
         ${c.schoolStatus}, ${enc(c.schoolDetail)}, ${enc(c.guardianName)}, ${c.guardianRelation}, ${enc(c.guardianPhone)}, ${c.guardianshipMode}, ${c.riskLevel},
         ${c.mentorUserId}, ${c.mentorName}, ${c.reporterUserId}, ${enc(c.bangjiaoName)}, ${enc(c.bangjiaoPhone)}, ${enc(c.notes)}, ${enc(JSON.stringify(c.details))}, ${JSON.stringify(c.inferredFields)},
         ${isSealedDetails(c.details) ? 1 : 0}, ${c.createdAt.toISOString()}, ${c.createdAt.toISOString()}) RETURNING id`,
      );
      const id = r!.id;
      for (const [i, cat] of c.categories.entries()) {
        await this.db.run(sql`INSERT INTO case_categories (case_id, category, ordinal, lead_units) VALUES (${id}, ${cat.code}, ${i}, ${JSON.stringify(cat.leadUnits)})`);
      }
      await this.sealer?.reseal(id);
      await this.marks?.added({
        id,
        names: [c.fullName, c.guardianName, c.bangjiaoName].filter((v): v is string => v !== null),
        numbers: [c.idNumber, c.guardianPhone, c.bangjiaoPhone].filter((v): v is string => v !== null),
      });
      // One row per (lead unit, case), so 逾期 for a unit reads that unit's cases through an index.
      for (const unit of new Set(c.categories.flatMap((cat) => cat.leadUnits))) {
        await this.db.run(sql`INSERT INTO case_lead_units (unit, case_id) VALUES (${unit}, ${id}) ON CONFLICT DO NOTHING`);
      }
      return this.toRecord((await this.byId(id))!);
    });
  }

  update(caseId: number, patch: CasePatch, now: Date): Promise<CaseRecord> {
    const enc = (v: string | null | undefined) => encryptOpt(this.cipher, v ?? null);
    const sets: Sql[] = [];
    // Column names come from the two fixed maps below, never from the patch.
    const put = (column: string, value: unknown) => sets.push(sql`${raw(column)} = ${value}`);
    const plain = { birthDate: 'birth_date', idHash: 'id_hash', dupKey: 'dup_key', village: 'village', schoolStatus: 'school_status', guardianRelation: 'guardian_relation', guardianshipMode: 'guardianship_mode', riskLevel: 'risk_level' } as const;
    const secret = { fullName: 'full_name', idNumber: 'id_number', schoolDetail: 'school_detail', guardianName: 'guardian_name', guardianPhone: 'guardian_phone', bangjiaoName: 'bangjiao_name', bangjiaoPhone: 'bangjiao_phone' } as const;
    for (const [k, col] of Object.entries(plain)) if (k in patch) put(col, patch[k as keyof typeof plain] ?? null);
    for (const [k, col] of Object.entries(secret)) if (k in patch) put(col, enc(patch[k as keyof typeof secret]));
    if (patch.details) {
      put('details', enc(JSON.stringify(patch.details)));
      put('sealed', isSealedDetails(patch.details) ? 1 : 0);
    }
    return this.db.atomic(async () => {
      if (patch.categories) {
        // Read through case_categories' key: case_lead_units is keyed by unit first.
        const stored = await this.db.values<[unknown]>(sql`SELECT lead_units FROM case_categories WHERE case_id = ${caseId}`);
        const before = new Set(stored.flatMap(([json]) => this.leadUnits(json)));
        const after = new Set(patch.categories.flatMap((cat) => cat.leadUnits));
        for (const cat of patch.categories) {
          await this.db.run(sql`UPDATE case_categories SET lead_units = ${JSON.stringify(cat.leadUnits)} WHERE case_id = ${caseId} AND category = ${cat.code}`);
        }
        // The index rows follow, or 逾期 and 督办 would still go to the units the case had before.
        for (const unit of before) if (!after.has(unit)) await this.db.run(sql`DELETE FROM case_lead_units WHERE unit = ${unit} AND case_id = ${caseId}`);
        for (const unit of after) if (!before.has(unit)) await this.db.run(sql`INSERT INTO case_lead_units (unit, case_id) VALUES (${unit}, ${caseId}) ON CONFLICT DO NOTHING`);
      }
      if (sets.length || patch.categories) {
        await this.db.run(sql`UPDATE cases SET ${join([...sets, sql`updated_at = ${now.toISOString()}`], ', ')} WHERE id = ${caseId}`);
        await this.sealer?.reseal(caseId);
      }
      const c = await this.toRecord((await this.byId(caseId))!);
      // The group filter must know a name or number completed now, as one given at registration.
      if (this.marks && Object.keys(secret).some((k) => k in patch)) {
        await this.marks.removed(caseId);
        await this.marks.added({
          id: caseId,
          names: [c.fullName, c.guardianName, c.bangjiaoName].filter((v): v is string => v !== null),
          numbers: [c.idNumber, c.guardianPhone, c.bangjiaoPhone].filter((v): v is string => v !== null),
        });
      }
      return c;
    });
  }

  private byId(id: number): Promise<CaseRow | undefined> {
    return this.db.get<CaseRow>(sql`SELECT * FROM cases WHERE id = ${id}`);
  }

  async getByCode(code: string): Promise<CaseRecord | undefined> {
    const r = await this.db.get<CaseRow>(sql`SELECT * FROM cases WHERE code = ${code}`);
    return r && this.toRecord(r);
  }

  async findByIdHash(idHash: string): Promise<CaseRecord[]> {
    return this.toRecords(await this.db.all<CaseRow>(sql`SELECT * FROM cases WHERE id_hash = ${idHash} ORDER BY id`));
  }

  async findByDupKey(dupKey: string): Promise<CaseRecord[]> {
    return this.toRecords(await this.db.all<CaseRow>(sql`SELECT * FROM cases WHERE dup_key = ${dupKey} ORDER BY id`));
  }

  async openSummaries(filter: OpenSummaryFilter = {}): Promise<CaseSummary[]> {
    const since = filter.notContactedSince;
    const notContacted: NotContacted | undefined = since === undefined ? undefined : { since, asOf: filter.asOfDay ?? '9999-12-31' };
    const paged = filter.afterId !== undefined || filter.limit !== undefined;
    if (paged || filter.mentorUserId !== undefined || filter.leadUnit !== undefined) {
      const q = summaryPageQueries(this.db, {
        after: filter.afterId ?? 0,
        limit: filter.limit ?? Number.MAX_SAFE_INTEGER,
        notContacted,
        mentor: filter.mentorUserId,
        unit: filter.leadUnit,
      });
      const rows = await this.db.values<SummaryRow>(q.rows);
      if (rows.length === 0) return [];
      return this.toSummaries(rows, await this.db.values<SummaryCategoryRow>(q.categories(rows[rows.length - 1]![0])));
    }
    const cats = await this.db.values<SummaryCategoryRow>(summaryCategoriesQuery(notContacted));
    const rows = await this.db.values<SummaryRow>(summaryQuery(this.db, notContacted));
    return this.toSummaries(rows, cats);
  }

  async anyLedBy(unit: string): Promise<boolean> {
    return (await this.db.get(sql`SELECT 1 AS one FROM case_lead_units WHERE unit = ${unit} LIMIT 1`)) !== undefined;
  }

  async summaries(): Promise<CaseSummary[]> {
    const rows = (await this.db.values<SummaryRow>(summaryAllQuery(this.db))).sort((a, b) => a[0] - b[0]);
    return this.toSummaries(rows, await this.db.values<SummaryCategoryRow>(SUMMARY_ALL_CATEGORIES_QUERY));
  }

  /**
   * The stored (encrypted) names of these cases, by primary key. The summary scans stay on their
   * covering indexes, which do not hold the name; a summary decrypts its name only when read.
   */
  private async storedNames(ids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (let at = 0; at < ids.length; at += NAME_CHUNK) {
      const chunk = ids.slice(at, at + NAME_CHUNK);
      // Padded to a power of two by repeating an id: a handful of statement texts serve every page
      // size, instead of one prepared (and cached) statement per count of ids.
      const width = Math.min(NAME_CHUNK, 2 ** Math.ceil(Math.log2(Math.max(chunk.length, 8))));
      const list = [...chunk, ...Array<number>(width - chunk.length).fill(chunk[0]!)];
      for (const [id, name] of await this.db.values<[number, string]>(sql`SELECT id, full_name FROM cases WHERE id IN (${join(list)})`)) out.set(id, name);
    }
    return out;
  }

  /** Rows and category rows, both ordered by case id, merged; category sets shared between cases. */
  private async toSummaries(rows: SummaryRow[], cats: SummaryCategoryRow[]): Promise<CaseSummary[]> {
    const names = await this.storedNames(rows.map((r) => r[0]));
    // Most cases share one of a handful of category sets: build each distinct set once.
    const sets = new Map<string, CaseCategoryRecord[]>();
    const units = new Map<string, string[]>();
    let i = 0;
    const unitsOf = (v: unknown): string[] => {
      if (typeof v !== 'string') return fromJson<string[]>(v);
      let lead = units.get(v);
      if (!lead) units.set(v, (lead = fromJson<string[]>(v)));
      return lead;
    };
    return rows.map((r) => {
      let key = '';
      while (i < cats.length && cats[i]![0] < r[0]) i++;
      const first = i;
      while (i < cats.length && cats[i]![0] === r[0]) key += `${cats[i]![1]}:${jsonKey(cats[i++]![2])}|`;
      let set = sets.get(key);
      if (!set) {
        set = cats.slice(first, i).map(([, code, json]) => ({ code, leadUnits: unitsOf(json) }));
        sets.set(key, set);
      }
      return new StoredCaseSummary(r, set, names.get(r[0])!, this.cipher);
    });
  }

  async list(): Promise<CaseRecord[]> {
    // One query for every case's categories instead of one per case: county lists are 100,000 long.
    const cats = byCase(await this.db.all<CategoryRow>(sql`SELECT * FROM case_categories ORDER BY case_id, ordinal`));
    // Whole rows: list() serves export, which reads every field; fetching the identity columns
    // lazily cost one more query per case (100,000 round trips at county size on PostgreSQL).
    const rows = await this.db.all<CaseRow>(sql`SELECT * FROM cases ORDER BY id`);
    return rows.map((r) => this.record(r, cats.get(r.id) ?? []));
  }

  async *each(pageSize = 500): AsyncGenerator<CaseRecord> {
    for (let after = 0; ; ) {
      const rows = await this.db.all<CaseRow>(sql`SELECT * FROM cases WHERE id > ${after} ORDER BY id LIMIT ${pageSize}`);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!.id;
      const cats = byCase(
        await this.db.all<CategoryRow>(sql`SELECT * FROM case_categories WHERE case_id > ${after} AND case_id <= ${last} ORDER BY case_id, ordinal`),
      );
      for (const r of rows) yield this.record(r, cats.get(r.id) ?? []);
      if (rows.length < pageSize) return;
      after = last;
    }
  }

  async counts(): Promise<{ total: number; sealed: number }> {
    const r = (await this.db.get<{ total: number; sealed: number | null }>(sql`SELECT count(*) AS total, sum(sealed) AS sealed FROM cases`))!;
    return { total: Number(r.total), sealed: Number(r.sealed ?? 0) };
  }

  async identitySince(id: number, limit = Number.MAX_SAFE_INTEGER): Promise<Array<{ id: number; names: string[]; numbers: string[]; broken?: boolean }>> {
    const dec = (v: string | null) => decryptOpt(this.cipher, v);
    const rows = await this.db.all<IdentityRow>(
      sql`SELECT id, full_name, guardian_name, bangjiao_name, id_number, guardian_phone, bangjiao_phone FROM cases WHERE id > ${id} ORDER BY id LIMIT ${limit}`,
    );
    return rows.map((r) => {
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

  anonymiseClosedBefore(cutoff: Date, now: Date): Promise<string[]> {
    return this.db.atomic(async () => {
      const rows = await this.db.all<{ id: number; code: string; birth_date: string; close_reason: string | null }>(
        sql`SELECT id, code, birth_date, close_reason FROM cases WHERE status = 'closed' AND closed_at < ${cutoff.toISOString()} AND dup_key NOT LIKE 'anonymised:%' ORDER BY id`,
      );
      for (const r of rows) {
        // The coded reason stays for the statistics; the free text of 其他 may name the child.
        const close = r.close_reason === null ? null : r.close_reason.split('：')[0]!;
        await this.db.run(
          sql`UPDATE cases SET full_name = ${encryptOpt(this.cipher, '（已匿名）')}, birth_date = ${r.birth_date.slice(0, 4)}, id_number = NULL, id_hash = NULL, dup_key = ${`anonymised:${r.code}`},
         school_detail = NULL, guardian_name = NULL, guardian_phone = NULL, bangjiao_name = NULL, bangjiao_phone = NULL,
         notes = NULL, details = ${encryptOpt(this.cipher, '{}')}, sealed = 0, close_reason = ${close}, updated_at = ${now.toISOString()} WHERE id = ${r.id}`,
        );
        // contacts belongs to the follow-up feature; its free-text notes may name the child.
        await this.db.run(sql`UPDATE contacts SET notes = '（已匿名）' WHERE case_id = ${r.id}`);
        await this.marks?.removed(r.id);
        await this.sealer?.reseal(r.id);
      }
      return rows.map((r) => r.code);
    });
  }

  async recordMandatoryReport(m: MandatoryReportInsert): Promise<number> {
    const r = await this.db.get<{ id: number }>(
      sql`INSERT INTO mandatory_reports (case_id, user_id, chat_id, sign, report_to, prompted_at)
        VALUES (${m.caseId}, ${m.userId}, ${m.chatId}, ${m.sign}, ${m.reportTo}, ${m.promptedAt.toISOString()}) RETURNING id`,
    );
    return r!.id;
  }

  async attachMandatoryReports(ids: readonly number[], caseId: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.atomic(async () => {
      for (const id of ids) await this.db.run(sql`UPDATE mandatory_reports SET case_id = ${caseId} WHERE id = ${id} AND case_id IS NULL`);
    });
  }

  async mandatoryReports(caseId?: number): Promise<MandatoryReportRecord[]> {
    const rows =
      caseId === undefined
        ? await this.db.all<ReportRow>(sql`SELECT * FROM mandatory_reports ORDER BY id`)
        : await this.db.all<ReportRow>(sql`SELECT * FROM mandatory_reports WHERE case_id = ${caseId} ORDER BY id`);
    return rows.map((r) => ({
      id: r.id,
      caseId: r.case_id,
      userId: r.user_id,
      chatId: r.chat_id,
      sign: r.sign,
      reportTo: r.report_to,
      promptedAt: toDate(r.prompted_at),
    }));
  }

  /** Lead-unit lists repeat across thousands of cases; parse each distinct one once. */
  private readonly parsedUnits = new Map<string, string[]>();
  private leadUnits(json: unknown): string[] {
    if (typeof json !== 'string') return [...fromJson<string[]>(json)];
    let units = this.parsedUnits.get(json);
    if (!units) this.parsedUnits.set(json, (units = fromJson<string[]>(json)));
    return [...units];
  }

  private async toRecords(rows: CaseRow[]): Promise<CaseRecord[]> {
    const out: CaseRecord[] = [];
    for (const r of rows) out.push(await this.toRecord(r));
    return out;
  }

  /** A case with its categories read by one more query. */
  private async toRecord(r: CaseRow): Promise<CaseRecord> {
    return this.record(r, await this.db.all<CategoryRow>(sql`SELECT * FROM case_categories WHERE case_id = ${r.id} ORDER BY ordinal`));
  }

  private record(r: CaseRow, categories: CategoryRow[]): CaseRecord {
    return new StoredCase(
      r,
      categories.map((c) => ({ code: c.category, leadUnits: this.leadUnits(c.lead_units) })),
      this.cipher,
    );
  }
}
