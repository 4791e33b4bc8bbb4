/**
 * The store contract runs against both adapters: `describe.each(storeKinds)` gives each test a
 * fresh SQLite database or a fresh PostgreSQL town schema. Call {@link cleanupStores} in
 * afterEach/afterAll so connections close and test schemas are dropped.
 *
 * Which PostgreSQL the tests use is decided once per run by test/global-setup.ts (see
 * docs/testing.md): every test reads it from {@link pgTestUrl} / {@link pgEnabled} here, never from
 * the environment. PostgreSQL-only suites use `describe.skipIf(!pgEnabled)`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { openPostgresStore } from '../../store/postgres/postgres-store.js';
import { townSchema } from '../../store/postgres/schema.js';
import type { SqlDb } from '../../store/sql/db.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../src/domain/ports/store.js';

export type StoreKindName = 'sqlite' | 'postgres';

const chosen = inject('pgTestUrl');
if (chosen === undefined) throw new Error('test/global-setup.ts did not run: run the tests with vitest.config.ts (npm test)');
/** False when this run skips the PostgreSQL tests (`TEST_DATABASE_URL=none`, or no PostgreSQL outside CI). */
export const pgEnabled: boolean = chosen !== null;
/** The PostgreSQL of this run; when {@link pgEnabled} is false, a URL that names the reason and reaches nothing. */
export const pgTestUrl: string = chosen ?? 'postgres://postgresql-tests-are-skipped.invalid/test';

export interface TestStoreOptions {
  cipher?: FieldCipher | null;
  /** SQLite: a file instead of `:memory:`, so the test can {@link TestStore.reopen} it. PostgreSQL always persists. */
  persistent?: boolean;
}

export interface TestStore extends Store {
  readonly kind: StoreKindName;
  /**
   * The store's own connection, for looking at raw rows with either database:
   * `await s.db.all(sql\`SELECT …\`)`, `await s.db.exec('…')`.
   */
  readonly db: SqlDb;
  /** Opens the same database (and town) again, as a restart would; rejects with what opening throws. */
  reopen(opts?: Pick<TestStoreOptions, 'cipher'>): Promise<TestStore>;
  /** Drops a trigger, to act out someone tampering around it. */
  dropTrigger(name: string, table: string): Promise<void>;
}

export interface StoreKind {
  readonly name: StoreKindName;
  open(opts?: TestStoreOptions): Promise<TestStore>;
}

const opened: Store[] = [];
const tempDirs: string[] = [];
const towns = new Set<string>();

function track<S extends Store>(s: S, extra: Omit<TestStore, keyof Store | 'db'>): TestStore {
  opened.push(s);
  return Object.assign(s, extra) as unknown as TestStore;
}

async function openSqlite(file: string, cipher: FieldCipher | null): Promise<TestStore> {
  const s = await openSqliteStore(file, { cipher });
  return track(s, {
    kind: 'sqlite',
    reopen(opts = {}) {
      if (file === ':memory:') return Promise.reject(new Error('open the store with { persistent: true } to reopen it'));
      return openSqlite(file, opts.cipher ?? null);
    },
    dropTrigger(name) {
      return s.db.exec(`DROP TRIGGER ${name}`);
    },
  });
}

/** A town id no other test (or test run) uses. */
export function freshTownId(): string {
  const town = `t_${randomBytes(6).toString('hex')}`;
  towns.add(town);
  return town;
}

export async function openPgTestStore(town: string, cipher: FieldCipher | null = null): Promise<TestStore> {
  towns.add(town);
  const s = await openPostgresStore(pgTestUrl, { town, cipher });
  return track(s, {
    kind: 'postgres',
    reopen(opts = {}) {
      return openPgTestStore(town, opts.cipher ?? null);
    },
    dropTrigger(name, table) {
      return s.db.exec(`DROP TRIGGER ${name} ON ${table}`);
    },
  });
}

const sqliteKind: StoreKind = {
  name: 'sqlite',
  open(opts = {}) {
    let file = ':memory:';
    if (opts.persistent) {
      const dir = mkdtempSync(join(tmpdir(), 'humiao-store-'));
      tempDirs.push(dir);
      file = join(dir, 'humiao.db');
    }
    return openSqlite(file, opts.cipher ?? null);
  },
};

const postgresKind: StoreKind = {
  name: 'postgres',
  open(opts = {}) {
    return openPgTestStore(freshTownId(), opts.cipher ?? null);
  },
};

export const storeKinds: StoreKind[] = pgEnabled ? [sqliteKind, postgresKind] : [sqliteKind];

/** Closes every store the helpers opened and drops the test towns' schemas. */
export async function cleanupStores(): Promise<void> {
  for (const s of opened.splice(0)) {
    try {
      await s.close();
    } catch {
      // Already closed, or its connection is gone: nothing left to release.
    }
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (towns.size === 0) return;
  const drop = [...towns];
  towns.clear();
  const client = new pg.Client({ connectionString: pgTestUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${drop.map(townSchema).join(', ')} CASCADE`);
  } finally {
    await client.end();
  }
}
