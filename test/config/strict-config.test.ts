import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { exampleConfigText } from '../helpers/deps.js';

const path = new URL('../../humiao.config.example.yaml', import.meta.url).pathname;
const error = (text: string) => {
  try {
    parseConfig(text, path);
  } catch (e) {
    return e as Error;
  }
  return null;
};

describe('config keys are checked, not guessed', () => {
  it.each([
    ['sealedAccess:', 'sealedAcess:', 'sealedAcess'],
    ['members:', 'member:', 'member'],
    ['casePrefix: DJ', 'casePrefix: DJ\nfollowup:\n  overdu:\n    day: 2', 'overdu'],
  ])('a misspelt key (%s → %s) is one line naming it', (from, to, key) => {
    const e = error(exampleConfigText.replace(from, to));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.message).toContain(`未知的配置项「${key}」`);
    expect(e!.message.split('\n')).toHaveLength(1);
  });

  it('an unknown key inside a member is named with where it is', () => {
    const e = error(exampleConfigText.replace('unit: 镇派出所, role: staff }', 'unit: 镇派出所, role: staff, vilage: 王庄村 }'));
    expect(e?.message).toMatch(/members\[\d+\]：未知的配置项「vilage」/);
  });

  it('groupNotice.leftBehindVillage is off unless switched on', () => {
    expect(parseConfig(exampleConfigText, path).groupNotice.leftBehindVillage).toBe(false);
    expect(parseConfig(`${exampleConfigText}\ngroupNotice:\n  leftBehindVillage: true\n`, path).groupNotice.leftBehindVillage).toBe(true);
  });

  it('a config path or plan path that is a folder is one Chinese line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-cfg-'));
    mkdirSync(join(dir, 'folder.yaml'));
    expect(() => loadConfig(join(dir, 'folder.yaml'))).toThrow(/是文件夹/);
    mkdirSync(join(dir, 'plan'));
    writeFileSync(join(dir, 'c.yaml'), `${exampleConfigText.replace(/^plan:.*$/m, '')}\nplan: plan\n`);
    expect(() => loadConfig(join(dir, 'c.yaml'))).toThrow(/plan：.*是文件夹/);
  });
});
