import { readFileSync } from 'node:fs';
import { defaultAliasText, type AliasTable } from './aliases.js';
import { parseMatrixYaml } from './matrix-file.js';
import { cachedParse } from '../../config/parse-cache.js';
import { parsePlan } from './parse.js';
import type { PlanMatrix } from './types.js';

/** Thrown by `loadPlanFile` when the plan file cannot be read (missing, a directory, no permission). */
export class PlanFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`无法读取实施方案文件 ${path}：${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'PlanFileError';
  }
}

/** A reviewed matrix (`plan import` output) rather than a plan text. */
export function isMatrixFile(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * Reads a UTF-8 plan text and parses it (parse problems are in the result, not thrown), or a
 * reviewed matrix YAML, which must validate (MatrixFileError names the offending path).
 */
export function loadPlanFile(path: string, aliases?: AliasTable): PlanMatrix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PlanFileError(path, err);
  }
  if (isMatrixFile(path)) {
    const yaml = text.replace(/^\uFEFF/, '');
    return cachedParse('matrix', [path, yaml], () => parseMatrixYaml(yaml, path));
  }
  // A table given by the caller is not the bundled one the cache key names.
  if (aliases) return parsePlan(text, aliases);
  return cachedParse('plan', [defaultAliasText(), text], () => parsePlan(text));
}
