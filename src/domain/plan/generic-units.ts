import type { PlanMatrix } from './types.js';

/**
 * A plan names some units only as a kind: 中小学校, 各社区居委会, 各村(社区). Such a phrase stays as
 * written (another town's schools are not this town's) unless the town's config lists its members:
 * the villages (or 社区) of `villages`, and the schools among the units its members and groups
 * belong to. Then answers and task assignment name those members instead of the phrase.
 */

export interface TownUnits {
  villages: readonly string[];
  /** Every unit the config names (members' and groups' units). */
  units: readonly string[];
}

export type GenericKind = 'village' | 'school';

const VILLAGE_PHRASE = /^(各|辖区各?|全镇各?)(村|社区|居)/;
const SCHOOL_PHRASE = /^(辖区|各|全镇)?(各)?(中小学校?|学校)$/;
const SCHOOL_NAME = /(中学|小学|学校|中心校|完小|初中|高中|职中|九年制)$/;

export function genericKind(unit: string): GenericKind | undefined {
  if (VILLAGE_PHRASE.test(unit)) return 'village';
  if (SCHOOL_PHRASE.test(unit)) return 'school';
  return undefined;
}

/** The members the config lists for a generic phrase, or none (it stays generic). */
export function membersOf(unit: string, town: TownUnits): string[] {
  const kind = genericKind(unit);
  if (kind === 'village') return [...new Set(town.villages)];
  if (kind === 'school') return [...new Set(town.units.filter((u) => SCHOOL_NAME.test(u) && genericKind(u) === undefined))];
  return [];
}

/** The town's units as the config names them. */
export function townUnitsOf(cfg: { villages: readonly string[]; members: readonly { unit: string }[]; groups: readonly { unit?: string | undefined }[] }): TownUnits {
  return { villages: cfg.villages, units: [...cfg.members.map((m) => m.unit), ...cfg.groups.flatMap((g) => (g.unit ? [g.unit] : []))] };
}

/**
 * The plan with each generic phrase the config lists members for replaced by those members,
 * wherever the plan names units. `unitGroups` keeps the phrase (and the forms the plan writes it
 * in), so a question that names 中小学校 still finds them all.
 */
export function expandGenericUnits(plan: PlanMatrix, town: TownUnits): PlanMatrix {
  const groups = new Map<string, string[]>();
  for (const u of plan.units) {
    const members = membersOf(u, town);
    if (members.length > 0) groups.set(u, members);
  }
  if (groups.size === 0) return plan;
  const expand = (units: readonly string[]) => [...new Set(units.flatMap((u) => groups.get(u) ?? [u]))];
  const unitGroups: Record<string, string[]> = { ...(plan.unitGroups ?? {}) };
  const unitForms: Record<string, string[]> = {};
  for (const [u, forms] of Object.entries(plan.unitForms ?? {})) {
    if (groups.has(u)) for (const f of forms) unitGroups[f] = groups.get(u)!;
    else unitForms[u] = forms;
  }
  for (const [u, members] of groups) unitGroups[u] = members;
  return {
    ...plan,
    categories: plan.categories.map((c) => ({
      ...c,
      leadUnits: expand(c.leadUnits),
      responsibleUnits: expand(c.responsibleUnits),
      tasks: c.tasks.map((t) => ({ ...t, units: expand(t.units) })),
    })),
    // `by` and `to` keep the plan's own words (各社区居委会每月…), which read as the rule; byUnits names the members.
    frequencies: plan.frequencies.map((f) => (f.byUnits ? { ...f, byUnits: expand(f.byUnits) } : f)),
    units: expand(plan.units),
    unitForms,
    unitGroups,
  };
}
