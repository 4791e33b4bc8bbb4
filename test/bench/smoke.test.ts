import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/run-bot.js';

// Benchmarks are not part of `npm test`; this only keeps `npm run bench` runnable, at tiny sizes,
// and asserts nothing about speed.
describe('npm run bench --smoke', () => {
  it('runs every suite and prints its tables without writing results', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('### Q&A latency per question');
    expect(r.stdout).toContain('### Start-up to ready');
    expect(r.stdout).toContain('### Turns through the WeCom long-connection path');
    expect(r.stdout).toContain('### Store at scale, with lowdb beside it');
    expect(r.stdout).toContain('### Reminder fan-out');
    expect(r.stdout).toContain('### Memory of the bot process');
  });
});
