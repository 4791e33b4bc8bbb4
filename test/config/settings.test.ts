import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ConfigError } from '../../src/config/load.js';
import { readSettings, singleTown } from '../../src/config/settings.js';

describe('settings from the environment', () => {
  it('names a misspelt HUMIAO_ variable instead of ignoring it', () => {
    expect(() => readSettings({ HUMIAO_DATA_DIRR: '/tmp/x', HUMIAO_DATA_DIR: '/tmp/y' })).toThrow(ConfigError);
    expect(() => readSettings({ HUMIAO_DATAKEY: 'k' })).toThrow('未知的环境变量「HUMIAO_DATAKEY」（拼写错误？）');
    // The environment is shared with everything else on the machine: other names are not ours to judge.
    expect(() => readSettings({ PATH: '/usr/bin', WECOM_SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('refuses malformed numbers, levels and times with the variable and the value', () => {
    expect(() => readSettings({ HUMIAO_LEASE_TTL_MS: '0' })).toThrow('环境变量 HUMIAO_LEASE_TTL_MS 应为正整数（毫秒），收到「0」');
    expect(() => readSettings({ WECOM_AUTH_RETRIES: 'three' })).toThrow(/WECOM_AUTH_RETRIES 应为非负整数/);
    expect(() => readSettings({ TELEGRAM_WEBHOOK_PORT: '70000' })).toThrow(/TELEGRAM_WEBHOOK_PORT 应为端口号/);
    expect(() => readSettings({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL 应为 fatal、error/);
    expect(() => readSettings({ HUMIAO_CLOCK: '明天' })).toThrow(/HUMIAO_CLOCK 应为时间/);
    expect(() => readSettings({ HUMIAO_CLOCK: '2027-01-01T09:00', NODE_ENV: 'production' })).toThrow(/生产环境/);
  });

  it('treats an empty variable as unset and trims values', () => {
    const s = readSettings({ WECOM_BOT_ID: '', TELEGRAM_BOT_TOKEN: ' 123:abc ', HUMIAO_LEASE_TTL_MS: '', DATABASE_URL: '  ' });
    expect(singleTown(s).chat).toEqual({ platform: 'telegram', token: '123:abc' });
    expect(s.lease.ttlMs).toBeUndefined();
    expect(s.store).toEqual({ dataDir: resolve('data') });
  });

  it('picks one platform per town, WeCom first, with its tuning parsed', () => {
    const both = readSettings({ WECOM_BOT_ID: 'b', WECOM_BOT_SECRET: 's', WECOM_AUTH_RETRIES: '1', WECOM_RECONNECT_MS: '20', TELEGRAM_BOT_TOKEN: 't' });
    expect(singleTown(both).chat).toEqual({ platform: 'wecom', botId: 'b', secret: 's', authRetries: 1, reconnectMs: 20 });
    expect(singleTown(readSettings({})).chat).toEqual({ platform: 'console' });
    const hook = readSettings({ TELEGRAM_BOT_TOKEN: 't', TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/hook' });
    expect(singleTown(hook).chat).toEqual({ platform: 'telegram', token: 't', webhook: { url: 'https://bot.example.org/hook', host: '127.0.0.1', port: 8080 } });
  });

  it('keeps the per-town credentials of a county apart from the shared ones', () => {
    const s = readSettings({ WECOM_BOT_ID: 'shared', WECOM_BOT_ID_DJ: 'dj-bot', WECOM_BOT_SECRET_DJ: 'dj-secret', TELEGRAM_BOT_TOKEN_QING_YANG: 'qy' });
    expect(s.perTown.get('DJ')).toEqual({ WECOM_BOT_ID: 'dj-bot', WECOM_BOT_SECRET: 'dj-secret' });
    expect(s.perTown.get('QING_YANG')).toEqual({ TELEGRAM_BOT_TOKEN: 'qy' });
    expect(s.chatVars.WECOM_BOT_ID).toBe('shared');
  });
});
