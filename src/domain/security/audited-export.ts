import type { Store } from '../ports/store.js';
import { exportCases, exportRow } from '../intake/export.js';
import { isSealedCase, redactJustice } from './sealed.js';

/**
 * `cases export` as the law allows it: sealed justice details never leave the system
 * (docs/domain-rules.md P7), so they are replaced by the sealed notice, and the export itself is one
 * audit entry naming who ran it and how many cases went out.
 */
export async function auditedExport(store: Store, actor: string, now: Date, format: string): Promise<Record<string, string | number | null>[]> {
  const records = await store.cases.list();
  const rows = await exportCases(store);
  rows.forEach((row, i) => {
    const rec = records[i];
    if (rec && isSealedCase(rec) && rec.code === row.code) row.details = JSON.stringify(redactJustice(rec.details));
  });
  await store.audit.append({ at: now, actor, action: 'export', detail: `cases export ${format}: ${rows.length} 个案${records.some(isSealedCase) ? '（封存信息已略去）' : ''}` });
  return rows;
}

/**
 * {@link auditedExport} a case at a time, for a county: the audit entry is written first (from
 * the counts, before any row leaves), then rows are produced page by page, so memory stays
 * flat however many cases there are.
 */
export async function* auditedExportStream(store: Store, actor: string, now: Date, format: string): AsyncGenerator<Record<string, string | number | null>> {
  const { total, sealed } = await store.cases.counts();
  await store.audit.append({ at: now, actor, action: 'export', detail: `cases export ${format}: ${total} 个案${sealed > 0 ? '（封存信息已略去）' : ''}` });
  for await (const rec of store.cases.each()) {
    const row = exportRow(rec);
    if (rec.sealed) row.details = JSON.stringify(redactJustice(rec.details));
    yield row;
  }
}
