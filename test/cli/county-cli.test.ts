import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/spawn-bot.js';
import { runCli, tempDataDir } from '../helpers/run-bot.js';
import { addCase } from '../helpers/followup-fixtures.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';

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

  it('sums every town into the county report, with no name in it, and logs the read in each town', async () => {
    const env = county();
    const seed = async (town: string, codes: string[], name: string) => {
      const store = await openSqliteStore(join(env.HUMIAO_DATA_DIR!, town, 'humiao.db'));
      for (const code of codes) await addCase(store, { code, name, createdAt: new Date('2026-10-10T02:00:00Z'), riskLevel: '高' });
      await store.close();
    };
    await seed('dunji', ['DJ-2026-0001', 'DJ-2026-0002'], '王小明');
    await seed('qingyang', ['QY-2026-0001'], '李小红');
    // The report runs on 2026-12-01, after 2026Q4 began: the child processes' default test day is in June.
    const r = runCli(['report', 'county', '--quarter', '2026Q4'], { ...env, HUMIAO_CLOCK: '2026-12-01T10:00:00+08:00' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## 泗洪县重点青少年工作 2026年第四季度各镇进展汇总');
    expect(r.stdout).toMatch(/\| 墩集镇 \| 2 \| 2 \| 0 \|/);
    expect(r.stdout).toMatch(/\| 青阳镇 \| 1 \| 1 \| 0 \|/);
    expect(r.stdout).toMatch(/\| \*\*全县\*\* \| 3 \| 3 \| 0 \|/);
    expect(r.stdout).toMatch(/\| 高 \| 3 \|/);
    for (const secret of ['王小明', '李小红', 'DJ-2026', 'QY-2026']) expect(r.stdout).not.toContain(secret);
    for (const town of ['dunji', 'qingyang']) {
      expect(runCli(['--town', town, 'audit', 'show'], env).stdout).toMatch(/cli-login\s+-\s+report county 2026Q4/);
    }
  });
});
