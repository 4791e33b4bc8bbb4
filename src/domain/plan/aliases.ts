import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { nameKey } from '../text/normalize.js';
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

const DEFAULT_PATH = fileURLToPath(new URL('./aliases.yaml', import.meta.url));

export function loadAliases(path: string = DEFAULT_PATH): AliasTable {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AliasFileError(path, err instanceof Error ? err.message : String(err));
  }
  const parsed = aliasFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AliasFileError(path, `${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return new AliasTable(parsed.data);
}

let cached: AliasTable | undefined;

/** The bundled table, read once. */
export function defaultAliases(): AliasTable {
  cached ??= loadAliases();
  return cached;
}
