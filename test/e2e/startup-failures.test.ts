import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { root, runBot, runBotWrapped, runCli, tempDataDir, type RunResult } from '../helpers/run-bot.js';

/**
 * Every way the start can fail for a reason outside the program is one Chinese line on stderr and
 * an exit code a supervisor can act on (2 a setting, 5 busy, 6 the folder or disk), never a stack.
 *
 * A read-only folder and a full disk are made real, not faked at the write layer: a private mount
 * namespace (`unshare`: unprivileged where user namespaces are allowed, and as root) gets a
 * read-only bind mount or a 64 KB tmpfs that only the bot's process sees. `chmod 0500` is no
 * substitute here: the suite may run as root, whom file modes do not stop.
 */

function oneLine(r: RunResult): string {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at |Error:|node:internal/m);
  return lines[0]!;
}

const mounts = (() => {
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0"', tempDataDir()], { encoding: 'utf8' });
  return probe.status === 0;
})();

/** The bot, after `setup` (shell, `$0` = `dir`) has run in a mount namespace of its own. */
const inOwnMounts = (setup: string, dir: string): string[] => ['unshare', '-rm', 'sh', '-c', `${setup} && shift && exec "$@"`, dir, dir];

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const h of holders.splice(0)) h.kill('SIGKILL');
});

/** Another process that opens the database and keeps it locked until killed. */
async function holdDatabase(file: string, how: 'transaction' | 'exclusive-mode'): Promise<void> {
  const script = `
    import Database from 'better-sqlite3';
    const db = new Database(process.argv[1]);
    if (process.argv[2] === 'exclusive-mode') { db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE; COMMIT'); }
    else db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('held\\n');
    setInterval(() => {}, 60000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, file, how], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe('start-up failures are one line and an exit code', { timeout: 120_000 }, () => {
  it.each(['transaction', 'exclusive-mode'] as const)('a database another process holds locked (%s): exit 5', async (how) => {
    const dir = tempDataDir();
    expect(runBot(['帮助'], { HUMIAO_DATA_DIR: dir }).code).toBe(0);
    await holdDatabase(join(dir, 'humiao.db'), how);
    const r = runBot(['留守儿童谁牵头'], { HUMIAO_DATA_DIR: dir });
    expect(r.code).toBe(5);
    expect(oneLine(r)).toMatch(/^数据库 .*humiao\.db 正被另一个进程占用，等了 5 秒仍未释放。请确认没有另一个护苗助手/);
    // Nothing was answered from a store it could not write to.
    expect(r.stdout).not.toContain('镇民政所');
  });

  it.skipIf(!mounts)('an existing data folder that has become read-only: exit 6', () => {
    const dir = tempDataDir();
    expect(runBot(['帮助'], { HUMIAO_DATA_DIR: dir }).code).toBe(0);
    const r = runBotWrapped(inOwnMounts('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"', dir), ['留守儿童谁牵头'], { HUMIAO_DATA_DIR: dir });
    expect(r.code).toBe(6);
    expect(oneLine(r)).toBe(`数据目录 ${dir} 不能写入（只读或没有权限）。护苗助手要在这里保存个案数据：请修正权限，或用 HUMIAO_DATA_DIR 指定一个可写的目录。`);
  });

  it.skipIf(!mounts)('a new data folder on a read-only file system: exit 6', () => {
    const dir = tempDataDir();
    const env = { HUMIAO_DATA_DIR: join(dir, 'town', 'data') };
    const r = runBotWrapped(inOwnMounts('mount -t tmpfs -o ro tmpfs "$0"', dir), ['留守儿童谁牵头'], env);
    expect(r.code).toBe(6);
    expect(oneLine(r)).toContain('不能写入（只读或没有权限）');
  });

  it.skipIf(!mounts)('a full disk: exit 6', () => {
    const dir = tempDataDir();
    const tiny = inOwnMounts('mount -t tmpfs -o size=64k tmpfs "$0"', dir);
    const r = runBotWrapped(tiny, ['留守儿童谁牵头'], { HUMIAO_DATA_DIR: join(dir, 'data') });
    expect(r.code).toBe(6);
    expect(oneLine(r)).toBe(`数据目录 ${join(dir, 'data')} 所在的磁盘已满（或超出配额），无法写入。请腾出空间后再启动。`);
  });

  it('a data folder path that runs through a file, or is one: exit 2', () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, 'file'), '');
    for (const data of [join(dir, 'file', 'data'), join(dir, 'file')]) {
      const r = runBot(['留守儿童谁牵头'], { HUMIAO_DATA_DIR: data });
      expect(r.code).toBe(2);
      expect(oneLine(r)).toBe(`数据目录 ${data} 不是文件夹：路径中有一段是文件。请用 HUMIAO_DATA_DIR 指定一个文件夹。`);
      const cli = runCli(['audit', 'verify'], { HUMIAO_DATA_DIR: data });
      expect(cli.code).toBe(2);
      expect(oneLine(cli)).toContain('不是文件夹');
    }
  });

  it('a config path or a plan path that is a folder: exit 2', () => {
    const dir = tempDataDir();
    mkdirSync(join(dir, 'config.yaml'));
    const r = runBot(['留守儿童谁牵头'], { HUMIAO_CONFIG: join(dir, 'config.yaml') });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^配置文件 .*config\.yaml 是文件夹，不是文件/);

    mkdirSync(join(dir, 'plan.txt'));
    const config = join(dir, 'town.yaml');
    writeFileSync(config, `${readFileSync(join(root, 'humiao.config.example.yaml'), 'utf8').replace(/^plan:.*$/m, '')}\nplan: plan.txt\n`);
    const p = runBot(['留守儿童谁牵头'], { HUMIAO_CONFIG: config });
    expect(p.code).toBe(2);
    expect(oneLine(p)).toMatch(/plan：.*是文件夹/);
  });
});
