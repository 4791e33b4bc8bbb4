import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/spawn-bot.js';
import { runCli, tempDataDir } from '../helpers/run-bot.js';

/** In a county, an admin command works on the one town named with --town, and only on it. */
describe('admin commands in a county deployment', () => {
  function county(): Record<string, string> {
    const dir = tempDataDir();
    const example = readFileSync(join(repoRoot, 'humiao.config.example.yaml'), 'utf8');
    writeFileSync(join(dir, 'dj.yaml'), `id: dunji\n${example}`);
    writeFileSync(join(dir, 'qy.yaml'), `id: qingyang\n${example.replace('town: 墩集镇', 'town: 青阳镇').replace('casePrefix: DJ', 'casePrefix: QY')}`);
    writeFileSync(join(dir, 'county.yaml'), 'county: 泗洪县\ntowns: [dj.yaml, qy.yaml]\n');
    return { HUMIAO_COUNTY_CONFIG: join(dir, 'county.yaml'), HUMIAO_DATA_DIR: join(dir, 'data'), HUMIAO_CONFIG: '', DATABASE_URL: '' };
  }

  it('asks which town when none is named, and refuses an unknown one', () => {
    const env = county();
    const none = runCli(['audit', 'show'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('县级部署中请用 --town 指定镇（可选：dunji、qingyang）');
    const unknown = runCli(['--town', 'nowhere', 'audit', 'show'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('没有标识为「nowhere」的镇');
  });

  it("reads and writes only the named town's records", () => {
    const env = county();
    expect(runCli(['--town', 'qingyang', 'audit', 'show'], env).code).toBe(0);
    // The run was audited in 青阳镇's own database; 墩集镇 has none.
    expect(existsSync(join(env.HUMIAO_DATA_DIR!, 'qingyang', 'humiao.db'))).toBe(true);
    expect(existsSync(join(env.HUMIAO_DATA_DIR!, 'dunji', 'humiao.db'))).toBe(false);
    const shown = runCli(['--town', 'qingyang', 'audit', 'show'], env).stdout;
    expect(shown).toMatch(/cli-login\s+-\s+audit show/);
  });
});
