import type { AppDeps } from './core/context.js';
import { openStore, type OpenStoreOptions } from '../store/open.js';
import type { Store } from './domain/ports/store.js';
import { ConfigError, loadConfig, type LoadedConfig } from './config/load.js';
import { offsetClock, systemClock, type Clock } from './core/clock.js';
import { expandGenericUnits, townUnitsOf } from './domain/plan/generic-units.js';
import { loadPlanFile, PlanFileError } from './domain/plan/load.js';
import { MatrixFileError } from './domain/plan/matrix-file.js';
import type { PlanMatrix } from './domain/plan/types.js';
import { planRhythm } from './domain/followup/plan-rhythm.js';
import type { Logger } from './core/log.js';
import { fieldCipherFromEnv } from './domain/security/field-crypto.js';
import { useLookupSecret } from './domain/privacy/lookup-key.js';
import { OFFSET_ISO } from './domain/calendar/shanghai.js';

/**
 * Thrown by {@link bootstrap} when the configured plan cannot be used at all (no categories
 * found). Lesser plan problems are only logged: the bot still answers from what was parsed.
 */
export class PlanUnusableError extends ConfigError {
  override name = 'PlanUnusableError';
}

/**
 * The process's clock: the system clock, or with `HUMIAO_CLOCK=<ISO instant>` a clock that starts
 * at that instant and runs on in real time. That is for tests and drills only (a child-process
 * test chooses the day it runs on); with NODE_ENV=production it is refused, since reminders and
 * case codes would follow a date that is not today.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const raw = env.HUMIAO_CLOCK?.trim();
  if (!raw) return systemClock;
  if (env.NODE_ENV === 'production') throw new ConfigError('HUMIAO_CLOCK 只用于测试和演练，生产环境（NODE_ENV=production）不能设置');
  const start = /(Z|[+-]\d{2}:?\d{2})$/.test(raw) ? new Date(raw) : new Date(`${raw}${OFFSET_ISO}`);
  if (Number.isNaN(start.getTime())) {
    throw new ConfigError(`环境变量 HUMIAO_CLOCK 应为时间，例如 2027-01-01T09:00+08:00，收到「${raw}」`);
  }
  return offsetClock(start);
}

/** Config, store and plan: what both `npm start` and the CLI need. Throws ConfigError on bad config. */
export function bootstrap(log: Logger, env: NodeJS.ProcessEnv = process.env, clock: Clock = clockFromEnv(env)): AppDeps {
  return bootstrapTown(loadConfig(env), log, env, clock);
}

/**
 * One town's plan and store from its loaded config. The store is SQLite under HUMIAO_DATA_DIR,
 * or the town's schema in PostgreSQL when DATABASE_URL is set.
 */
export function bootstrapTown(
  config: LoadedConfig,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = clockFromEnv(env),
  storeOptions: Pick<OpenStoreOptions, 'outbox'> = {},
  /** A store the caller already opened for this town (the CLI shares one per run). */
  opened?: Store,
): AppDeps {
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
  const cipher = fieldCipherFromEnv(env);
  useLookupSecret(cipher?.macKey ?? null);
  const store = opened ?? openStore(env, { townId: config.townId, cipher, ...storeOptions });
  if (clock !== systemClock) log.info({ now: clock.now().toISOString() }, 'HUMIAO_CLOCK is set: this process runs on a test clock');
  if (!cipher && env.NODE_ENV === 'production') warnNoKey(config, store, clock.now(), log);
  else if (!cipher) log.info({ encryption: 'off' }, 'HUMIAO_DATA_KEY not set: case identity fields are stored unencrypted');
  return { config, plan, store, clock, log };
}

/**
 * In production a missing key is a mistake, not a trial: a warning in the log and, once a day at
 * most, a private notice to every admin, so it cannot go unnoticed in a log nobody reads.
 */
function warnNoKey(config: LoadedConfig, store: Store, now: Date, log: Logger): void {
  log.warn({ encryption: 'off' }, 'HUMIAO_DATA_KEY not set in production: case identity fields are stored unencrypted');
  const day = now.toISOString().slice(0, 10);
  for (const a of config.members.filter((m) => m.role === 'admin')) {
    store.outbox.enqueue(
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
