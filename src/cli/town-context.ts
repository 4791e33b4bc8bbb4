import { ConfigError, loadConfig, resolveConfigPath, type LoadedConfig } from '../config/load.js';
import { singleTown, type Settings, type TownSettings } from '../config/settings.js';
import type { Logger } from '../core/log.js';
import { fieldCipherFor } from '../domain/security/field-crypto.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../domain/ports/store.js';
import { loadCountyConfig, townSettings } from '../county/config.js';

/**
 * One CLI run: its logger and the settings read from the environment once at its start (with
 * `--town` over HUMIAO_TOWN). Commands get it passed in; none reads the environment itself.
 */
export interface CliRun {
  readonly log: Logger;
  settings: Settings;
}

export interface CliTown {
  config: LoadedConfig;
  /** The town as its bot runs it (its own data directory in a SQLite county). */
  settings: TownSettings;
}

/**
 * Which town an admin command works on. A single-town install has one; in a county
 * (HUMIAO_COUNTY_CONFIG) the admin names it with `--town <id>` (or HUMIAO_TOWN), since every
 * command reads or writes one town's records and nothing may cross towns by accident.
 */
export function cliTown(settings: Settings): CliTown {
  const countyPath = settings.countyConfigFile;
  if (!countyPath) return { config: loadConfig(settings.configFile), settings: singleTown(settings) };
  const county = loadCountyConfig(countyPath);
  const ids = county.towns.map((t) => t.townId).join('、');
  const wanted = settings.town;
  if (!wanted) throw new ConfigError(`县级部署中请用 --town 指定镇（可选：${ids}）`);
  const config = county.towns.find((t) => t.townId === wanted);
  if (!config) throw new ConfigError(`没有标识为「${wanted}」的镇（可选：${ids}）`);
  return { config, settings: townSettings(settings, config.townId) };
}

let kept: { town: CliTown; store: Store } | undefined;

/**
 * The town's store for this CLI run, opened on first use and shared: the run's audit entry and
 * the command itself go through one connection (on PostgreSQL an open is a worker thread, a
 * connection and a migration check). {@link closeCliStore} closes it when the run ends.
 */
export async function cliStore(settings: Settings): Promise<{ town: CliTown; store: Store }> {
  if (!kept) {
    const town = cliTown(settings);
    kept = { town, store: await openStore(town.settings.store, { townId: town.config.townId, cipher: fieldCipherFor(town.settings.dataKey) }) };
  }
  return kept;
}

/**
 * The single-town config file's contents for this run: the one the run's store was opened with
 * when that was this file (validating it is a twentieth of a command), else read now.
 */
export function singleTownConfig(settings: Settings): LoadedConfig {
  if (kept && !settings.countyConfigFile && kept.town.config.configPath === resolveConfigPath(settings.configFile)) return kept.town.config;
  return loadConfig(settings.configFile);
}

export async function closeCliStore(): Promise<void> {
  await kept?.store.close();
  kept = undefined;
}
