import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.js';
import { bootstrapTown } from './bootstrap.js';
import { createLogger } from './core/log.js';
import { platformOf, ChannelStartError, type TownRuntimeOptions } from './town-runtime.js';
import { loadCountyConfig, requireTownCredentials, townRuntimeEnv } from './county/config.js';
import { runOwnedTowns, type OwnedTowns, type TownUnit } from './county/runtime.js';
import type { LeaseManager, openLeasePool } from './county/lease.js';
import { StoreUnreachableError } from '../store/open.js';

const started = performance.now();
const env = process.env;
const countyPath = env.HUMIAO_COUNTY_CONFIG?.trim();
// In the console the conversation is on stdout; keep logs to warnings unless asked.
const log = createLogger(env.LOG_LEVEL ?? (!countyPath && platformOf(env) === 'console' ? 'warn' : 'info'));

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function positiveIntEnv(name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) === 0) throw new ConfigError(`环境变量 ${name} 应为正整数（毫秒），收到「${raw}」`);
  return Number(raw);
}

let leases: LeaseManager | undefined;
let leasePool: ReturnType<typeof openLeasePool> | undefined;

/**
 * One town (humiao.config.yaml) or a county (HUMIAO_COUNTY_CONFIG listing town configs). With
 * DATABASE_URL every town is run under a lease, so a second process started the same way is a
 * warm standby; with SQLite each town has its own file and one process runs them all.
 */
function loadTowns(): TownUnit[] {
  const { values } = parseArgs({ options: { user: { type: 'string' }, group: { type: 'string' } }, allowPositionals: false });
  // Outbox rows are claimed in the holder's name for no longer than the lease lives, so after a
  // takeover the new holder finds the dead holder's claims already lapsed.
  const storeOptions = leases ? { outbox: { claimant: leases.holder, claimMs: leases.ttlMs } } : {};
  if (!countyPath) {
    const config = loadConfig(env);
    const runtime: TownRuntimeOptions = { env, console: { userId: values.user, groupId: values.group } };
    return [{ deps: bootstrapTown(config, log, env, undefined, storeOptions), runtime }];
  }
  const county = loadCountyConfig(countyPath);
  for (const t of county.towns) requireTownCredentials(env, t.townId);
  return county.towns.map((config) => {
    const own = townRuntimeEnv(env, config.townId);
    return { deps: bootstrapTown(config, log.child({ town: config.townId }), own, undefined, storeOptions), runtime: { env: own } };
  });
}

let towns: TownUnit[];
try {
  if (env.DATABASE_URL) {
    // pg's client library is only for PostgreSQL deployments: a SQLite start does not load it.
    const { LeaseManager, openLeasePool } = await import('./county/lease.js');
    leasePool = openLeasePool(env.DATABASE_URL);
    leases = new LeaseManager(leasePool, {
      ttlMs: positiveIntEnv('HUMIAO_LEASE_TTL_MS'),
      renewMs: positiveIntEnv('HUMIAO_LEASE_RENEW_MS'),
      pollMs: positiveIntEnv('HUMIAO_LEASE_POLL_MS'),
    });
  }
  towns = loadTowns();
  await leases?.ensureTable();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  if (err instanceof StoreUnreachableError) fail(err.message, err.exitCode);
  throw err;
}

let owned: OwnedTowns | undefined;
let exiting = false;

async function shutdown(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await owned?.stop();
    for (const t of towns) t.deps.store.close();
    await leasePool?.end().catch(() => {});
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function channelFailed(err: unknown): Promise<never> {
  if (!(err instanceof ChannelStartError)) throw err;
  log.fatal({ err: err.message }, 'channel failed to start');
  return shutdown(err.exitCode);
}

try {
  owned = await runOwnedTowns(towns, leases);
} catch (err) {
  await channelFailed(err);
}
owned!.failure.catch(channelFailed);
log.info({ towns: towns.map((t) => t.deps.config.townId), standby: Boolean(leases), ms: Math.round(performance.now() - started) }, 'ready');

if (owned!.done) {
  await owned!.done;
  await shutdown(0);
}
