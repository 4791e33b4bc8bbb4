import { readFileSync } from 'node:fs';
import type { AliasTable } from './aliases.js';
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

/** Reads a UTF-8 plan text and parses it; parse problems are in the result, not thrown. */
export function loadPlanFile(path: string, aliases?: AliasTable): PlanMatrix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PlanFileError(path, err);
  }
  return parsePlan(text, aliases);
}
