import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point inward. A file may import its own layer and the layers inside it, never one
 * further out, and never a sibling at its own depth (handlers ↔ schedules, channels ↔ store
 * adapters): what two siblings share belongs a layer further in.
 *
 * Depth 0 is the innermost. Every non-test source file must fall in exactly one layer, so a new
 * top-level folder or file forces a decision here.
 */
const LAYERS: ReadonlyArray<{ name: string; depth: number; paths: readonly string[]; why: string }> = [
  {
    name: 'config',
    depth: 0,
    paths: ['src/config/'],
    why:
      'The town settings: the schema and the types it infers (Member, FollowupConfig), LoadedConfig, ConfigError and the ' +
      'member index. The domain reads these types and raises ConfigError, and config imports nothing of the project, so it ' +
      'sits beneath the domain. Its loader reads a file, which is the one bit of I/O this deep; it imports no other layer.',
  },
  {
    name: 'domain',
    depth: 1,
    paths: ['src/domain/'],
    why: 'The model (records, messages), the Shanghai calendar, the store ports and the rules: no platform, no database.',
  },
  {
    name: 'core',
    depth: 2,
    paths: ['src/core/'],
    why: 'The per-town context (AppDeps, Handler), the router, the outbox worker, the clock and the logger they pass around.',
  },
  { name: 'handlers', depth: 3, paths: ['handlers/'], why: 'One handler per user action, on the core context.' },
  { name: 'schedules', depth: 3, paths: ['schedules/'], why: 'The scheduled jobs, on the core context.' },
  { name: 'channels', depth: 4, paths: ['src/channels/'], why: 'WeCom, Telegram and console adapters.' },
  { name: 'store', depth: 4, paths: ['store/'], why: 'The store adapters (SQL, SQLite, PostgreSQL), their migrations and where the data lives.' },
  {
    name: 'wiring',
    depth: 5,
    paths: ['src/main.ts', 'src/bootstrap.ts', 'src/town-runtime.ts', 'src/app.ts', 'src/cli/', 'src/county/', 'scripts/'],
    why: 'Start-up, the admin CLI, the county runtime and the build that compiles them: they choose the adapters and put a town together.',
  },
  {
    name: 'harness',
    depth: 6,
    paths: ['test/', 'bench/', 'eval/', 'vitest.config.ts'],
    why: 'Tests, benchmarks and the answer-quality evaluation; the benchmarks reuse the tests’ loopback fakes.',
  },
];

/**
 * Imports that break the rule and are allowed for now: `from` and `to` repository paths, and why.
 * Each must still occur, so one that is no longer needed fails until it is deleted here.
 */
const EXCEPTIONS: ReadonlyArray<{ from: string; to: string; why: string }> = [];

/** Not sources: tests, data, docs, and the compiled copy the production start builds (dist/, git-ignored). */
const SKIPPED = new Set(['test', 'data', 'coverage', 'docs', 'dist']);
const SOURCE_FILE = /\.(ts|mts|cts|mjs|cjs|js)$/;

interface Edge {
  from: string;
  to: string;
  spec: string;
}

function layerOf(file: string) {
  const hits = LAYERS.filter((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
  return hits.length === 1 ? hits[0] : undefined;
}

/** Relative imports of one file: `import … from`, `export … from`, `import('…')`, `import x = require`. */
function importsOf(file: string, text: string): Edge[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      return { from: file, to: target.replace(/\.js$/, '.ts'), spec };
    });
}

/** Every edge that points outward or sideways, or touches a file no layer claims. */
function violations(edges: readonly Edge[], files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) if (!layerOf(f)) out.push(`${f} belongs to no layer (or to several)`);
  for (const e of edges) {
    if (e.to === e.from) {
      out.push(`${e.from} imports itself ('${e.spec}')`);
      continue;
    }
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (!a) continue; // reported above
    if (!b) {
      out.push(`${e.from} → ${e.to}: the target belongs to no layer`);
      continue;
    }
    if (a === b || b.depth < a.depth) continue;
    if (EXCEPTIONS.some((x) => x.from === e.from && x.to === e.to)) continue;
    const how = b.depth === a.depth ? 'sideways' : 'outward';
    out.push(`${e.from} (${a.name}) → ${e.to} (${b.name}) points ${how}`);
  }
  return out;
}

function sourceFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(process.cwd(), dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.name.startsWith('.') || e.name === 'node_modules' || (!dir && SKIPPED.has(e.name))) continue;
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (SOURCE_FILE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out.sort();
}

function projectEdges(files: readonly string[]): Edge[] {
  return files.flatMap((f) => importsOf(f, readFileSync(join(process.cwd(), f), 'utf8')));
}

/**
 * Only the wiring reads the environment and decides that the process ends; config parses the
 * environment it is handed (src/config/settings.ts). Everything else gets typed settings and
 * reports failure by throwing or rejecting, so in a county one failing town cannot end the others
 * or skip giving its lease back.
 */
const PROCESS_OWNERS = new Set(['config', 'wiring', 'harness']);

/** Uses of the process's environment or exit that are allowed outside the wiring, and why. Each must still occur. */
const PROCESS_EXCEPTIONS: ReadonlyArray<{ file: string; use: string; why: string }> = [];

/** `process.env`, `process.exit`, `process.exitCode` (also as `process['env']`) and the `NodeJS.ProcessEnv` type in one file. */
function processUsesOf(file: string, text: string): string[] {
  if (!/process|ProcessEnv/.test(text)) return [];
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    let name: string | undefined;
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'process') name = n.name.text;
    if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'process' && ts.isStringLiteral(n.argumentExpression)) {
      name = n.argumentExpression.text;
    }
    if (name === 'env' || name === 'exit' || name === 'exitCode') found.push(`process.${name}`);
    if (ts.isTypeReferenceNode(n) && n.typeName.getText(src) === 'NodeJS.ProcessEnv') found.push('NodeJS.ProcessEnv');
    ts.forEachChild(n, visit);
  };
  visit(src);
  return [...new Set(found)];
}

/** Every use of the process's environment or exit outside the layers that own them. */
function processViolations(files: ReadonlyArray<{ file: string; text: string }>): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const layer = layerOf(file);
    if (!layer || PROCESS_OWNERS.has(layer.name)) continue;
    for (const use of processUsesOf(file, text)) {
      if (PROCESS_EXCEPTIONS.some((x) => x.file === file && x.use === use)) continue;
      out.push(`${file} (${layer.name}) uses ${use}: read settings and decide exits in the wiring`);
    }
  }
  return out;
}

/**
 * A channel translates and delivers: it is given `ChannelPorts` (src/core/channel-ports.ts), never
 * the town's whole context, whose store and config would let it decide what is the town's to decide.
 */
const CHANNEL_FORBIDDEN = ['src/core/context.ts', 'src/bootstrap.ts', 'src/app.ts'];

function channelViolations(edges: readonly Edge[]): string[] {
  return edges
    .filter((e) => e.from.startsWith('src/channels/') && CHANNEL_FORBIDDEN.includes(e.to))
    .map((e) => `${e.from} → ${e.to}: a channel takes ChannelPorts, not the town's context`);
}

describe('layers', () => {
  const files = sourceFiles();
  const edges = projectEdges(files);

  it('finds the sources and their imports', () => {
    expect(files).toContain('src/domain/ports/store.ts');
    expect(files).toContain('store/postgres/pg-pool-db.ts');
    expect(edges.length).toBeGreaterThan(300);
  });

  it('has every import pointing inward', () => {
    expect(violations(edges, files)).toEqual([]);
  });

  it('gives channels narrow ports, not the town context', () => {
    expect(channelViolations(edges)).toEqual([]);
    const planted = importsOf('src/channels/wecom/start.ts', "import type { AppDeps } from '../../core/context.js';\n");
    expect(channelViolations(planted)).toEqual(["src/channels/wecom/start.ts → src/core/context.ts: a channel takes ChannelPorts, not the town's context"]);
  });

  it('keeps only exceptions that are still needed', () => {
    const stale = EXCEPTIONS.filter((x) => !edges.some((e) => e.from === x.from && e.to === x.to));
    expect(stale).toEqual([]);
  });

  it('catches an outward, a sideways and an unclaimed import', () => {
    const bad = [
      ...importsOf('src/domain/followup/bad.ts', "import { openStore } from '../../../store/open.js';\n"),
      ...importsOf('src/core/bad.ts', "export { intakeHandler } from '../../handlers/intake.js';\n"),
      ...importsOf('handlers/bad.ts', "const m = await import('../schedules/jobs.js');\n"),
      ...importsOf('src/domain/bad.ts', "import type { Logger } from '../core/log.js';\n"),
      ...importsOf('src/config/bad.ts', "import type { Member } from '../domain/intake/form.js';\n"),
      ...importsOf('store/bad.ts', "import type { AppDeps } from '../src/core/context.js';\nimport '../src/channels/shared/dispatch.js';\n"),
    ];
    const found = violations(bad, ['src/domain/followup/bad.ts', 'src/core/bad.ts', 'handlers/bad.ts', 'src/domain/bad.ts', 'src/config/bad.ts', 'store/bad.ts', 'src/stray.ts']);
    expect(found).toEqual([
      'src/stray.ts belongs to no layer (or to several)',
      'src/domain/followup/bad.ts (domain) → store/open.ts (store) points outward',
      'src/core/bad.ts (core) → handlers/intake.ts (handlers) points outward',
      'handlers/bad.ts (handlers) → schedules/jobs.ts (schedules) points sideways',
      'src/domain/bad.ts (domain) → src/core/log.ts (core) points outward',
      'src/config/bad.ts (config) → src/domain/intake/form.ts (domain) points outward',
      'store/bad.ts (store) → src/channels/shared/dispatch.ts (channels) points sideways',
    ]);
  });

  it('leaves the environment and the exit to the wiring', () => {
    const texts = files.map((file) => ({ file, text: readFileSync(join(process.cwd(), file), 'utf8') }));
    expect(processViolations(texts)).toEqual([]);
    const stale = PROCESS_EXCEPTIONS.filter((x) => !texts.some((t) => t.file === x.file && processUsesOf(t.file, t.text).includes(x.use)));
    expect(stale).toEqual([]);
  });

  it('catches the environment read or the exit called outside the wiring, and not in a comment', () => {
    const found = processViolations([
      { file: 'src/channels/wecom/start.ts', text: "const id = process.env.WECOM_BOT_ID;\n// process.exit(1) is not ours to call\n" },
      { file: 'store/paths.ts', text: "export const dir = (env: NodeJS.ProcessEnv = process['env']) => env.X;\n" },
      { file: 'handlers/x.ts', text: 'process.exitCode = 1;\n' },
      { file: 'src/core/x.ts', text: 'if (bad) process.exit(2);\n' },
      { file: 'src/main.ts', text: 'const env = process.env;\nprocess.exit(0);\n' },
      { file: 'src/config/settings.ts', text: 'export const fromProcess = () => readSettings(process.env);\n' },
    ]);
    expect(found).toEqual([
      'src/channels/wecom/start.ts (channels) uses process.env: read settings and decide exits in the wiring',
      'store/paths.ts (store) uses NodeJS.ProcessEnv: read settings and decide exits in the wiring',
      'store/paths.ts (store) uses process.env: read settings and decide exits in the wiring',
      'handlers/x.ts (handlers) uses process.exitCode: read settings and decide exits in the wiring',
      'src/core/x.ts (core) uses process.exit: read settings and decide exits in the wiring',
    ]);
  });

  it('allows inward imports and imports within a layer', () => {
    const good = [
      ...importsOf('src/channels/x.ts', "import type { AppDeps } from '../core/context.js';\nimport { toLocal } from '../domain/calendar/shanghai.js';\n"),
      ...importsOf('store/sql/x.ts', "import type { Store } from '../../src/domain/ports/store.js';\nimport type { SqlDb } from './db.js';\n"),
      ...importsOf('src/domain/x.ts', "import type { Member } from '../config/schema.js';\n"),
    ];
    expect(violations(good, ['src/channels/x.ts', 'store/sql/x.ts', 'src/domain/x.ts'])).toEqual([]);
  });
});
