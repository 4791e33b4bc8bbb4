import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runBot, runCli, tempDataDir } from '../helpers/run-bot.js';

/** plan check / import / show on plans laid out unlike the bundled one, and a bot started on them. */

const CLOCK = { HUMIAO_CLOCK: '2026-03-10T10:00+08:00' };

function townOn(planPath: string): Record<string, string> {
  const dir = tempDataDir();
  const cfg = join(dir, 'humiao.config.yaml');
  writeFileSync(cfg, ['town: 城南街道', 'casePrefix: CN', `plan: ${planPath}`, 'villages: [幸福社区]', 'members:', '  - { userid: admin1, name: 李四, unit: 街道团工委, role: admin }'].join('\n'));
  return { HUMIAO_CONFIG: cfg, HUMIAO_DATA_DIR: join(dir, 'data'), ...CLOCK };
}

describe('plan commands on another town’s plan', () => {
  it('plan check reads the 街道 plan cleanly and exits 0', () => {
    const r = runCli(['plan', 'check', join(root, 'plans/examples/jiedao-plan.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 类工作对象，共 18 项工作内容');
  });

  it('a partly readable plan: check names each unplaced sentence with its line and exits 1; the bot still starts on what was read', () => {
    const lines = readFileSync(join(root, 'plans/examples/jiedao-plan.txt'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('此项工作由街道司法所牵头'));
    lines[at] = '此项工作请各单位参照执行。';
    const partial = join(tempDataDir(), 'partial.txt');
    writeFileSync(partial, lines.join('\n'));
    const check = runCli(['plan', 'check', partial]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`第${at + 1}行：无法归入第四部分2.的任何部分`);
    expect(check.stdout).toMatch(/第四部分2\.缺少「牵头单位：」/);
    const env = townOn(partial);
    const show = runCli(['plan', 'show'], env);
    expect(show.code).toBe(1);
    const bot = runBot(['留守儿童谁牵头'], env);
    expect(bot.code).toBe(0);
    expect(bot.stdout).toContain('街道民政办');
    expect(bot.stdout).not.toContain('镇民政所');
  });

  it('plan import writes a matrix YAML the config can point at; a broken edit is refused with its path', () => {
    const dir = tempDataDir();
    const out = join(dir, 'jiedao.matrix.yaml');
    const imp = runCli(['plan', 'import', join(root, 'plans/examples/jiedao-plan.txt'), '--out', out]);
    expect(imp.code).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toContain('clause: 第四部分1.第2条');
    expect(runCli(['plan', 'check', out]).code).toBe(0);
    // The admin corrects the 留守 lead; the bot answers with the correction.
    writeFileSync(out, yaml.replace(/leads:\n\s+- 街道民政办\n\s+- 街道妇联/, 'leads:\n      - 街道妇联'));
    const bot = runBot(['留守儿童谁牵头'], townOn(out));
    expect(bot.code).toBe(0);
    expect(bot.stdout).toMatch(/留守儿童的牵头单位：街道妇联。/);
    writeFileSync(out, yaml.replace('period: half-month', 'period: fortnightly'));
    const bad = runCli(['plan', 'check', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/categories\[0\]\.contact\.period：应为 week（每周）/);
  });
});
