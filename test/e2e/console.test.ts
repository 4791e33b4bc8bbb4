import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runBot, runCli, tempDataDir } from '../helpers/run-bot.js';

describe('npm start (console channel, scripted)', () => {
  it('answers the newcomer question with the unit and its clause', () => {
    const r = runBot(['流浪乞讨未成年人由哪个单位牵头？']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('镇民政所');
    expect(r.stdout).toContain('依据：三（三）');
    expect(r.stderr).toBe('');
  });

  it('a broken config gives one clear line and exit code 2', () => {
    const dir = tempDataDir();
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, readFileSync(join(root, 'humiao.config.example.yaml'), 'utf8').replace('casePrefix: DJ', 'casePrefix: 12'));
    const r = runBot(['你好'], { HUMIAO_CONFIG: cfg });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('casePrefix');
  });

  it('a config file that does not exist is one line and exit code 2', () => {
    const r = runCli(['plan', 'show'], { HUMIAO_CONFIG: '/nonexistent/humiao.yaml' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^找不到配置文件/);
  });

  it('keeps a registration draft across a restart (same data dir)', () => {
    const dataDir = tempDataDir();
    const first = runBot(['新增个案'], { HUMIAO_DATA_DIR: dataDir });
    expect(first.stdout).toContain('属于哪一类');
    const second = runBot(['查看'], { HUMIAO_DATA_DIR: dataDir });
    expect(second.stdout).toContain('个案登记');
    expect(statSync(join(dataDir, 'humiao.db')).mode & 0o777).toBe(0o600);
  });
});

describe('npm run humiao -- plan …', () => {
  it('plan show prints the matrix', () => {
    const r = runCli(['plan', 'show']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('牵头单位：镇民政所');
    expect(r.stdout).toContain('镇卫生院');
    expect(r.stdout).not.toContain('镇生院');
  });

  it('plan check passes the bundled plan and names the broken lines of a damaged copy', () => {
    const ok = runCli(['plan', 'check', join(root, 'plans/dunji-2023.txt')]);
    expect(ok.code).toBe(0);
    const lines = readFileSync(join(root, 'plans/dunji-2023.txt'), 'utf8').split('\n');
    const lead = lines.findIndex((l) => l.startsWith('牵头单位：镇民政所'));
    const task = lines.findIndex((l) => l.startsWith('2.积极做好流浪乞讨'));
    lines.splice(lead, 1); // the 流浪 category loses its lead line
    const damaged = join(tempDataDir(), 'damaged.txt');
    // After the splice the task line moved up by one; strip its unit list.
    lines[task - 1] = lines[task - 1]!.replace(/（镇派出所、镇民政所）$/, '');
    writeFileSync(damaged, lines.join('\n'));
    const bad = runCli(['plan', 'check', damaged]);
    expect(bad.code).toBe(1);
    const heading = lines.findIndex((l) => l.startsWith('（三）加强流浪乞讨'));
    expect(bad.stdout).toContain(`第${heading + 1}行：三（三）缺少「牵头单位：」`);
    // The task moved up one line with the deletion, so its 1-based number is its old index.
    expect(bad.stdout).toContain(`第${task}行：三（三）第2条`);
  });

  it('cases export gives an empty JSON list on a fresh install and CSV with a header', () => {
    const dataDir = tempDataDir();
    const j = runCli(['cases', 'export', '--format', 'json'], { HUMIAO_DATA_DIR: dataDir });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual([]);
    const bad = runCli(['cases', 'export', '--format', 'xml'], { HUMIAO_DATA_DIR: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('json 或 csv');
  });

  it('backup writes an owner-only copy that restores by copying it into a data dir', () => {
    const dataDir = tempDataDir();
    runBot(['新增个案'], { HUMIAO_DATA_DIR: dataDir });
    const file = join(dataDir, 'backup.db');
    const r = runCli(['backup', file], { HUMIAO_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Restore as README says: stop the bot, copy the backup to <data dir>/humiao.db, start.
    const restored = tempDataDir();
    copyFileSync(file, join(restored, 'humiao.db'));
    const after = runBot(['查看'], { HUMIAO_DATA_DIR: restored });
    expect(after.stdout).toContain('个案登记'); // the draft made before the backup is there
    expect(runCli(['chats'], { HUMIAO_DATA_DIR: restored }).stdout).toMatch(/✓ 李四/);
  });
});
