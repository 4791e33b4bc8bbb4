import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** User + system CPU time of a process in ms, from /proc (Linux); NaN elsewhere. */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * The example config with `extra` members added and the bundled plan, written to a temp folder
 * for a spawned bot; the caller removes the folder (dirname of the file) afterwards.
 */
export function benchConfigWith(extra: readonly unknown[]): string {
  const example = parse(readFileSync('humiao.config.example.yaml', 'utf8')) as { members: unknown[] };
  const file = join(mkdtempSync(join(tmpdir(), 'humiao-bench-cfg-')), 'humiao.config.yaml');
  writeFileSync(file, stringify({ ...example, members: [...example.members, ...extra], plan: join(process.cwd(), 'plans/dunji-2023.txt') }));
  return file;
}
