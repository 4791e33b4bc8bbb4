import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseYamlText } from '../config/yaml-text.js';
import { z } from 'zod';
import { ConfigError, parseConfig, type LoadedConfig } from '../config/load.js';
import { chatSettings, type ChatVars, type Settings, type TownSettings } from '../config/settings.js';

/**
 * `HUMIAO_COUNTY_CONFIG`: one process serves several towns. Each town keeps its own config file
 * (plan, villages, members, groups — the same shape as humiao.config.yaml); this file only lists
 * them. Secrets stay in the environment, suffixed with the town id (see {@link townSettings}).
 */
export const countyConfigSchema = z.strictObject({
  county: z.string().min(1),
  /** Town config files, relative to this file. */
  towns: z.array(z.string().min(1)).min(1),
});

export interface CountyConfig {
  county: string;
  configPath: string;
  towns: LoadedConfig[];
}

export function parseCountyConfig(text: string, configPath: string, readFile = (p: string) => readFileSync(p, 'utf8')): CountyConfig {
  const raw = parseYamlText(text, `县级配置文件 ${configPath}`, (m) => new ConfigError(m));
  const parsed = countyConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // As in a town's config: a misspelt key is an error, not something silently left out.
    const message = issue.code === 'unrecognized_keys' ? `未知的配置项「${issue.keys.join('」「')}」（拼写错误？）` : issue.message;
    throw new ConfigError(`县级配置文件 ${configPath} 中 ${issue.path.join('.') || '(根)'}：${message}`);
  }
  const towns = parsed.data.towns.map((rel) => {
    const file = resolve(dirname(configPath), rel);
    if (!existsSync(file)) throw new ConfigError(`县级配置文件 ${configPath} 中 towns：找不到镇配置文件 ${file}`);
    return parseConfig(readFile(file), file);
  });
  // Town ids name the database schemas and the credentials; case prefixes name the cases county-wide.
  for (const key of ['townId', 'casePrefix'] as const) {
    const seen = new Map<string, string>();
    for (const t of towns) {
      const other = seen.get(t[key]);
      if (other) {
        const what = key === 'townId' ? '镇标识 id' : 'casePrefix';
        throw new ConfigError(`县级配置文件 ${configPath}：${other} 与 ${t.configPath} 的${what}都是「${t[key]}」，每个镇必须不同`);
      }
      seen.set(t[key], t.configPath);
    }
  }
  return { county: parsed.data.county, configPath, towns };
}

export function loadCountyConfig(path: string): CountyConfig {
  const file = resolve(path);
  if (!existsSync(file)) throw new ConfigError(`找不到县级配置文件 ${file}（HUMIAO_COUNTY_CONFIG）`);
  return parseCountyConfig(readFileSync(file, 'utf8'), file);
}

/**
 * A town's settings in a county: its own bot credentials from the variables suffixed with its id
 * (`WECOM_BOT_ID_DUNJI` becomes its WeCom bot id). The unsuffixed bot credentials are dropped, so
 * one town's bot can never be started for another; WECOM_WS_URL and the tuning variables may be
 * shared and are kept unless the town has its own. Without PostgreSQL each town has its own
 * SQLite directory under the data directory (`data/<id>/humiao.db`), since a SQLite file holds
 * one town. The data key is one for the county.
 */
export function townSettings(settings: Settings, townId: string): TownSettings {
  const own = settings.perTown.get(townId.toUpperCase()) ?? {};
  const vars: ChatVars = { ...settings.chatVars, WECOM_BOT_ID: undefined, WECOM_BOT_SECRET: undefined, TELEGRAM_BOT_TOKEN: undefined, ...own };
  const store = settings.store.databaseUrl ? settings.store : { dataDir: join(settings.store.dataDir, townId) };
  return { chat: chatSettings(vars), store, ...(settings.dataKey ? { dataKey: settings.dataKey } : {}), production: settings.production };
}

/** A county process serves chat platforms only; a town without bot credentials is a config error. */
export function requireTownCredentials(settings: Settings, townId: string): void {
  const id = townId.toUpperCase();
  const own = settings.perTown.get(id) ?? {};
  if (own.WECOM_BOT_ID && !own.WECOM_BOT_SECRET) throw new ConfigError(`镇「${townId}」设置了 WECOM_BOT_ID_${id}，但缺少 WECOM_BOT_SECRET_${id}`);
  if (!own.WECOM_BOT_ID && !own.TELEGRAM_BOT_TOKEN) {
    throw new ConfigError(`镇「${townId}」没有机器人凭据：请设置 WECOM_BOT_ID_${id} 和 WECOM_BOT_SECRET_${id}（或 TELEGRAM_BOT_TOKEN_${id}）`);
  }
}
