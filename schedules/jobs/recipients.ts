import type { LoadedConfig } from '../../src/config/load.js';
import type { Member } from '../../src/config/schema.js';
import type { PushTarget } from '../../src/domain/model/message.js';
import type { PlanMatrix } from '../../src/domain/plan/types.js';
import { inUnit } from '../../src/domain/followup/access.js';

/** Who scheduled messages go to, from the config (members, groups) and the plan (lead units). */

export const admins = (cfg: LoadedConfig): Member[] => cfg.members.filter((m) => m.role === 'admin');

export const membersOf = (cfg: LoadedConfig, unit: string): Member[] => cfg.members.filter((m) => inUnit(m, unit));

/**
 * Units asked to report each month: every unit with a configured member, except the unit that
 * leads the whole work (镇团委), which does the asking.
 */
export function reportingUnits(cfg: LoadedConfig, plan: PlanMatrix): string[] {
  const units = [...new Set(cfg.members.map((m) => m.unit))];
  return units.filter((u) => u !== plan.overallLead.unit);
}

/** Units that lead at least one category in the plan and have a configured member. */
export function leadUnits(cfg: LoadedConfig, plan: PlanMatrix): string[] {
  const lead = new Set(plan.categories.flatMap((c) => c.leadUnits));
  return [...new Set(cfg.members.flatMap((m) => (m.village ? [m.unit, m.village] : [m.unit])))].filter((u) => lead.has(u));
}

/** One message to the unit's own group if it has one, else one to each member privately. */
export function unitTargets(cfg: LoadedConfig, unit: string): PushTarget[] {
  const group = cfg.groups.find((g) => g.unit === unit);
  if (group) return [{ kind: 'chat', id: group.chatid }];
  return membersOf(cfg, unit).map((m) => ({ kind: 'user', id: m.userid }));
}

export const broadcastGroups = (cfg: LoadedConfig): PushTarget[] =>
  cfg.groups.filter((g) => g.broadcast).map((g) => ({ kind: 'chat', id: g.chatid }));

export const targetKey = (t: PushTarget) => `${t.kind}:${t.id}`;
