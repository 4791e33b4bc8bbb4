import type { CaseRecord } from '../model/records.js';
import type { Store } from '../ports/store.js';

/**
 * One flat object per case for `humiao cases export`: a local admin command, so fields are
 * given in full (decrypted, once the security work encrypts them; that work also audits it).
 * Column order is the order of keys here.
 */
export async function exportCases(store: Store): Promise<Record<string, string | number | null>[]> {
  return (await store.cases.list()).map(exportRow);
}

export function exportRow(c: CaseRecord): Record<string, string | number | null> {
  return {
    code: c.code,
    status: c.status,
    categories: c.categories.map((x) => x.code).join('、'),
    primaryCategory: c.primaryCategory,
    leadUnits: [...new Set(c.categories.flatMap((x) => x.leadUnits))].join('、'),
    fullName: c.fullName,
    gender: c.gender,
    birthDate: c.birthDate,
    idNumber: c.idNumber,
    village: c.village,
    schoolStatus: c.schoolStatus,
    schoolDetail: c.schoolDetail,
    guardianName: c.guardianName,
    guardianRelation: c.guardianRelation,
    guardianPhone: c.guardianPhone,
    guardianshipMode: c.guardianshipMode,
    riskLevel: c.riskLevel,
    mentorUserId: c.mentorUserId,
    mentorName: c.mentorName,
    reporterUserId: c.reporterUserId,
    bangjiaoName: c.bangjiaoName,
    bangjiaoPhone: c.bangjiaoPhone,
    notes: c.notes,
    details: JSON.stringify(c.details),
    inferredFields: c.inferredFields.join('、'),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    closedAt: c.closedAt ? c.closedAt.toISOString() : null,
    closeReason: c.closeReason,
  };
}

/**
 * RFC 4180 CSV with a header row. Cells that a spreadsheet would run as a formula (=, +, -, @)
 * get a leading apostrophe, since case text is typed by people.
 */
export function toCsv(rows: readonly Record<string, string | number | null>[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]!);
  const cell = (v: string | number | null): string => {
    let s = v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k] ?? null)).join(','))].join('\r\n') + '\r\n';
}
