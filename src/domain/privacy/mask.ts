/**
 * Display masks for personal data (docs/domain-rules.md §3.3 P4). Masks keep just enough for a colleague
 * who already knows the child to recognise the record, and no more.
 */

/** 王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** Only the last 4 characters of an ID number: 34132420130506123X → **************123X. */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 4) return '*'.repeat(s.length);
  return `${'*'.repeat(s.length - 4)}${s.slice(-4)}`;
}

/** 13812341234 → 138****1234; anything shorter than 7 characters is fully masked. */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length < 7) return '*'.repeat(s.length);
  return `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`;
}
