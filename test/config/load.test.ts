import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { exampleConfigText, testConfig } from '../helpers/deps.js';

const path = '/tmp/humiao.config.yaml';

describe('config', () => {
  it('accepts the shipped example and resolves the bundled plan', () => {
    const cfg = testConfig();
    expect(cfg.town).toBe('墩集镇');
    expect(cfg.casePrefix).toBe('DJ');
    expect(cfg.members.find((m) => m.role === 'admin')?.unit).toBe('镇团委');
    expect(cfg.planPath).toMatch(/plans\/dunji-2023\.txt$/);
    expect(cfg.sealedAccess).toEqual(['镇派出所', '镇司法所']);
  });

  it('names the offending key in one Chinese line', () => {
    const bad = exampleConfigText.replace('role: admin }', 'role: boss }');
    let err: unknown;
    try {
      parseConfig(bad, path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('members[0].role');
    expect(msg).not.toContain('\n');
  });

  it('reports a missing required key', () => {
    expect(() => parseConfig('town: 墩集镇\nvillages: [王庄村]\n', path)).toThrow(/casePrefix/);
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(() => parseConfig('town: [墩集镇\ncasePrefix: DJ\n', path)).toThrow(/第 \d+ 行/);
  });

  it('rejects duplicate member ids and unknown villages', () => {
    const dup = `${exampleConfigText}\n`.replace('userid: zhangsan', 'userid: lisi');
    expect(() => parseConfig(dup, path)).toThrow(/重复的 userid/);
    expect(() => parseConfig(exampleConfigText.replace('village: 王庄村', 'village: 火星村'), path)).toThrow(/火星村/);
  });

  it('rejects a plan path that does not exist', () => {
    expect(() => parseConfig(`${exampleConfigText}\nplan: nowhere.txt\n`, path)).toThrow(/找不到实施方案/);
  });
});
