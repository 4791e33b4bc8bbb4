import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where parsed plan matrices, alias tables and config YAML are kept between runs, and the version
 * of the code that parsed them. Parsing the plan text, the alias table and the config's YAML was
 * about half of a CLI command and a share of every start; what they produce depends only on those
 * texts and on the parser, so a result keyed by a hash of both is reused until either changes.
 * It lives with the config because both the config and the domain use it and it needs neither.
 */
export interface ParseCacheSettings {
  dir: string;
  /** Changes whenever the parsing code may have (the build's fingerprint). */
  version: string;
}

let settings: ParseCacheSettings | undefined;

/** Turned on by the entry points of a build; off (every parse done afresh) when not called, as under tsx and in tests. */
export function useParseCache(s: ParseCacheSettings | undefined): void {
  settings = s;
}

/**
 * `compute()`'s result for these inputs, from the cache when a run of this version already made
 * it. Only what JSON gives back unchanged is cached (not a YAML `.inf`, which JSON would make null). A missing, unreadable or corrupt entry is recomputed and
 * rewritten; a cache that cannot be written (read-only install) is simply not kept. What throws is
 * never cached, so an error is reported every time, as without the cache.
 */
export function cachedParse<T>(kind: string, inputs: readonly string[], compute: () => T): T {
  const s = settings;
  if (!s) return compute();
  const h = createHash('sha256').update(`${kind}\0${s.version}`);
  for (const i of inputs) h.update(`\0${i.length}\0`).update(i);
  const key = h.digest('hex');
  const file = join(s.dir, `${kind}-${key.slice(0, 32)}.json`);
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; value?: unknown };
    if (entry && entry.key === key && entry.value !== undefined) return entry.value as T;
  } catch {
    // Missing or corrupt: computed below.
  }
  const value = compute();
  if (!plainJson(value)) return value;
  // Written whole then renamed, so a run killed mid-write or a concurrent run never reads half an entry.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(s.dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify({ key, value }));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is unusable (a file in its place): nothing was written.
    }
  }
  return value;
}

/** Whether JSON gives `v` back as it is: finite numbers, strings, booleans, null, plain arrays and objects (an undefined property is dropped, as reading it gives undefined either way). */
function plainJson(v: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every((x) => x !== undefined && plainJson(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v as object).every((x) => x === undefined || plainJson(x, depth + 1));
  }
  return false;
}
