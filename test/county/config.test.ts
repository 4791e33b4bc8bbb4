import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { parseCountyConfig, requireTownCredentials, townSettings } from '../../src/county/config.js';
import { readSettings } from '../../src/config/settings.js';

const town = (name: string, prefix: string, id?: string) =>
  `town: ${name}\ncasePrefix: ${prefix}\n${id ? `id: ${id}\n` : ''}villages: [一村]\nmembers: []\n`;

function county(files: Record<string, string>, list: string[]): { text: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-county-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { text: `county: 泗洪县\ntowns:\n${list.map((f) => `  - ${f}`).join('\n')}\n`, path: join(dir, 'county.yaml') };
}

describe('county config', () => {
  it('loads each town file relative to the county file, with ids defaulting to the case prefix', () => {
    const c = county({ 'a.yaml': town('墩集镇', 'DJ'), 'b.yaml': town('青阳镇', 'QY', 'qingyang') }, ['a.yaml', 'b.yaml']);
    const cfg = parseCountyConfig(c.text, c.path);
    expect(cfg.county).toBe('泗洪县');
    expect(cfg.towns.map((t) => [t.town, t.townId])).toEqual([
      ['墩集镇', 'dj'],
      ['青阳镇', 'qingyang'],
    ]);
  });

  it('refuses two towns with the same id or the same case prefix, naming both files', () => {
    const sameId = county({ 'a.yaml': town('甲镇', 'JA', 'same'), 'b.yaml': town('乙镇', 'YI', 'same') }, ['a.yaml', 'b.yaml']);
    expect(() => parseCountyConfig(sameId.text, sameId.path)).toThrow(/a\.yaml 与 .*b\.yaml 的镇标识 id都是「same」/);
    const samePrefix = county({ 'a.yaml': town('甲镇', 'DJ', 'jia'), 'b.yaml': town('乙镇', 'DJ', 'yi') }, ['a.yaml', 'b.yaml']);
    expect(() => parseCountyConfig(samePrefix.text, samePrefix.path)).toThrow(/casePrefix都是「DJ」/);
  });

  it('refuses a misspelt key in the county file', () => {
    const c = county({ 'a.yaml': town('墩集镇', 'DJ') }, ['a.yaml']);
    expect(() => parseCountyConfig(`${c.text}town: [a.yaml]\n`, c.path)).toThrow(/county\.yaml 中 \(根\)：未知的配置项「town」（拼写错误？）/);
  });

  it('names a missing town file and a malformed town id', () => {
    const missing = county({}, ['nope.yaml']);
    expect(() => parseCountyConfig(missing.text, missing.path)).toThrow(ConfigError);
    expect(() => parseCountyConfig(missing.text, missing.path)).toThrow(/找不到镇配置文件 .*nope\.yaml/);
    const bad = county({ 'a.yaml': town('甲镇', 'JA', 'Bad-Id') }, ['a.yaml']);
    expect(() => parseCountyConfig(bad.text, bad.path)).toThrow(/id：应为小写英文字母开头/);
  });

  it('gives each town only its own bot credentials', () => {
    const env = readSettings({
      WECOM_BOT_ID: 'county-wide',
      WECOM_WS_URL: 'ws://shared',
      WECOM_BOT_ID_DJ: 'bot-dj',
      WECOM_BOT_SECRET_DJ: 's-dj',
      WECOM_BOT_ID_QY: 'bot-qy',
      HUMIAO_DATA_KEY: 'k',
      HUMIAO_DATA_DIR: '/srv/humiao',
    });
    const dj = townSettings(env, 'dj');
    expect(dj.chat).toEqual({ platform: 'wecom', botId: 'bot-dj', secret: 's-dj', wsUrl: 'ws://shared' });
    expect([dj.dataKey, dj.store]).toEqual(['k', { dataDir: '/srv/humiao/dj' }]);
    const other = townSettings(env, 'xx');
    expect(other.chat).toEqual({ platform: 'console' });
    expect(() => requireTownCredentials(env, 'qy')).toThrow(/缺少 WECOM_BOT_SECRET_QY/);
    expect(() => requireTownCredentials(env, 'xx')).toThrow(/WECOM_BOT_ID_XX 和 WECOM_BOT_SECRET_XX/);
    expect(() => requireTownCredentials(env, 'dj')).not.toThrow();
  });
});
