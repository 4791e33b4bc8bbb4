import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.js';
import { readSettings, singleTown, type Settings } from './config/settings.js';
import { bootstrapTown, clockOf, useBuildCaches } from './bootstrap.js';
import { createLogger } from './core/log.js';
import { ChannelFailedError, type TownRuntimeOptions } from './town-runtime.js';
import { loadCountyConfig, requireTownCredentials, townSettings } from './county/config.js';
import { runOwnedTowns, type OwnedTowns, type TownUnit } from './county/runtime.js';
import type { LeaseManager, openLeasePool } from './county/lease.js';
import { StoreUnreachableError } from '../store/open.js';
import { storageFailure } from '../store/storage-failure.js';

const started = performance.now();

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

// The environment is read here once, for the whole process; everything below gets typed settings.
let settings: Settings;
try {
  settings = readSettings(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  throw err;
}
useBuildCaches();
const countyPath = settings.countyConfigFile;
const clock = clockOf(settings);
// In the console the conversation is on stdout; keep logs to warnings unless asked.
const log = createLogger(settings.logLevel ?? (!countyPath && singleTown(settings).chat.platform === 'console' ? 'warn' : 'info'));

/**
 * Whatever stops the start is one Chinese line and an exit code, never a stack: a setting (2), a
 * store that is busy or unreachable (5), a data folder or disk that cannot be written (6), else 1.
 * An unexpected error's stack is in the log at debug level only.
 */
function startFailed(err: unknown): never {
  if (err instanceof ConfigError) fail(err.message, 2);
  if (err instanceof StoreUnreachableError) fail(err.message, err.exitCode);
  const storage = storageFailure(err);
  if (storage) fail(storage.message, storage.exitCode);
  log.debug({ err }, 'start failed');
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
  fail(`启动失败：${first}（设置 LOG_LEVEL=debug 可在日志中看到详情）`, 1);
}

let leases: LeaseManager | undefined;
let leasePool: ReturnType<typeof openLeasePool> | undefined;

/**
 * One town (humiao.config.yaml) or a county (HUMIAO_COUNTY_CONFIG listing town configs). With
 * DATABASE_URL every town is run under a lease, so a second process started the same way is a
 * warm standby; with SQLite each town has its own file and one process runs them all.
 */
async function loadTowns(): Promise<TownUnit[]> {
  const { values } = parseArgs({ options: { user: { type: 'string' }, group: { type: 'string' } }, allowPositionals: false });
  // Outbox rows are claimed in the holder's name for no longer than the lease lives, so after a
  // takeover the new holder finds the dead holder's claims already lapsed.
  const storeOptions = leases ? { outbox: { claimant: leases.holder, claimMs: leases.ttlMs } } : {};
  if (!countyPath) {
    const config = loadConfig(settings.configFile);
    const town = singleTown(settings);
    const runtime: TownRuntimeOptions = { chat: town.chat, console: { userId: values.user, groupId: values.group } };
    return [{ deps: await bootstrapTown(config, town, log, { clock, storeOptions }), runtime }];
  }
  const county = loadCountyConfig(countyPath);
  for (const t of county.towns) requireTownCredentials(settings, t.townId);
  const units: TownUnit[] = [];
  for (const config of county.towns) {
    const town = townSettings(settings, config.townId);
    units.push({ deps: await bootstrapTown(config, town, log.child({ town: config.townId }), { clock, storeOptions }), runtime: { chat: town.chat } });
  }
  return units;
}

let towns: TownUnit[];
try {
  if (settings.store.databaseUrl) {
    // pg's client library is only for PostgreSQL deployments: a SQLite start does not load it.
    const { LeaseManager, openLeasePool } = await import('./county/lease.js');
    leasePool = openLeasePool(settings.store.databaseUrl);
    leases = new LeaseManager(leasePool, settings.lease);
  }
  towns = await loadTowns();
  await leases?.ensureTable();
} catch (err) {
  startFailed(err);
}

let owned: OwnedTowns | undefined;
let exiting = false;

async function shutdown(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await owned?.stop();
    for (const t of towns) await t.deps.store.close();
    await leasePool?.end().catch(() => {});
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/**
 * The process ends only when no town is left to run: a single town's channel failed, or every
 * county town's (each was logged as it stopped). The exit code is the channel's.
 */
function noTownLeft(err: unknown): Promise<never> {
  if (!(err instanceof ChannelFailedError)) throw err;
  return shutdown(err.exitCode);
}

try {
  owned = await runOwnedTowns(towns, leases);
} catch (err) {
  if (err instanceof ChannelFailedError) {
    log.fatal({ err: err.message }, 'channel failed to start');
    await noTownLeft(err);
  }
  // A town's first writes (catch-up bookkeeping, the audit head) can meet a disk that just filled.
  startFailed(err);
}
owned!.failure.catch(noTownLeft);
// `ready` means answering: every town that is going to serve has its lease and its channel up.
// Towns whose lease another process holds are named in it as standby rather than waited for.
void owned!.settled.then(({ serving, standby }) => {
  if (serving.length === 0 && standby.length > 0) {
    log.info({ standby, ms: Math.round(performance.now() - started) }, 'standby: another process serves every town; waiting for a lease');
  }
});
void owned!.serving.then(({ serving, standby, failed }) => {
  log.info({ towns: serving, standby, ...(failed.length ? { failed } : {}), ms: Math.round(performance.now() - started) }, 'ready');
});

if (owned!.done) {
  await owned!.done;
  await shutdown(0);
}
