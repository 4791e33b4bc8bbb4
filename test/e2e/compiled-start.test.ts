import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, tempDataDir, TEST_NOW } from '../helpers/run-bot.js';

/**
 * What `npm start` and `npm run humiao` really run: the compiled bundles under dist/, built by
 * scripts/run.mjs when the sources changed. Every other end-to-end test runs the sources with tsx,
 * so only this one would notice a bundle that leaves out a package, a file the code reads beside
 * itself (migrations, the alias table), or the parse caches the compiled build keeps.
 */
function compiled(entry: string, args: string[], input: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', entry, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      WECOM_BOT_ID: '',
      HUMIAO_CONFIG: join(root, 'humiao.config.example.yaml'),
      LOG_LEVEL: 'warn',
      HUMIAO_CLOCK: TEST_NOW,
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the compiled build', () => {
  it('answers, registers with the data key and keeps the draft across a restart, then the CLI reads the same store', () => {
    const env = { HUMIAO_DATA_DIR: tempDataDir(), HUMIAO_DATA_KEY: randomBytes(32).toString('base64') };
    const first = compiled('src/main.js', [], '留守儿童谁牵头\n新增个案\n5\n', env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('镇民政所');
    expect(first.stdout).toContain('孩子的姓名');
    // The migrations were found beside the bundle, and the draft kept: a restart asks the next question.
    const again = compiled('src/main.js', [], '继续\n', env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('孩子的姓名');
    const audit = compiled('src/cli/index.js', ['audit', 'verify'], '', env);
    expect(audit.code, audit.stderr).toBe(0);
  });

  it('checks a plan twice with the same verdict, the second time from its cache', () => {
    const env = { HUMIAO_DATA_DIR: tempDataDir() };
    const plan = join(root, 'plans/examples/messy-plan.txt');
    const a = compiled('src/cli/index.js', ['plan', 'check', plan], '', env);
    const b = compiled('src/cli/index.js', ['plan', 'check', plan], '', env);
    expect(a.code, a.stderr).toBe(0);
    expect(b).toEqual(a);
    expect(a.stdout).toContain('第45行');
  });
});
