import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/run-bot.js';

/**
 * scripts/run.mjs maps the compiled build's stack traces itself, reading a map only when a trace
 * needs it: the traces must read exactly as Node's own `--enable-source-maps` prints them.
 */
describe('stack traces of the compiled build', () => {
  it('point into the sources as --enable-source-maps does, sync and async frames alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-stacks-'));
    writeFileSync(
      join(dir, 'lib.ts'),
      [
        'async function inner(): Promise<never> {',
        '  await new Promise((r) => setTimeout(r, 1));',
        "  throw new TypeError('bad');",
        '}',
        'export class K { async m(): Promise<never> { return await inner(); } }',
        'export async function outer(): Promise<void> {',
        '  await new K().m();',
        '}',
        "export function plain(): Error { const e = new Error(''); e.name = 'X'; return e; }",
      ].join('\n'),
    );
    await build({ entryPoints: [join(dir, 'lib.ts')], outdir: join(dir, 'out'), bundle: true, format: 'esm', platform: 'node', sourcemap: true, sourcesContent: false, logLevel: 'silent' });
    const lib = pathToFileURL(join(dir, 'out', 'lib.js')).href;
    const install = pathToFileURL(join(root, 'scripts', 'mapped-stacks.mjs')).href;
    const probe = [
      `if (!process.sourceMapsEnabled) (await import(${JSON.stringify(install)})).installMappedStacks(${JSON.stringify(join(dir, 'out', '/'))});`,
      `const m = await import(${JSON.stringify(lib)});`,
      'try { await m.outer(); } catch (e) { console.log(e.stack); }',
      'console.log(m.plain().stack);',
      'console.log(new Error("here").stack);',
    ].join('\n');
    const run = (flags: string[]) => spawnSync(process.execPath, [...flags, '--input-type=module', '-e', probe], { encoding: 'utf8' });
    const ours = run([]);
    const node = run(['--enable-source-maps']);
    expect(ours.status, ours.stderr).toBe(0);
    expect(ours.stdout).toContain(`${join(dir, 'lib.ts')}:3:9`);
    expect(ours.stdout).toContain('at async K.m');
    expect(ours.stdout).toBe(node.stdout);
  });
});
