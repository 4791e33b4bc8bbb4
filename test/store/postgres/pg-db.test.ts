import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PgBridgeSendError,
  PgClosedError,
  PgConnectError,
  PgConnectionLostError,
  PgDb,
  PgQueryError,
  PgTimeoutError,
} from '../../../store/postgres/pg-db.js';
import { pgEnabled, pgTestUrl as URL_ } from '../../helpers/stores.js';

const SCHEMA = `pgdb_test_${process.pid}_${Date.now().toString(36)}`;
const OTHER = `${SCHEMA}_b`;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let admin: PgDb;
let db: PgDb;

beforeAll(() => {
  admin = PgDb.open(URL_);
  admin.exec(`CREATE SCHEMA ${SCHEMA}; CREATE SCHEMA ${OTHER};`);
  db = PgDb.open(URL_, { searchPath: SCHEMA, applicationName: 'pgdb-test' });
  db.exec(`
    CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, qty integer, note text);
    CREATE INDEX items_qty ON items (qty);
  `);
});

afterAll(() => {
  db?.close();
  admin?.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; DROP SCHEMA IF EXISTS ${OTHER} CASCADE;`);
  admin?.close();
});

beforeEach(() => {
  db.exec('TRUNCATE items RESTART IDENTITY');
});

describe.skipIf(!pgEnabled)('PgDb statements', () => {
  it('inserts with RETURNING and reads back with get/all/raw', () => {
    const ins = db.prepare<[string, number | null, string | undefined], { id: number }>(
      'INSERT INTO items (name, qty, note) VALUES (?, ?, ?) RETURNING id',
    );
    expect(ins.get('a', 1, undefined)).toEqual({ id: 1 });
    expect(ins.get('b', null, 'x?')).toEqual({ id: 2 });
    const all = db.prepare<[], { id: number; name: string; qty: number | null; note: string | null }>('SELECT * FROM items ORDER BY id');
    expect(all.all()).toEqual([
      { id: 1, name: 'a', qty: 1, note: null },
      { id: 2, name: 'b', qty: null, note: 'x?' },
    ]);
    expect(db.prepare<[], [number, string]>('SELECT id, name FROM items ORDER BY id').raw(true).all()).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(db.prepare('SELECT * FROM items WHERE id = ?').get(99)).toBeUndefined();
    expect([...all.iterate()].map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('iterates long results in chunks, with other statements in between, and closes its cursor', () => {
    const series = db.prepare<[number], { n: number }>('SELECT n FROM generate_series(1, ?) n ORDER BY n;');
    const cursors = () => db.query<{ n: number }>('SELECT count(*) AS n FROM pg_cursors')[0]!.n;
    let sum = 0;
    let seen = 0;
    for (const r of series.iterate(2500)) {
      sum += r.n;
      if (++seen % 700 === 0) db.prepare('INSERT INTO items (name) VALUES (?)').run(`at ${seen}`);
    }
    expect([seen, sum]).toEqual([2500, (2500 * 2501) / 2]);
    expect(cursors()).toBe(0);
    for (const r of series.iterate(5000)) if (r.n === 3) break;
    expect(cursors()).toBe(0);
    const inTx = db.transaction(() => [...db.prepare<[], [string]>('SELECT name FROM items ORDER BY id').raw(true).iterate()])();
    expect(inTx).toEqual([['at 700'], ['at 1400'], ['at 2100']]);
    expect([...series.iterate(0)]).toEqual([]);
  });

  it('binds @name parameters from one object and strips INDEXED BY', () => {
    db.prepare('INSERT INTO items (name, qty) VALUES (@name, @qty)').run({ name: 'n', qty: 7 });
    const row = db
      .prepare<[{ q: number }], { name: string }>('SELECT name FROM items INDEXED BY items_qty WHERE qty = @q AND qty >= @q')
      .get({ q: 7 });
    expect(row).toEqual({ name: 'n' });
  });

  it('reports changed rows from run()', () => {
    const ins = db.prepare('INSERT INTO items (name, qty) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    expect(ins.run('a', 1)).toEqual({ changes: 1 });
    expect(ins.run('a', 1).changes).toBe(0);
    ins.run('b', 1);
    expect(db.prepare('UPDATE items SET qty = qty + 1 WHERE qty = ?').run(1).changes).toBe(2);
  });

  it('returns counts, sums and bigint ids as numbers', () => {
    db.prepare('INSERT INTO items (name, qty) VALUES (?, ?), (?, ?)').run('a', 2, 'b', 3);
    expect(db.prepare('SELECT count(*) AS n, sum(qty) AS s, sum(id) AS si, avg(qty) AS av FROM items').get()).toEqual({
      n: 2,
      s: 5,
      si: 3,
      av: 2.5,
    });
    expect(db.prepare('SELECT ?::bigint AS b, ?::boolean AS t').get(12n, true)).toEqual({ b: 12, t: true });
  });

  it('exec runs several statements; query takes native $n', () => {
    db.exec("INSERT INTO items (name) VALUES ('x'); INSERT INTO items (name) VALUES ('y');");
    expect(db.query<{ name: string }>('SELECT name FROM items WHERE name = $1 OR name = $2 ORDER BY name', ['y', 'x'])).toEqual([
      { name: 'x' },
      { name: 'y' },
    ]);
  });

  it('re-plans a prepared statement after its table changed', () => {
    const star = db.prepare<[], Record<string, unknown>>('SELECT * FROM items');
    db.exec("INSERT INTO items (name) VALUES ('x')");
    expect(Object.keys(star.get()!)).toHaveLength(4);
    db.exec('ALTER TABLE items ADD COLUMN extra text');
    try {
      expect(Object.keys(star.get()!)).toHaveLength(5);
    } finally {
      db.exec('ALTER TABLE items DROP COLUMN extra');
    }
  });
});

describe.skipIf(!pgEnabled)('PgDb errors', () => {
  it('throws PgQueryError with the SQLSTATE and stays usable', () => {
    const ins = db.prepare('INSERT INTO items (name) VALUES (?)');
    ins.run('王小明');
    let err: unknown;
    try {
      ins.run('王小明');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PgQueryError);
    expect((err as PgQueryError).code).toBe('23505');
    // The refused value stays out of the error, which may be logged.
    expect(JSON.stringify({ ...(err as PgQueryError), message: (err as Error).message })).not.toContain('王小明');
    expect((err as PgQueryError).constraint).toBe('items_name_key');
    expect((err as PgQueryError).sql).toBe('INSERT INTO items (name) VALUES ($1)');
    expect(() => db.prepare('SELECT nope FROM items').all()).toThrow(/nope/);
    expect(db.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 1 });
  });

  it('fails fast with PgConnectError when nothing listens', () => {
    const t0 = Date.now();
    expect(() => PgDb.open('postgres://postgres@127.0.0.1:1/test', { timeoutMs: 10_000 })).toThrow(PgConnectError);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('has the server cancel a statement that runs too long, keeping the connection', () => {
    const slow = PgDb.open(URL_, { searchPath: SCHEMA, timeoutMs: 300 });
    try {
      const pid = slow.query('SELECT pg_backend_pid() AS pid');
      const err = (() => {
        try {
          slow.query('SELECT pg_sleep(3)');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(PgQueryError);
      expect((err as PgQueryError).code).toBe('57014');
      expect(slow.query('SELECT pg_backend_pid() AS pid')).toEqual(pid);
    } finally {
      slow.close();
    }
  });

  it('resets the connection when the server does not answer in time, and reconnects on the next call', () => {
    const slow = PgDb.open(URL_, { searchPath: SCHEMA, timeoutMs: 200 });
    db.exec('CREATE TABLE IF NOT EXISTS scratch (name text)');
    try {
      // With the server-side limit lifted, only the caller's own wait can end this.
      slow.exec('SET statement_timeout = 0');
      const t0 = Date.now();
      expect(() => slow.query('SELECT pg_sleep(2)')).toThrow(PgTimeoutError);
      expect(Date.now() - t0).toBeLessThan(1_900);
      expect(slow.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      // Inside a transaction the reset loses the transaction: say so rather than carry on.
      const tx = slow.transaction(() => {
        slow.exec('SET LOCAL statement_timeout = 0');
        slow.query("INSERT INTO scratch (name) VALUES ('lost')");
        expect(() => slow.query('SELECT pg_sleep(2)')).toThrow(PgTimeoutError);
        slow.query('SELECT 1');
      });
      expect(tx).toThrow(PgConnectionLostError);
      expect(slow.query('SELECT count(*) AS n FROM scratch')).toEqual([{ n: 0 }]);
    } finally {
      slow.close();
    }
  });

  it('reconnects after the server drops an idle connection, but not inside a transaction', () => {
    const victim = PgDb.open(URL_, { searchPath: SCHEMA });
    const pidOf = () => victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')[0]!.pid;
    try {
      const first = pidOf();
      admin.query('SELECT pg_terminate_backend($1)', [first]);
      sleep(300);
      const second = pidOf();
      expect(second).not.toBe(first);
      expect(victim.query<{ p: string }>('SELECT current_schemas(false)::text AS p')[0]!.p).toBe(`{${SCHEMA}}`);

      const tx = victim.transaction(() => {
        victim.prepare('INSERT INTO items (name) VALUES (?)').run('gone');
        admin.query('SELECT pg_terminate_backend($1)', [second]);
        sleep(300);
        victim.prepare('INSERT INTO items (name) VALUES (?)').run('gone too');
      });
      expect(tx).toThrow(PgConnectionLostError);
      expect(pidOf()).not.toBe(second);
      expect(victim.query('SELECT name FROM items')).toEqual([]);
    } finally {
      victim.close();
    }
  });

  it('notices at once when the worker thread dies, and starts a new one', () => {
    const d = PgDb.open(URL_, { searchPath: SCHEMA });
    const kill = () => (d as unknown as { bridge: { call(r: unknown): { error?: unknown } } }).bridge.call({ op: 'exit-for-test' });
    try {
      const t0 = Date.now();
      expect(kill().error).toMatchObject({ kind: 'connection' });
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(d.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(
        d.transaction(() => {
          d.query("INSERT INTO items (name) VALUES ('gone')");
          kill();
          d.query('SELECT 1');
        }),
      ).toThrow(PgConnectionLostError);
      expect(d.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 0 }]);
    } finally {
      d.close();
    }
  });
});

describe.skipIf(!pgEnabled)('PgDb transactions', () => {
  const add = (name: string) => db.prepare('INSERT INTO items (name) VALUES (?)').run(name);
  const names = () => db.prepare<[], [string]>('SELECT name FROM items ORDER BY id').raw(true).all().map((r) => r[0]);

  it('commits, and rolls back and rethrows on a throw', () => {
    expect(db.transaction(() => (add('a'), 42)).immediate()).toBe(42);
    expect(() =>
      db.transaction(() => {
        add('b');
        throw new Error('boom');
      })(),
    ).toThrow('boom');
    expect(names()).toEqual(['a']);
  });

  it('nests as savepoints: an inner failure keeps the outer work', () => {
    db.transaction(() => {
      add('outer');
      expect(() =>
        db.transaction(() => {
          add('inner');
          add('outer'); // unique violation aborts only the savepoint
        })(),
      ).toThrow(PgQueryError);
      db.transaction(() => {
        add('inner ok');
        db.transaction(() => add('deep'))();
      })();
      add('after');
    })();
    expect(names()).toEqual(['outer', 'inner ok', 'deep', 'after']);
  });

  it('rolls back inner savepoints with the outer transaction', () => {
    expect(() =>
      db.transaction(() => {
        db.transaction(() => add('inner'))();
        throw new Error('outer fails');
      })(),
    ).toThrow('outer fails');
    expect(names()).toEqual([]);
    add('usable');
    expect(names()).toEqual(['usable']);
  });

  it('undoes a failed savepoint even when the outer transaction commits right after', () => {
    db.transaction(() => {
      add('kept');
      try {
        db.transaction(() => {
          add('undone');
          db.transaction(() => add('undone too'))();
          throw new Error('not a database error');
        })();
      } catch {
        // the caller swallows it, as the router does for one failed message of a batch
      }
    })();
    expect(names()).toEqual(['kept']);
  });

  it('handles savepoints in which nothing ran, and failures at any depth', () => {
    expect(db.transaction(() => db.transaction(() => db.transaction(() => 'empty')())())()).toBe('empty');
    db.transaction(() => {
      db.transaction(() => {
        add('a');
        expect(() =>
          db.transaction(() => {
            db.transaction(() => add('b'))();
            add('a');
          })(),
        ).toThrow(PgQueryError);
        add('c');
      })();
      expect(() => db.transaction(() => db.transaction(() => add('c'))())()).toThrow(PgQueryError);
    })();
    expect(names()).toEqual(['a', 'c']);
  });

  it('keeps its transaction state when a parameter cannot be sent', () => {
    db.transaction(() => {
      add('a');
      expect(() =>
        db.transaction(() => {
          db.prepare('INSERT INTO items (name) VALUES (?)').run((() => 'x') as unknown as string);
        })(),
      ).toThrow(PgBridgeSendError);
      add('b');
    })();
    expect(names()).toEqual(['a', 'b']);
  });

  it('refuses a function that returns a promise', () => {
    expect(() => db.transaction(() => Promise.resolve(add('p')))()).toThrow(/promise/);
    expect(names()).toEqual([]);
  });

  it('is visible to other connections only after commit', () => {
    const other = PgDb.open(URL_, { searchPath: SCHEMA });
    try {
      db.transaction(() => {
        add('pending');
        expect(other.query('SELECT name FROM items')).toEqual([]);
      })();
      expect(other.query('SELECT name FROM items')).toEqual([{ name: 'pending' }]);
    } finally {
      other.close();
    }
  });
});

describe.skipIf(!pgEnabled)('PgDb search_path', () => {
  it('keeps each connection in its own schema', () => {
    const b = PgDb.open(URL_, { searchPath: `${OTHER}, ${SCHEMA}` });
    try {
      b.exec('CREATE TABLE items (id integer, name text)');
      b.prepare('INSERT INTO items VALUES (?, ?)').run(1, 'in b');
      db.prepare('INSERT INTO items (name) VALUES (?)').run('in a');
      expect(b.prepare('SELECT name FROM items').all()).toEqual([{ name: 'in b' }]);
      expect(db.prepare('SELECT name FROM items').all()).toEqual([{ name: 'in a' }]);
      expect(b.query(`SELECT name FROM ${SCHEMA}.items`)).toEqual([{ name: 'in a' }]);
    } finally {
      b.close();
    }
  });
});

describe.skipIf(!pgEnabled)('PgDb lifecycle', () => {
  it('close() is idempotent and later calls throw PgClosedError', () => {
    const c = PgDb.open(URL_);
    c.close();
    c.close();
    expect(() => c.query('SELECT 1')).toThrow(PgClosedError);
    expect(() => c.prepare('SELECT 1')).toThrow(PgClosedError);
  });

  it('never keeps the process alive, closed or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdb-exit-'));
    try {
      const script = join(dir, 'exit.ts');
      const mod = JSON.stringify(join(ROOT, 'store/postgres/pg-db.ts'));
      writeFileSync(
        script,
        `import { PgDb } from ${mod};
         const a = PgDb.open(${JSON.stringify(URL_)});
         const b = PgDb.open(${JSON.stringify(URL_)});
         console.log(JSON.stringify(a.query('SELECT 1 AS one')), JSON.stringify(b.query('SELECT 2 AS two')));
         a.close();`,
      );
      const t0 = Date.now();
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      expect(out.trim()).toBe('[{"one":1}] [{"two":2}]');
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
