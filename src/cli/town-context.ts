import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { fieldCipherFromEnv } from '../domain/security/field-crypto.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../domain/ports/store.js';
import { loadCountyConfig, townRuntimeEnv } from '../county/config.js';

export interface CliTown {
  config: LoadedConfig;
  /** The environment as the town's bot sees it (its own data directory in a SQLite county). */
  env: NodeJS.ProcessEnv;
}

/**
 * Which town an admin command works on. A single-town install has one; in a county
 * (HUMIAO_COUNTY_CONFIG) the admin names it with `--town <id>` (or HUMIAO_TOWN), since every
 * command reads or writes one town's records and nothing may cross towns by accident.
 */
export function cliTown(env: NodeJS.ProcessEnv = process.env): CliTown {
  const countyPath = env.HUMIAO_COUNTY_CONFIG?.trim();
  if (!countyPath) return { config: loadConfig(env), env };
  const county = loadCountyConfig(countyPath);
  const ids = county.towns.map((t) => t.townId).join('、');
  const wanted = env.HUMIAO_TOWN?.trim();
  if (!wanted) throw new ConfigError(`县级部署中请用 --town 指定镇（可选：${ids}）`);
  const config = county.towns.find((t) => t.townId === wanted);
  if (!config) throw new ConfigError(`没有标识为「${wanted}」的镇（可选：${ids}）`);
  return { config, env: townRuntimeEnv(env, config.townId) };
}

let kept: { town: CliTown; store: Store } | undefined;

/**
 * The town's store for this CLI run, opened on first use and shared: the run's audit entry and
 * the command itself go through one connection (on PostgreSQL an open is a worker thread, a
 * connection and a migration check). {@link closeCliStore} closes it when the run ends.
 */
export function cliStore(env: NodeJS.ProcessEnv = process.env): { town: CliTown; store: Store } {
  if (!kept) {
    const town = cliTown(env);
    kept = { town, store: openStore(town.env, { townId: town.config.townId, cipher: fieldCipherFromEnv(town.env) }) };
  }
  return kept;
}

export function closeCliStore(): void {
  kept?.store.close();
  kept = undefined;
}
