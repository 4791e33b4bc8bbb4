// Compiles the bot and CLI to dist/ for production starts (`npm start`, `npm run humiao`): plain
// JavaScript loads in about half the time of tsx compiling TypeScript on every start, and one
// bundle per entry point (split at dynamic imports) spares resolving and linking every module. Development
// and tests keep running the sources with tsx (`npm run dev`, vitest).
//
// `node scripts/build.mjs` builds; `ensureBuilt()` (used by scripts/run.mjs) builds only when a
// source file is newer than the last build, so a fresh clone, a `git pull` or an edit is never
// run from stale JavaScript. Concurrent starts (tests spawn several) share one build via a lock.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = join(root, 'dist');
/**
 * The entry points `scripts/run.mjs` runs, each bundled into one file with its own modules (the
 * packages stay external): a start then reads two files instead of resolving and linking some
 * two hundred, which was most of a CLI command's time.
 */
const ENTRIES = ['src/main.ts', 'src/cli/index.ts'];
const SOURCE_DIRS = ['src', 'handlers', 'store', 'schedules'];
/** Files the compiled code reads next to itself (migrations, aliases). */
const ASSET = /\.(sql|yaml)$/;
const STAMP = join(outDir, '.stamp.json');
const LOCK = join(root, '.build-lock');

function sources() {
  const out = [];
  // Paths by concatenation: every start runs this check, and path.join's normalising of each of
  // some two hundred and fifty paths was a third of it.
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}${sep}${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push({ p, kind: 'ts' });
      else if (ASSET.test(e.name)) out.push({ p, kind: 'asset' });
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  // A change to how the build is made is a change to what it makes.
  out.push({ p: fileURLToPath(import.meta.url), kind: 'self' });
  return out;
}

/** What the build was made from: each file's path and mtime, in one short digest. */
function fingerprint(files) {
  let h = 0;
  const text = files.map((f) => `${f.p.startsWith(root + sep) ? f.p.slice(root.length + 1) : relative(root, f.p)}:${statSync(f.p).mtimeMs}`).join('\n');
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return `${files.length}:${h >>> 0}`;
}

function isFresh(print) {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')).fingerprint === print;
  } catch {
    return false;
  }
}

/**
 * A module that finds files beside itself (migrations, the alias table)
 * reads `import.meta.url`; bundled, that would be whichever output file its code landed in. Each
 * source file's `import.meta.url` becomes the location its own compiled copy would have under
 * dist/, found from the running file's dist/ at run time, so the assets copied there are found
 * and the tree can still be moved.
 */
const ownLocation = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const asBuilt = relative(root, args.path).split(sep).join('/').replace(/\.ts$/, '.js');
      const distRoot = "import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 6)";
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(asBuilt)}, ${distRoot}).href`), loader: 'ts' };
    });
  },
};

/**
 * Every command and start loads yaml, zod, commander and chinese-days: from node_modules that is
 * some sixty files to resolve, read and link (yaml alone is forty), a fifth of a CLI command. Those
 * pure-JavaScript packages are bundled in; the rest load from node_modules as usual: native
 * modules (better-sqlite3), what starts worker threads from its own files (pino, pg), and what is
 * loaded only when used, which stays out of the bundle anyway (a chat SDK, exceljs).
 */
const BUNDLED = new Set(['yaml', 'zod', 'commander', 'chinese-days']);
const packagesOutside = {
  name: 'packages-outside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * zod's namespace object carries every one of its sixty-odd message locales, a third of the largest
 * chunk, which Node compiles on every start and command. The bundle keeps the locales the sources
 * name (`z.locales.zhCN`) and English, zod's default; the others were never used.
 */
function zodLocales(files) {
  const named = new Set(['en']);
  for (const f of files.filter((f) => f.kind === 'ts')) {
    for (const m of readFileSync(f.p, 'utf8').matchAll(/\blocales\.([A-Za-z]+)\b/g)) named.add(m[1]);
  }
  const zodDir = `${sep}node_modules${sep}zod${sep}`;
  return {
    name: 'zod-locales',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        args.importer.includes(zodDir) ? { path: join(dirname(args.importer), '../locales/index.js'), namespace: 'zod-locales' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => {
        const kept = readFileSync(args.path, 'utf8')
          .split('\n')
          .filter((line) => [...named].some((n) => line.includes(` as ${n} `)));
        return { contents: kept.join('\n'), resolveDir: dirname(args.path), loader: 'js' };
      });
    },
  };
}

export async function buildAll(files = sources()) {
  const print = fingerprint(files);
  rmSync(outDir, { recursive: true, force: true });
  // Loaded only to build: the freshness check of every start should not pay for it.
  const { build } = await import('esbuild');
  await build({
    entryPoints: ENTRIES.map((e) => join(root, e)),
    outdir: outDir,
    outbase: root,
    bundle: true,
    // Split at dynamic imports, so what is imported lazily (a chat platform's SDK, exceljs)
    // stays out of a start that does not use it.
    plugins: [ownLocation, packagesOutside, zodLocales(files)],
    // Bundled CommonJS (yaml, commander) calls require() for Node's own modules.
    banner: { js: "import { createRequire as __humiaoRequire } from 'node:module'; const require = __humiaoRequire(import.meta.url);" },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    sourcemap: true,
    // Stack traces map to the sources in the checkout; the maps need not carry them too (a start
    // with source maps on reads every map it loads, and the sources were most of their size).
    sourcesContent: false,
    logLevel: 'warning',
    // What parsed results cached on disk are keyed by (src/bootstrap.ts useBuildCaches).
    define: { __HUMIAO_BUILD__: JSON.stringify(print) },
  });
  for (const f of files.filter((f) => f.kind === 'asset')) {
    const to = join(outDir, relative(root, f.p));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(f.p, to);
  }
  writeFileSync(STAMP, JSON.stringify({ fingerprint: print, builtAt: new Date().toISOString() }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Builds unless dist/ is already up to date; waits for a build another process is making. */
export async function ensureBuilt() {
  const files = sources();
  if (isFresh(fingerprint(files))) return;
  for (let waited = 0; ; waited += 50) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock left by a build that was killed: older than any build takes.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 60_000) rmSync(LOCK, { recursive: true, force: true });
      await sleep(50);
    }
  }
  try {
    const now = sources();
    if (!isFresh(fingerprint(now))) await buildAll(now);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = performance.now();
  await buildAll();
  if (!existsSync(STAMP)) process.exit(1);
  process.stdout.write(`built dist/ in ${Math.round(performance.now() - t)} ms\n`);
}
