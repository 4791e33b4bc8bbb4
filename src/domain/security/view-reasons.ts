/**
 * Why someone opens a child's full identity (PIPL Art. 28/31: sensitive data only for a
 * specific purpose). A reason is one of these, or the viewer's own words of at least
 * {@link MIN_FREE_REASON} characters: 「看看」「家访」 says nothing an auditor could check.
 */
export const VIEW_REASONS = [
  '核实监护人联系方式',
  '走访前核对身份',
  '转介或协调救助',
  '办理矫治教育回访',
  '依法配合司法机关查询',
  '纠正登记错误',
] as const;

export const MIN_FREE_REASON = 10;

export const VIEW_REASON_LIST = VIEW_REASONS.map((r, i) => `${i + 1}. ${r}`).join('\n');

/** The reason as recorded, or null when it is neither a listed one (by text or number) nor long enough. */
export function acceptViewReason(text: string): string | null {
  const t = text.replace(/\s+/g, ' ').trim();
  const n = /^(\d{1,2})$/.exec(t);
  if (n) return VIEW_REASONS[Number(n[1]) - 1] ?? null;
  const listed = VIEW_REASONS.find((r) => t === r || t.startsWith(r));
  if (listed) return t;
  return [...t.replace(/\s/g, '')].length >= MIN_FREE_REASON ? t : null;
}
