import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runBot, tempDataDir } from '../helpers/run-bot.js';

/**
 * A fresh install sends nothing about the periods before it existed, whatever day it is started
 * on: the 1st of a month (bulletin day), New Year's Day, a quarter's last minutes, the 25th
 * (screening day), after the due minute.
 */
describe('the first start of a new installation', () => {
  it.each([
    '2026-12-01T09:30:00+08:00',
    '2027-01-01T00:00:30+08:00',
    '2026-12-31T23:59:00+08:00',
    '2026-09-30T23:59:00+08:00',
    '2026-11-25T09:30:00+08:00',
    '2026-10-01T09:30:00+08:00',
  ])('on %s answers the question and sends no bulletin, dispatch or nudge', (at) => {
    const r = runBot(['留守儿童谁牵头'], { HUMIAO_CLOCK: at, HUMIAO_DATA_DIR: tempDataDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('镇民政所');
    expect(r.stdout).not.toMatch(/【|私信提醒|逾期|调度/);
  });

  it('sends one short 已启用 notice when the town asks for it, and only once', () => {
    const dir = tempDataDir();
    const env = { HUMIAO_CLOCK: '2026-12-01T09:30:00+08:00', HUMIAO_DATA_DIR: dir, HUMIAO_CONFIG: announcingConfig(dir) };
    const first = runBot(['留守儿童谁牵头'], env);
    expect(first.code).toBe(0);
    expect(first.stdout.match(/护苗助手已启用/g)).toHaveLength(1);
    expect(first.stdout.match(/【推送/g)).toHaveLength(1);
    const again = runBot(['留守儿童谁牵头'], { ...env, HUMIAO_CLOCK: '2026-12-02T09:30:00+08:00' });
    expect(again.stdout).not.toContain('护苗助手已启用');
  });

  it('after real downtime still catches up what fell due while it was down', () => {
    const dir = tempDataDir();
    runBot(['留守儿童谁牵头'], { HUMIAO_CLOCK: '2026-11-20T10:00:00+08:00', HUMIAO_DATA_DIR: dir });
    // Down over the 25th: the screening dispatch for November goes out on the 27th, named for November.
    const back = runBot(['留守儿童谁牵头'], { HUMIAO_CLOCK: '2026-11-27T10:00:00+08:00', HUMIAO_DATA_DIR: dir });
    expect(back.stdout).toContain('2026年11月风险隐患排查调度');
  });
});

function announcingConfig(dir: string): string {
  const file = join(dir, 'town.yaml');
  writeFileSync(file, `${readFileSync(join(root, 'humiao.config.example.yaml'), 'utf8')}\nplan: ${join(root, 'plans/dunji-2023.txt')}\nfollowup:\n  announceOnInstall: true\n`);
  return file;
}
