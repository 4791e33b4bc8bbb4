/**
 * Justice details (docs/domain-rules.md §3.2, P7). The intake form keeps only the disposition and a
 * yes/no/unknown on justice involvement; when either says a police or court measure was taken,
 * the case holds sealed-record information (刑诉法 Art. 286; 2022 实施办法): only the units in
 * `sealedAccess` may see those fields, after giving a reason, and they are never exported.
 */

/** Case `details` keys that are justice fields: never shown to schools, sealed when they say so. */
export const JUSTICE_FIELDS = ['disposition', 'justiceInvolvement'] as const;

/** Dispositions that are police or court measures rather than family or school ones. */
const JUSTICE_DISPOSITIONS = new Set(['公安机关矫治教育措施', '专门教育', '专门矫治教育']);

export const SEALED_TEXT = '该记录已依法封存';

/**
 * 「实施刑法规定的行为但因年龄不予处罚」: an act the criminal law punishes, not prosecuted for the
 * child's age. The 2022 rules seal records of 不予刑事处罚 / 不追究刑事责任 too, so this behaviour
 * is a justice detail wherever it appears.
 */
export const AGE_EXEMPT_OFFENCE = 'YZ00';

const behaviorsOf = (details: Record<string, unknown>): unknown[] => (Array.isArray(details.behaviors) ? details.behaviors : []);

export function isSealedDetails(details: Record<string, unknown>): boolean {
  return (
    details.justiceInvolvement === '有' ||
    (typeof details.disposition === 'string' && JUSTICE_DISPOSITIONS.has(details.disposition)) ||
    behaviorsOf(details).includes(AGE_EXEMPT_OFFENCE)
  );
}

/**
 * Sealed by its flag or by what its details say now: rows stored before a rule was added (the
 * age-exempt offence) carry sealed = 0 but are sealed all the same.
 */
export function isSealedCase(c: { sealed?: boolean; details: Record<string, unknown> }): boolean {
  return c.sealed === true || isSealedDetails(c.details);
}

/** Details with the justice fields replaced by the sealed notice (for export and unauthorised views). */
export function redactJustice(details: Record<string, unknown>, replacement: string = SEALED_TEXT): Record<string, unknown> {
  const out = { ...details };
  for (const k of JUSTICE_FIELDS) if (k in out) out[k] = replacement;
  const b = behaviorsOf(details);
  if (b.includes(AGE_EXEMPT_OFFENCE)) out.behaviors = [...b.filter((x) => x !== AGE_EXEMPT_OFFENCE), replacement];
  return out;
}

/** Details without the justice fields at all (for schools, who must not learn they exist). */
export function withoutJustice(details: Record<string, unknown>): Record<string, unknown> {
  const out = { ...details };
  for (const k of JUSTICE_FIELDS) delete out[k];
  const b = behaviorsOf(details);
  if (b.includes(AGE_EXEMPT_OFFENCE)) out.behaviors = b.filter((x) => x !== AGE_EXEMPT_OFFENCE);
  return out;
}
