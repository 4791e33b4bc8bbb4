import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIssuePath, parseYamlText } from './yaml-text.js';
import { cachedParse } from './parse-cache.js';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

z.config(z.locales.zhCN());

/**
 * Project root (the folder holding package.json), for bundled files such as the default plan:
 * two levels up from this file, three from its compiled copy in dist/.
 */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const projectRoot = existsSync(resolve(here, 'package.json')) ? here : resolve(here, '..');
export const bundledPlanPath = resolve(projectRoot, 'plans/dunji-2023.txt');

/**
 * Thrown by {@link loadConfig} when the config file is missing, is not YAML, or fails
 * validation. `message` is one line naming the file and the offending key; `main` prints it
 * and exits with code 2.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig extends Config {
  /** Absolute path of the config file (or of the example used as a fallback). */
  configPath: string;
  /** Absolute path of the plan text to load. */
  planPath: string;
  /** `id`, or casePrefix in lower case: the town's key in a database shared by a county. */
  townId: string;
}

/**
 * Where the config lives: the file given (`HUMIAO_CONFIG`, see Settings.configFile), else
 * `./humiao.config.yaml`, else the shipped example, so that `npm install && npm start` works on a
 * fresh clone.
 */
export function resolveConfigPath(file?: string): string {
  if (file) return resolve(file);
  const local = resolve('humiao.config.yaml');
  if (existsSync(local)) return local;
  return resolve(projectRoot, 'humiao.config.example.yaml');
}

export function parseConfig(text: string, configPath: string): LoadedConfig {
  // Only the YAML is cached: validation runs every time, so a config's problems are reported as before.
  const raw = cachedParse('config-yaml', [text], () => parseYamlText(text, `配置文件 ${configPath}`, (m) => new ConfigError(m)));
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const more = result.error.issues.length > 1 ? `（另有 ${result.error.issues.length - 1} 处问题）` : '';
    const message = issue.code === 'unrecognized_keys' ? `未知的配置项「${issue.keys.join('」「')}」（拼写错误？）` : issue.message;
    throw new ConfigError(`配置文件 ${configPath} 中 ${formatIssuePath(issue.path)}：${message}${more}`);
  }
  const cfg = result.data;
  const planPath = cfg.plan ? resolve(dirname(configPath), cfg.plan) : bundledPlanPath;
  if (!existsSync(planPath)) {
    throw new ConfigError(`配置文件 ${configPath} 中 plan：找不到实施方案文件 ${planPath}`);
  }
  if (!statSync(planPath).isFile()) throw new ConfigError(`配置文件 ${configPath} 中 plan：${planPath} 是文件夹，不是实施方案文件`);
  return { ...cfg, configPath, planPath, townId: cfg.id ?? cfg.casePrefix.toLowerCase() };
}

export function loadConfig(file?: string): LoadedConfig {
  const configPath = resolveConfigPath(file);
  if (!existsSync(configPath)) throw new ConfigError(`找不到配置文件 ${configPath}（可用 HUMIAO_CONFIG 指定）`);
  if (!statSync(configPath).isFile()) throw new ConfigError(`配置文件 ${configPath} 是文件夹，不是文件（可用 HUMIAO_CONFIG 指定）`);
  return parseConfig(readFileSync(configPath, 'utf8'), configPath);
}
