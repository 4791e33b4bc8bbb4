import type { LoadedConfig } from '../../config/load.js';
import type { Member } from '../../config/schema.js';
import type { PlanMatrix } from '../plan/types.js';
import type { CaseRecord } from '../model/records.js';

/**
 * Who may see which case (docs/domain-rules.md P5, least privilege). Roles come from the config:
 * - admin (镇团委): every case;
 * - village cadre (a member with `village`): the cases of that village;
 * - unit staff: cases whose categories their unit leads or carries a task for in the plan;
 *   a school among them only its own pupils (the case's school detail names the school);
 * - the reporter and the mentor of a case: that case;
 * - anyone not in `members`: no case at all (Q&A only).
 */
export type Role = 'admin' | 'village' | 'staff' | 'none';

export function roleOf(member: Member | undefined): Role {
  if (!member) return 'none';
  if (member.role === 'admin') return 'admin';
  return member.village ? 'village' : 'staff';
}

/** Schools never see justice fields (P5); recognised by name, as the plan names them. */
export function isSchoolUnit(unit: string): boolean {
  return /中学|中心校|小学|学校/.test(unit);
}

/** Units leading the case's categories or carrying one of their tasks in the plan. */
export function unitsInvolved(c: CaseRecord, plan: PlanMatrix): Set<string> {
  const units = new Set<string>();
  for (const cat of c.categories) {
    for (const u of cat.leadUnits) units.add(u);
    const p = plan.categories.find((x) => x.code === cat.code);
    for (const t of p?.tasks ?? []) for (const u of t.units) units.add(u);
  }
  return units;
}

export function canViewCase(member: Member | undefined, c: CaseRecord, plan: PlanMatrix): boolean {
  if (!member) return false;
  if (member.role === 'admin') return true;
  if (c.reporterUserId === member.userid || c.mentorUserId === member.userid) return true;
  if (member.village) return c.village === member.village;
  if (!unitsInvolved(c, plan).has(member.unit)) return false;
  // A school sees its own pupils only: the case's school must be the member's school.
  if (isSchoolUnit(member.unit)) return ownPupil(c, member.unit);
  return true;
}

/** The case's school detail (「墩集中学初二（3）班」) names the member's school (「墩集中学」). */
function ownPupil(c: CaseRecord, school: string): boolean {
  const detail = c.schoolDetail?.replace(/\s+/g, '') ?? '';
  return detail !== '' && detail.includes(school.replace(/\s+/g, ''));
}

/** Sealed justice details: only the units named in `sealedAccess`, and only with a reason. */
export function canOpenSealed(member: Member | undefined, config: LoadedConfig): boolean {
  return Boolean(member && config.sealedAccess.includes(member.unit));
}
