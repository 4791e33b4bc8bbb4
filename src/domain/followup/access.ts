import type { Member } from '../../config/schema.js';
import type { CaseRecord } from '../model/records.js';

/** The case's mentor, a member of one of its lead units, or an admin may act on it. */
export function mayActOn(c: Pick<CaseRecord, 'mentorUserId' | 'categories'>, member: Member | undefined): boolean {
  if (!member) return false;
  return member.role === 'admin' || c.mentorUserId === member.userid || isLeadMember(c, member);
}

export function isLeadMember(c: Pick<CaseRecord, 'categories'>, member: Member): boolean {
  return c.categories.some((k) => k.leadUnits.some((u) => inUnit(member, u)));
}

/**
 * A member belongs to their unit and, for a village cadre, to their village: a plan's 各村 leads,
 * once the config lists the villages, are assigned by the case's village (see expandGenericUnits).
 */
export function inUnit(member: Pick<Member, 'unit' | 'village'>, unit: string): boolean {
  return member.unit === unit || (member.village !== undefined && member.village === unit);
}

/** Admins and members of a lead unit may close a case or change its mentor; a mentor alone may not. */
export function mayManage(c: Pick<CaseRecord, 'categories'>, member: Member | undefined): boolean {
  return member !== undefined && (member.role === 'admin' || isLeadMember(c, member));
}

export function leadUnitsOf(c: Pick<CaseRecord, 'categories'>): string[] {
  return [...new Set(c.categories.flatMap((k) => k.leadUnits))];
}
