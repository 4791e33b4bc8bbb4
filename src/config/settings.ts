import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './load.js';

/**
 * Everything the process takes from its environment, parsed once at start-up (src/main.ts, the
 * CLI) into {@link Settings} and passed down from there. No other module reads the environment,
 * so a misspelt or malformed variable is one clear error at start, not a default silently applied
 * wherever somebody happened to read it.
 */

/** The environment as given: names to values, unset and empty alike meaning "not set". */
export type Environment = Readonly<Record<string, string | undefined>>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bot credentials a county gives each town separately, suffixed with the town id (`WECOM_BOT_ID_DJ`). */
export const PER_TOWN_VARS = ['WECOM_BOT_ID', 'WECOM_BOT_SECRET', 'WECOM_WS_URL', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_API_ROOT'] as const;
export type PerTownVar = (typeof PER_TOWN_VARS)[number];

// Unset and empty are the same ("WECOM_BOT_ID= npm start" turns WeCom off); values are trimmed.
const given = <T extends z.ZodType>(inner: T) =>
  z.preprocess((v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v), inner.optional());

const text = given(z.string());
const count = given(z.string().regex(/^\d+$/, { message: '应为非负整数' }).transform(Number));
const positiveMs = given(
  z
    .string()
    .regex(/^\d+$/, { message: '应为正整数（毫秒）' })
    .transform(Number)
    .refine((n) => n > 0, { message: '应为正整数（毫秒）' }),
);
const port = given(
  z
    .string()
    .regex(/^\d+$/, { message: '应为端口号（0–65535）' })
    .transform(Number)
    .refine((n) => n < 65536, { message: '应为端口号（0–65535）' }),
);
/**
 * An instant, as written; one without an offset is Shanghai time, which the wiring adds (the
 * calendar owns the offset, and config sits beneath it). Checked here, so a typo fails at start.
 */
const instant = given(
  z.string().refine((raw) => !Number.isNaN(new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(raw) ? raw : `${raw}Z`).getTime()), {
    message: '应为时间，例如 2027-01-01T09:00+08:00',
  }),
);

/** The variables the app reads, and what each must look like. */
export const environmentSchema = z.object({
  /** The town's config file (default ./humiao.config.yaml, else the shipped example). */
  HUMIAO_CONFIG: text,
  /** A county's list of town config files: one process serves every town in it. */
  HUMIAO_COUNTY_CONFIG: text,
  /** CLI in a county: the town a command works on (also `--town`). */
  HUMIAO_TOWN: text,
  /** Where SQLite data lives (default ./data). */
  HUMIAO_DATA_DIR: text,
  /** The key personal data is encrypted under at rest. */
  HUMIAO_DATA_KEY: text,
  /** Tests and drills only: the instant the process's clock starts at. */
  HUMIAO_CLOCK: instant,
  HUMIAO_LEASE_TTL_MS: positiveMs,
  HUMIAO_LEASE_RENEW_MS: positiveMs,
  HUMIAO_LEASE_POLL_MS: positiveMs,
  /** PostgreSQL instead of SQLite: every town in its own schema, run under a lease. */
  DATABASE_URL: text,
  LOG_LEVEL: given(z.enum(LOG_LEVELS, { message: `应为 ${LOG_LEVELS.join('、')} 之一` })),
  NODE_ENV: text,
  /** Who ran the CLI, when the OS cannot say. */
  USER: text,
  WECOM_BOT_ID: text,
  WECOM_BOT_SECRET: text,
  /** A WeCom server other than the public one (tests point it at a loopback server). */
  WECOM_WS_URL: text,
  /** Retries after WeCom refused the credentials (SDK default 5). */
  WECOM_AUTH_RETRIES: count,
  /** First reconnect delay, doubling up to 30 s (default 1000). */
  WECOM_RECONNECT_MS: count,
  TELEGRAM_BOT_TOKEN: text,
  /** A self-hosted Bot API server, or the loopback fake in tests. */
  TELEGRAM_API_ROOT: text,
  /** Webhook instead of long polling: the public HTTPS address … */
  TELEGRAM_WEBHOOK_URL: text,
  /** … and where the reverse proxy forwards to (default 127.0.0.1:8080). */
  TELEGRAM_WEBHOOK_HOST: text,
  TELEGRAM_WEBHOOK_PORT: port,
  /** Optional; a random one per start otherwise. */
  TELEGRAM_WEBHOOK_SECRET: text,
});
type Parsed = z.infer<typeof environmentSchema>;

/** The chat-platform variables, as one town sees them. */
export type ChatVars = Pick<
  Parsed,
  | 'WECOM_BOT_ID'
  | 'WECOM_BOT_SECRET'
  | 'WECOM_WS_URL'
  | 'WECOM_AUTH_RETRIES'
  | 'WECOM_RECONNECT_MS'
  | 'TELEGRAM_BOT_TOKEN'
  | 'TELEGRAM_API_ROOT'
  | 'TELEGRAM_WEBHOOK_URL'
  | 'TELEGRAM_WEBHOOK_HOST'
  | 'TELEGRAM_WEBHOOK_PORT'
  | 'TELEGRAM_WEBHOOK_SECRET'
>;

export interface WecomSettings {
  platform: 'wecom';
  botId: string;
  /** Empty when missing: the channel refuses to start with a clear message (exit 2). */
  secret: string;
  wsUrl?: string;
  authRetries?: number;
  reconnectMs?: number;
}

export interface TelegramSettings {
  platform: 'telegram';
  token: string;
  apiRoot?: string;
  webhook?: { url: string; host: string; port: number; secretToken?: string };
}

/** One chat platform per town: WeCom wins when both are configured; neither means the console. */
export type ChatSettings = WecomSettings | TelegramSettings | { platform: 'console' };
export type Platform = ChatSettings['platform'];

/** Where a town's records are: its schema in PostgreSQL when `databaseUrl` is set, else `dataDir/humiao.db`. */
export interface StoreLocation {
  databaseUrl?: string;
  dataDir: string;
}

/** What one town runs with. */
export interface TownSettings {
  chat: ChatSettings;
  store: StoreLocation;
  dataKey?: string;
  /** NODE_ENV=production: a missing data key is then a warning to the admins, not a trial. */
  production: boolean;
}

export interface Settings {
  configFile?: string;
  countyConfigFile?: string;
  town?: string;
  logLevel?: LogLevel;
  production: boolean;
  /** Tests and drills (HUMIAO_CLOCK): the clock starts at this instant and runs on in real time. */
  clockStart?: string;
  osUser?: string;
  lease: { ttlMs?: number; renewMs?: number; pollMs?: number };
  store: StoreLocation;
  dataKey?: string;
  /** The unsuffixed chat variables: a single town's platform. */
  chatVars: ChatVars;
  /** A county's per-town credentials, by upper-case town id (`WECOM_BOT_ID_DJ` under `DJ`). */
  perTown: ReadonlyMap<string, Partial<Record<PerTownVar, string>>>;
}

const PER_TOWN = new RegExp(`^(${PER_TOWN_VARS.join('|')})_([A-Z0-9_]+)$`);

/**
 * Parses the environment. Throws a {@link ConfigError} naming the variable when a value is
 * malformed, when a `HUMIAO_` name is not one the app knows (a typo would otherwise be ignored),
 * and when HUMIAO_CLOCK is set in production (reminders and case codes would follow a date that
 * is not today). Other names are left alone: the environment is shared with everything else.
 */
export function readSettings(env: Environment): Settings {
  const known = new Set(Object.keys(environmentSchema.shape));
  const unknown = Object.keys(env).filter((k) => k.startsWith('HUMIAO_') && !known.has(k) && env[k] !== undefined);
  if (unknown.length > 0) throw new ConfigError(`未知的环境变量「${unknown.sort().join('」「')}」（拼写错误？）`);
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    // Values of secrets are never echoed; the checked ones are numbers, levels and times.
    throw new ConfigError(`环境变量 ${name} ${issue.message}，收到「${String(env[name] ?? '').trim()}」`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (e.HUMIAO_CLOCK && production) throw new ConfigError('HUMIAO_CLOCK 只用于测试和演练，生产环境（NODE_ENV=production）不能设置');

  const perTown = new Map<string, Partial<Record<PerTownVar, string>>>();
  for (const [k, v] of Object.entries(env)) {
    const m = PER_TOWN.exec(k);
    if (!m || v === undefined || v.trim() === '') continue;
    const own = perTown.get(m[2]!) ?? {};
    own[m[1] as PerTownVar] = v.trim();
    perTown.set(m[2]!, own);
  }

  return {
    ...(e.HUMIAO_CONFIG ? { configFile: resolve(e.HUMIAO_CONFIG) } : {}),
    ...(e.HUMIAO_COUNTY_CONFIG ? { countyConfigFile: resolve(e.HUMIAO_COUNTY_CONFIG) } : {}),
    ...(e.HUMIAO_TOWN ? { town: e.HUMIAO_TOWN } : {}),
    ...(e.LOG_LEVEL ? { logLevel: e.LOG_LEVEL } : {}),
    production,
    ...(e.HUMIAO_CLOCK ? { clockStart: e.HUMIAO_CLOCK } : {}),
    ...(e.USER ? { osUser: e.USER } : {}),
    lease: { ttlMs: e.HUMIAO_LEASE_TTL_MS, renewMs: e.HUMIAO_LEASE_RENEW_MS, pollMs: e.HUMIAO_LEASE_POLL_MS },
    store: { ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}), dataDir: resolve(e.HUMIAO_DATA_DIR ?? 'data') },
    ...(e.HUMIAO_DATA_KEY ? { dataKey: e.HUMIAO_DATA_KEY } : {}),
    chatVars: {
      WECOM_BOT_ID: e.WECOM_BOT_ID,
      WECOM_BOT_SECRET: e.WECOM_BOT_SECRET,
      WECOM_WS_URL: e.WECOM_WS_URL,
      WECOM_AUTH_RETRIES: e.WECOM_AUTH_RETRIES,
      WECOM_RECONNECT_MS: e.WECOM_RECONNECT_MS,
      TELEGRAM_BOT_TOKEN: e.TELEGRAM_BOT_TOKEN,
      TELEGRAM_API_ROOT: e.TELEGRAM_API_ROOT,
      TELEGRAM_WEBHOOK_URL: e.TELEGRAM_WEBHOOK_URL,
      TELEGRAM_WEBHOOK_HOST: e.TELEGRAM_WEBHOOK_HOST,
      TELEGRAM_WEBHOOK_PORT: e.TELEGRAM_WEBHOOK_PORT,
      TELEGRAM_WEBHOOK_SECRET: e.TELEGRAM_WEBHOOK_SECRET,
    },
    perTown,
  };
}

/** The platform these variables select, with its settings. */
export function chatSettings(v: ChatVars): ChatSettings {
  if (v.WECOM_BOT_ID) {
    return {
      platform: 'wecom',
      botId: v.WECOM_BOT_ID,
      secret: v.WECOM_BOT_SECRET ?? '',
      ...(v.WECOM_WS_URL ? { wsUrl: v.WECOM_WS_URL } : {}),
      ...(v.WECOM_AUTH_RETRIES !== undefined ? { authRetries: v.WECOM_AUTH_RETRIES } : {}),
      ...(v.WECOM_RECONNECT_MS !== undefined ? { reconnectMs: v.WECOM_RECONNECT_MS } : {}),
    };
  }
  if (v.TELEGRAM_BOT_TOKEN) {
    return {
      platform: 'telegram',
      token: v.TELEGRAM_BOT_TOKEN,
      ...(v.TELEGRAM_API_ROOT ? { apiRoot: v.TELEGRAM_API_ROOT } : {}),
      ...(v.TELEGRAM_WEBHOOK_URL
        ? {
            webhook: {
              url: v.TELEGRAM_WEBHOOK_URL,
              host: v.TELEGRAM_WEBHOOK_HOST ?? '127.0.0.1',
              port: v.TELEGRAM_WEBHOOK_PORT ?? 8080,
              ...(v.TELEGRAM_WEBHOOK_SECRET ? { secretToken: v.TELEGRAM_WEBHOOK_SECRET } : {}),
            },
          }
        : {}),
    };
  }
  return { platform: 'console' };
}

/** A single-town install: the unsuffixed credentials and the data directory as given. */
export function singleTown(s: Settings): TownSettings {
  return { chat: chatSettings(s.chatVars), store: s.store, ...(s.dataKey ? { dataKey: s.dataKey } : {}), production: s.production };
}
