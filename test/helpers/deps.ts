import { parseConfig, type LoadedConfig } from '../../src/config/load.js';
import { fixedClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { PlanMatrix } from '../../src/domain/plan/types.js';
import type { AppDeps } from '../../src/core/context.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { readFileSync } from 'node:fs';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

export const exampleConfigText = readFileSync(new URL('../../humiao.config.example.yaml', import.meta.url), 'utf8');

export function testConfig(text = exampleConfigText): LoadedConfig {
  return parseConfig(text, new URL('../../humiao.config.example.yaml', import.meta.url).pathname);
}

/** An empty matrix for tests of plumbing that never looks at the plan. */
export const emptyPlan: PlanMatrix = {
  title: '',
  overallLead: { unit: '', clause: '', text: '' },
  targets: { ordinal: 1, title: '', text: '', clause: '一', line: 0 },
  goals: { ordinal: 2, title: '', text: '', clause: '二', line: 0 },
  categories: [],
  requirements: [],
  frequencies: [],
  units: [],
  problems: [],
};

/** Deps for one test, on a fresh in-memory store (opened only when `overrides` brings none). */
export async function testDeps(overrides: Partial<AppDeps> = {}): Promise<AppDeps & { clock: ReturnType<typeof fixedClock> }> {
  const clock = fixedClock(new Date('2026-11-29T02:00:00Z'));
  return {
    config: testConfig(),
    store: overrides.store ?? (await openSqliteStore(':memory:')),
    plan: emptyPlan,
    lookup: plainLookupKeys,
    log: silentLogger,
    ...overrides,
    clock,
  } as AppDeps & { clock: ReturnType<typeof fixedClock> };
}
