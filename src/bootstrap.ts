import type { AppDeps } from './core/context.js';
import { openStore, type OpenStoreOptions } from '../store/open.js';
import type { Store } from './domain/ports/store.js';
import { ConfigError, type LoadedConfig } from './config/load.js';
import type { Settings, TownSettings } from './config/settings.js';
import { offsetClock, systemClock, type Clock } from './core/clock.js';
import { expandGenericUnits, townUnitsOf } from './domain/plan/generic-units.js';
import { loadPlanFile, PlanFileError } from './domain/plan/load.js';
import { MatrixFileError } from './domain/plan/matrix-file.js';
import type { PlanMatrix } from './domain/plan/types.js';
import { planRhythm } from './domain/followup/plan-rhythm.js';
import type { Logger } from './core/log.js';
import { fieldCipherFor } from './domain/security/field-crypto.js';
import { lookupKeys } from './domain/privacy/lookup-key.js';
import { OFFSET_ISO } from './domain/calendar/shanghai.js';
import { fileURLToPath } from 'node:url';
import { useParseCache } from './config/parse-cache.js';

/** Set by scripts/build.mjs to the build's fingerprint; absent when the sources run under tsx. */
declare const __HUMIAO_BUILD__: string | undefined;

/**
 * A compiled run keeps parsed plans and alias tables in dist/.cache, keyed by the build's
 * fingerprint: a rebuild (any source changed) empties dist/ and with it every entry the old parser
 * made. Under tsx no fingerprint says when the parser changed, so nothing is cached there.
 */
export function useBuildCaches(): void {
  if (typeof __HUMIAO_BUILD__ !== 'string') return;
  useParseCache({ dir: fileURLToPath(new URL('../.cache/', import.meta.url)), version: __HUMIAO_BUILD__ });
}

/**
 * Thrown by {@link bootstrapTown} when the configured plan cannot be used at all (no categories
 * found). Lesser plan problems are only logged: the bot still answers from what was parsed.
 */
export class PlanUnusableError extends ConfigError {
  override name = 'PlanUnusableError';
}

/**
 * The process's clock: the system clock, or with `HUMIAO_CLOCK=<ISO instant>` a clock that starts
 * at that instant and runs on in real time. That is for tests and drills only (a child-process
 * test chooses the day it runs on); the settings refuse it in production.
 */
export function clockOf(settings: Pick<Settings, 'clockStart'>): Clock {
  const raw = settings.clockStart;
  if (!raw) return systemClock;
  return offsetClock(/(Z|[+-]\d{2}:?\d{2})$/.test(raw) ? new Date(raw) : new Date(`${raw}${OFFSET_ISO}`));
}

export interface BootstrapOptions {
  /** The process's clock ({@link clockOf}); the system clock by default. */
  clock?: Clock;
  storeOptions?: Pick<OpenStoreOptions, 'outbox'>;
  /** A store the caller already opened for this town (the CLI shares one per run). */
  opened?: Store;
}

/**
 * One town's context from its loaded config and settings: the plan, and the store (SQLite in the
 * town's data directory, or the town's schema in PostgreSQL). Throws ConfigError on bad config.
 */
export async function bootstrapTown(config: LoadedConfig, town: TownSettings, log: Logger, opts: BootstrapOptions = {}): Promise<AppDeps> {
  const clock = opts.clock ?? systemClock;
  let plan: PlanMatrix;
  try {
    plan = loadPlanFile(config.planPath);
  } catch (err) {
    if (err instanceof MatrixFileError || err instanceof PlanFileError) throw new PlanUnusableError(err.message);
    throw err;
  }
  if (plan.categories.length === 0) {
    throw new PlanUnusableError(`实施方案 ${config.planPath} 中没有识别出任何工作对象类别，请用 \`npm run humiao -- plan check\` 检查`);
  }
  // A partly readable plan still runs on what was read; what is missing is said once at start.
  const errors = plan.problems.filter((p) => p.severity !== 'notice');
  if (errors.length > 0) {
    log.warn({ plan: config.planPath, problems: errors.length }, `实施方案有 ${errors.length} 处没有读出，按已读出的内容运行；用 npm run humiao -- plan check 查看`);
  }
  for (const p of plan.problems) log.warn({ line: p.line, problem: p.message, notice: p.severity === 'notice' }, 'plan problem');
  // 中小学校 / 各社区 in the plan become the schools and villages the config lists, if it lists them.
  plan = expandGenericUnits(plan, townUnitsOf(config));
  // The plan's own contact rules and report day, over the config's followup defaults.
  const rhythm = planRhythm(plan, config.followup);
  config = { ...config, followup: rhythm.followup };
  // Throws a ConfigError (exit 2) when encrypted data exists but the key is missing or wrong.
  const cipher = fieldCipherFor(town.dataKey);
  const store = opts.opened ?? await openStore(town.store, { townId: config.townId, cipher, ...opts.storeOptions });
  if (clock !== systemClock) log.info({ now: clock.now().toISOString() }, 'HUMIAO_CLOCK is set: this process runs on a test clock');
  if (!cipher && town.production) await warnNoKey(config, store, clock.now(), log);
  else if (!cipher) log.info({ encryption: 'off' }, 'HUMIAO_DATA_KEY not set: case identity fields are stored unencrypted');
  return { config, plan, store, lookup: lookupKeys(cipher?.macKey ?? null), clock, log };
}

/**
 * In production a missing key is a mistake, not a trial: a warning in the log and, once a day at
 * most, a private notice to every admin, so it cannot go unnoticed in a log nobody reads.
 */
async function warnNoKey(config: LoadedConfig, store: Store, now: Date, log: Logger): Promise<void> {
  log.warn({ encryption: 'off' }, 'HUMIAO_DATA_KEY not set in production: case identity fields are stored unencrypted');
  const day = now.toISOString().slice(0, 10);
  for (const a of config.members.filter((m) => m.role === 'admin')) {
    await store.outbox.enqueue(
      {
        target: { kind: 'user', id: a.userid },
        reply: { text: '⚠️ 护苗助手正式运行但没有设置数据加密密钥（HUMIAO_DATA_KEY），孩子的身份信息以明文保存。请尽快设置密钥后重启，见 docs/security.md。' },
        reason: 'security.no-key',
        dedupeKey: `security.no-key:${day}:${a.userid}`,
      },
      now,
    );
  }
}
