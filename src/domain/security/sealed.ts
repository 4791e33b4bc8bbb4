/**
 * Justice details (domain.md §3.2, P7). The intake form keeps only the disposition and a
 * yes/no/unknown on justice involvement; when either says a police or court measure was taken,
 * the case holds sealed-record information (刑诉法 Art. 286; 2022 实施办法): only the units in
 * `sealedAccess` may see those fields, after giving a reason, and they are never exported.
 */

/** Case `details` keys that are justice fields: never shown to schools, sealed when they say so. */
export const JUSTICE_FIELDS = ['disposition', 'justiceInvolvement'] as const;

/** Dispositions that are police or court measures rather than family or school ones. */
const JUSTICE_DISPOSITIONS = new Set(['公安机关矫治教育措施', '专门教育', '专门矫治教育']);

export const SEALED_TEXT = '该记录已依法封存';

export function isSealedDetails(details: Record<string, unknown>): boolean {
  return details.justiceInvolvement === '有' || (typeof details.disposition === 'string' && JUSTICE_DISPOSITIONS.has(details.disposition));
}

/** Details with the justice fields replaced by the sealed notice (for export and unauthorised views). */
export function redactJustice(details: Record<string, unknown>, replacement: string = SEALED_TEXT): Record<string, unknown> {
  const out = { ...details };
  for (const k of JUSTICE_FIELDS) if (k in out) out[k] = replacement;
  return out;
}

/** Details without the justice fields at all (for schools, who must not learn they exist). */
export function withoutJustice(details: Record<string, unknown>): Record<string, unknown> {
  const out = { ...details };
  for (const k of JUSTICE_FIELDS) delete out[k];
  return out;
}
