import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Stats {
  n: number;
  median: number;
  p99: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { n: s.length, median: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

export const ms = (x: number): string => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);

/** Date, machine and commit: a number without them cannot be compared later. */
export function header(title: string): string {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    if (execSync('git status --porcelain', { encoding: 'utf8' }).trim()) commit += '+dirty';
  } catch {
    /* not a git checkout */
  }
  const cpu = cpus();
  return [
    `## ${title} — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Commit: ${commit}.`,
    '',
  ].join('\n');
}

export function appendResults(markdown: string, file = 'docs/benchmarks.md'): void {
  if (!existsSync(file)) {
    writeFileSync(file, '# Benchmarks\n\nAppended by `npm run bench`; newest last. Targets are in each table.\n\n');
  }
  appendFileSync(file, `${markdown}\n`);
}
