import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { loadAliases } from '../../../src/domain/plan/aliases.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { cachedParse, useParseCache } from '../../../src/config/parse-cache.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { renderPlan, renderProblems } from '../../../src/domain/plan/render.js';

const root = mkdtempSync(join(tmpdir(), 'humiao-parse-cache-'));
const bundled = readFileSync(new URL('../../../plans/dunji-2023.txt', import.meta.url), 'utf8');
let n = 0;
/** A fresh cache folder per test, so no test sees another's entries. */
function freshCache(version = 'v1'): string {
  const dir = join(root, `cache-${n++}`);
  useParseCache({ dir, version });
  return dir;
}
function planFile(text: string): string {
  const p = join(root, `plan-${n++}.txt`);
  writeFileSync(p, text);
  return p;
}

afterEach(() => useParseCache(undefined));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cached plan parsing', () => {
  it('a cached plan is the parsed plan: same matrix, same rendering, same problems', () => {
    const lines = bundled.split('\n');
    lines[lines.findIndex((l) => l.includes('牵头单位：'))] = '此项工作请各单位参照执行。';
    const text = lines.join('\n');
    const fresh = parsePlan(text);
    expect(fresh.problems.length).toBeGreaterThan(0);
    freshCache();
    const path = planFile(text);
    const first = loadPlanFile(path);
    const second = loadPlanFile(path);
    for (const m of [first, second]) {
      expect(m).toEqual(fresh);
      expect(renderPlan(m)).toBe(renderPlan(fresh));
      expect(renderProblems(m.problems)).toBe(renderProblems(fresh.problems));
    }
  });

  it('the second read comes from the cache; a changed text, a new version or a corrupt entry is computed again', () => {
    const dir = freshCache();
    let calls = 0;
    const compute = (v: string) => () => (calls++, { v });
    expect(cachedParse('plan', ['a'], compute('a'))).toEqual({ v: 'a' });
    expect(cachedParse('plan', ['a'], compute('x'))).toEqual({ v: 'a' });
    expect(calls).toBe(1);
    expect(cachedParse('plan', ['b'], compute('b'))).toEqual({ v: 'b' });
    expect(calls).toBe(2);
    // Inputs are length-framed: ['ab', ''] is not ['a', 'b'].
    expect(cachedParse('plan', ['a', 'b'], compute('ab'))).toEqual({ v: 'ab' });
    expect(cachedParse('plan', ['ab', ''], compute('ab2'))).toEqual({ v: 'ab2' });
    expect(calls).toBe(4);
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), '{"key": "trunc');
    expect(cachedParse('plan', ['a'], compute('a2'))).toEqual({ v: 'a2' });
    expect(cachedParse('plan', ['a'], compute('a3'))).toEqual({ v: 'a2' });
    expect(calls).toBe(5);
    useParseCache({ dir, version: 'v2' });
    expect(cachedParse('plan', ['a'], compute('a4'))).toEqual({ v: 'a4' });
    expect(calls).toBe(6);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an edited plan file is read again, not served from the cache', () => {
    freshCache();
    const path = planFile(bundled);
    expect(loadPlanFile(path).problems).toEqual([]);
    const edited = bundled.replace(/牵头单位：[^\n]*/, '此项工作请各单位参照执行。');
    writeFileSync(path, edited);
    expect(loadPlanFile(path)).toEqual(parsePlan(edited));
    expect(loadPlanFile(path).problems.length).toBeGreaterThan(0);
  });

  it('a failure is not cached: a broken alias table is refused every time', () => {
    freshCache();
    const bad = join(root, 'aliases-bad.yaml');
    writeFileSync(bad, 'units: [1, 2');
    expect(() => loadAliases(bad)).toThrow(/别名表/);
    expect(() => loadAliases(bad)).toThrow(/别名表/);
  });

  it('a cache folder that cannot be written is no cache, not a failure', () => {
    const blocker = join(root, `file-${n++}`);
    writeFileSync(blocker, 'x');
    useParseCache({ dir: join(blocker, 'sub'), version: 'v1' });
    expect(loadPlanFile(planFile(bundled))).toEqual(parsePlan(bundled));
  });

  it('what JSON would not give back unchanged is computed every time, never stored', () => {
    const dir = freshCache();
    let calls = 0;
    const v = () => cachedParse('config-yaml', ['x'], () => (calls++, { max: Infinity, d: new Date(0) }));
    expect(v().max).toBe(Infinity);
    expect(v().d).toBeInstanceOf(Date);
    expect(calls).toBe(2);
    expect(existsSync(dir)).toBe(false);
  });

  it('a config read through the cache is validated every time: the same error for the same bad file, the same config for a good one', () => {
    freshCache();
    const good = readFileSync(new URL('../../../humiao.config.example.yaml', import.meta.url), 'utf8');
    const path = join(root, 'humiao.config.yaml');
    expect(parseConfig(good, path)).toEqual(parseConfig(good, path));
    const bad = `${good}
unknownSetting: 1\n`;
    const message = (): string => {
      try {
        parseConfig(bad, path);
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
      }
      return 'no error';
    };
    const first = message();
    expect(first).toMatch(/未知的配置项「unknownSetting」/);
    expect(message()).toBe(first);
  });
});
