import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { runBot, runCli, tempDataDir } from '../helpers/run-bot.js';
import { testDataKey } from '../helpers/case-fixture.js';

/**
 * A 不良行为 case whose disposition is a police measure, so its justice fields are sealed. The
 * guardian's name and phone come before the relation, and a parent's relation gives the
 * guardianship mode without asking.
 */
export const SEALED_INTAKE = [
  '上报个案', '2', '刘小东', '2010.3.4', '男', '李庄村', '初中', '陈梅 13600002222', '母亲',
  '逃学、网瘾', '公安机关矫治教育措施', '有', '否', '确认',
];

describe('security from the command line', () => {
  it('encrypts the case, audits create/export/CLI runs, exports without sealed details, and verify catches tampering', () => {
    const env = { HUMIAO_DATA_DIR: tempDataDir(), HUMIAO_DATA_KEY: testDataKey() };
    const bot = runBot(SEALED_INTAKE, env, ['--user', 'zhangsan']);
    expect(bot.code).toBe(0);
    expect(bot.stdout).toContain('已保存个案 DJ-2026-0001');

    const db = new Database(join(env.HUMIAO_DATA_DIR, 'humiao.db'), { readonly: true });
    const raw = JSON.stringify(db.prepare('SELECT * FROM cases').all());
    db.close();
    for (const plain of ['刘小东', '陈梅', '13600002222', '公安机关']) expect(raw).not.toContain(plain);

    const exp = runCli(['cases', 'export', '--format', 'json'], env);
    expect(exp.code).toBe(0);
    const [row] = JSON.parse(exp.stdout) as Record<string, string>[];
    expect(row!.fullName).toBe('刘小东');
    expect(JSON.parse(row!.details!)).toMatchObject({ disposition: '该记录已依法封存', justiceInvolvement: '该记录已依法封存' });
    expect(exp.stdout).not.toContain('公安机关矫治教育措施');

    const show = runCli(['audit', 'show', '--case', 'DJ-2026-0001'], env);
    expect(show.stdout).toMatch(/zhangsan\s+create\s+DJ-2026-0001/);
    const all = runCli(['audit', 'show'], env).stdout;
    expect(all).toMatch(/os:\S+\s+cli-login\s+-\s+cases export/);
    expect(all).toMatch(/os:\S+\s+export\s+-\s+cases export json: 1 个案/);

    const ok = runCli(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('哈希链校验通过');

    const rw = new Database(join(env.HUMIAO_DATA_DIR, 'humiao.db'));
    rw.exec('DROP TRIGGER audit_log_no_update');
    rw.prepare("UPDATE audit_log SET actor = 'lisi' WHERE action = 'create'").run();
    const createdId = (rw.prepare("SELECT id FROM audit_log WHERE action = 'create'").get() as { id: number }).id;
    rw.close();
    const bad = runCli(['audit', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`第 ${createdId} 条记录的内容被改动`);
    // Seven child processes: on a loaded box each start takes seconds.
  }, 120_000);

  it('refuses to start without the key once data is encrypted, with one Chinese line and exit 2', () => {
    const dir = tempDataDir();
    expect(runBot(SEALED_INTAKE, { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: testDataKey() }, ['--user', 'zhangsan']).code).toBe(0);
    const r = runBot(['你好'], { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('没有设置 HUMIAO_DATA_KEY');
    const wrong = runBot(['你好'], { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: testDataKey() });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('密钥不一致');
    expect(runCli(['cases', 'export'], { HUMIAO_DATA_DIR: dir, HUMIAO_DATA_KEY: '' }).code).toBe(2);
  });
});

describe('audit verify against a damaged database', () => {
  it('a cut tail, a sealed flag set to 0 and a dropped audit table are each one Chinese line and exit 1, never a stack', () => {
    const env = { HUMIAO_DATA_DIR: tempDataDir(), HUMIAO_DATA_KEY: testDataKey() };
    expect(runBot(SEALED_INTAKE, env, ['--user', 'zhangsan']).code).toBe(0);
    const file = join(env.HUMIAO_DATA_DIR, 'humiao.db');
    expect(runCli(['audit', 'verify'], env).stdout).toMatch(/签名头相符；1 个个案的校验码相符/);

    let rw = new Database(file);
    rw.exec("UPDATE cases SET sealed = 0");
    rw.close();
    const unsealed = runCli(['audit', 'verify'], env);
    expect(unsealed.code).toBe(1);
    expect(unsealed.stdout.trim()).toMatch(/^个案 DJ-2026-0001 的记录与其校验码不符/);

    rw = new Database(file);
    rw.exec('UPDATE cases SET sealed = 1; DROP TRIGGER audit_log_no_delete');
    const last = (rw.prepare('SELECT max(id) AS m FROM audit_log').get() as { m: number }).m;
    rw.prepare('DELETE FROM audit_log WHERE id > ?').run(last - 2);
    rw.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'").run(last - 2);
    rw.close();
    const cut = runCli(['audit', 'verify'], env);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/签名头记载共 \d+ 条/);

    rw = new Database(file);
    rw.exec('DROP TABLE audit_log');
    rw.close();
    const dropped = runCli(['audit', 'verify'], env);
    expect(dropped.code).toBe(1);
    expect(dropped.stdout.trim().split('\n')).toHaveLength(1);
    expect(dropped.stdout).toMatch(/^审计记录无法校验：审计表缺失或损坏/);
    expect(dropped.stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 120_000);
});

describe('cases purge', () => {
  it('lists without --yes, anonymises with it, audits each case, and rejects a bad date', () => {
    const env = { HUMIAO_DATA_DIR: tempDataDir(), HUMIAO_DATA_KEY: testDataKey() };
    expect(runBot(SEALED_INTAKE, env, ['--user', 'zhangsan']).code).toBe(0);
    const rw = new Database(join(env.HUMIAO_DATA_DIR, 'humiao.db'));
    rw.prepare("UPDATE cases SET status = 'closed', closed_at = '2026-01-05T02:00:00.000Z', close_reason = '已满18周岁'").run();
    rw.close();
    const dry = runCli(['cases', 'purge', '--closed-before', '2026-02-01'], env);
    expect(dry.stdout).toContain('将匿名化 1 个个案：DJ-2026-0001');
    expect(JSON.parse(runCli(['cases', 'export'], env).stdout)[0].fullName).toBe('刘小东');
    const run = runCli(['cases', 'purge', '--closed-before', '2026-02-01', '--yes'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('已匿名化 1 个个案');
    const [row] = JSON.parse(runCli(['cases', 'export'], env).stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ code: 'DJ-2026-0001', fullName: '（已匿名）', guardianPhone: null, birthDate: '2010' });
    expect(runCli(['audit', 'show', '--case', 'DJ-2026-0001'], env).stdout).toMatch(/purge\s+DJ-2026-0001/);
    const bad = runCli(['cases', 'purge', '--closed-before', '2026-02-30'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('YYYY-MM-DD');
  }, 120_000);
});
