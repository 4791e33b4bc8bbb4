import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { nameKey } from '../text/normalize.js';
import { cachedParse } from '../../config/parse-cache.js';
import type { CategoryCode } from './types.js';

/**
 * The alias table (`aliases.yaml`): what people and plan texts call each unit and category.
 * Kept as data so a town adds a name without touching code.
 */

const codeSchema = z.enum(['01', '02', '03', '04', '05']);

const aliasFileSchema = z.object({
  units: z.array(
    z.object({
      name: z.string().min(1),
      aliases: z.array(z.string().min(1)).default([]),
      notIn: z.array(z.string().min(1)).default([]),
    }),
  ),
  groups: z
    .array(
      z.object({
        alias: z.string().min(1),
        units: z.array(z.string().min(1)).min(1),
        notIn: z.array(z.string().min(1)).default([]),
      }),
    )
    .default([]),
  categories: z.array(
    z.object({
      code: codeSchema,
      name: z.string().min(1),
      aliases: z.array(z.string().min(1)).default([]),
      notIn: z.array(z.string().min(1)).default([]),
    }),
  ),
});

export type AliasFile = z.infer<typeof aliasFileSchema>;
export type UnitEntry = AliasFile['units'][number];
export type GroupEntry = AliasFile['groups'][number];
export type CategoryEntry = AliasFile['categories'][number];

/** Thrown by `loadAliases` when the alias file is not valid YAML or does not have the expected shape. */
export class AliasFileError extends Error {
  constructor(path: string, detail: string) {
    super(`别名表 ${path} 格式错误：${detail}`);
    this.name = 'AliasFileError';
  }
}

export class AliasTable {
  private readonly unitByKey = new Map<string, string[]>();
  private readonly categoryByKey = new Map<string, CategoryCode>();

  constructor(readonly data: AliasFile) {
    for (const u of data.units) {
      for (const n of [u.name, ...u.aliases]) this.unitByKey.set(nameKey(n), [u.name]);
    }
    for (const g of data.groups) this.unitByKey.set(nameKey(g.alias), [...g.units]);
    for (const c of data.categories) {
      for (const n of [c.name, ...c.aliases]) this.categoryByKey.set(nameKey(n), c.code);
    }
  }

  /**
   * The canonical unit(s) a name stands for, or undefined when the table does not know it. Exact
   * after normalisation (width, punctuation, leading 镇): the parser must not guess.
   */
  resolveUnit(written: string): string[] | undefined {
    return this.unitByKey.get(nameKey(written));
  }

  /** The category a name (canonical or alias) stands for, exactly. */
  resolveCategory(written: string): CategoryCode | undefined {
    return this.categoryByKey.get(nameKey(written));
  }

  category(code: CategoryCode): CategoryEntry | undefined {
    return this.data.categories.find((c) => c.code === code);
  }

  unit(name: string): UnitEntry | undefined {
    return this.data.units.find((u) => u.name === name);
  }
}

export interface UnitTerm {
  text: string;
  units: readonly string[];
  notIn?: readonly string[];
}

/**
 * The names that mean each of a plan's units: its own names and the forms it writes, plus the
 * alias table's entries where the plan has that unit — by the same name (镇妇联), or as the one
 * unit of the plan ending with its bare name (派出所 → 城南派出所). A 镇-prefixed alias never maps
 * into a plan whose unit is not a 镇 unit, and a group (学校 → two schools) only where the plan
 * has all of its units.
 */
export function planUnitTerms(plan: { units: readonly string[]; unitForms?: Record<string, string[]>; unitGroups?: Record<string, string[]> }, aliases: AliasTable): UnitTerm[] {
  const out: UnitTerm[] = [];
  for (const [phrase, members] of Object.entries(plan.unitGroups ?? {})) out.push({ text: phrase, units: members });
  const byKey = new Map(plan.units.map((u) => [nameKey(u), u]));
  for (const u of plan.units) {
    out.push({ text: u, units: [u] });
    const bare = u.startsWith('镇') && u.length > 2 ? u.slice(1) : u;
    if (bare !== u) out.push({ text: bare, units: [u] });
  }
  for (const [u, forms] of Object.entries(plan.unitForms ?? {})) for (const f of forms) out.push({ text: f, units: [u] });
  const mapped = new Map<string, string>();
  for (const e of aliases.data.units) {
    let target = byKey.get(nameKey(e.name));
    if (!target) {
      const tail = nameKey(e.name);
      const ends = plan.units.filter((u) => tail.length >= 2 && nameKey(u).endsWith(tail));
      if (ends.length === 1) target = ends[0];
    }
    if (!target) continue;
    mapped.set(e.name, target);
    const townUnit = target.startsWith('镇');
    for (const n of [e.name, ...e.aliases]) {
      if (n.startsWith('镇') && !townUnit) continue;
      if (n === e.name && nameKey(n) !== nameKey(target)) continue;
      out.push({ text: n, units: [target], notIn: e.notIn });
    }
  }
  for (const g of aliases.data.groups) {
    if (g.units.every((u) => mapped.has(u))) out.push({ text: g.alias, units: g.units.map((u) => mapped.get(u)!), notIn: g.notIn });
  }
  return out;
}

/**
 * Units the alias table knows that the plan does not have (墩集中学 in a 街道 plan): a question
 * naming one is about another town, and its answer must not name it.
 */
export function foreignUnitNames(plan: { units: readonly string[] }, aliases: AliasTable): string[] {
  const own = new Set(plan.units.map(nameKey));
  return aliases.data.units.map((e) => e.name).filter((n) => !own.has(nameKey(n)) && !plan.units.some((u) => u.includes(n)));
}

const DEFAULT_PATH = fileURLToPath(new URL('./aliases.yaml', import.meta.url));

function readAliasText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AliasFileError(path, err instanceof Error ? err.message : String(err));
  }
}

function validateAliases(path: string, text: string): AliasFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new AliasFileError(path, err instanceof Error ? err.message : String(err));
  }
  const parsed = aliasFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AliasFileError(path, `${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

export function loadAliases(path: string = DEFAULT_PATH): AliasTable {
  const text = path === DEFAULT_PATH ? defaultAliasText() : readAliasText(path);
  return new AliasTable(cachedParse('aliases', [text], () => validateAliases(path, text)));
}

let cachedText: string | undefined;

/** The bundled table's text, read once: what a plan parsed against the default table also depends on. */
export function defaultAliasText(): string {
  cachedText ??= readAliasText(DEFAULT_PATH);
  return cachedText;
}

let cached: AliasTable | undefined;

/** The bundled table, read once. */
export function defaultAliases(): AliasTable {
  cached ??= loadAliases();
  return cached;
}
