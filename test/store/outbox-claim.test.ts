import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../store/postgres/postgres-store.js';
import { townSchema } from '../../store/postgres/schema.js';
import type { SqlOutboxRepo } from '../../store/sql/outbox.js';
import { pgEnabled, pgTestUrl as url } from '../helpers/stores.js';

const town = `claim_${randomBytes(4).toString('hex')}`;
const schema = townSchema(town);
const t0 = new Date('2026-03-02T01:00:00.000Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

let admin: pg.Client;
const stores: PostgresStore[] = [];
/** One more process's view of the town: its own store (connection) and claimant id. */
const repo = async (claimant: string, claimMs = 60_000): Promise<SqlOutboxRepo> => {
  const store = await openPostgresStore(url, { town, outbox: { claimant, claimMs } });
  stores.push(store);
  return store.outbox;
};

beforeAll(async () => {
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await repo('setup'); // creates the town's schema
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

const reset = async (): Promise<void> => {
  await admin.query(`TRUNCATE ${schema}.outbox RESTART IDENTITY`);
};
const enqueue = async (r: SqlOutboxRepo, n: number, now = t0, target = 'u1'): Promise<number[]> => {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await r.enqueue({ target: { kind: 'user', id: target }, reply: { text: `m${i}` }, reason: 'test' }, now))!);
  return ids;
};
const ids = async (items: Promise<Array<{ id: number }>>): Promise<number[]> => (await items).map((i) => i.id);

describe.skipIf(!pgEnabled)('outbox claims on PostgreSQL', () => {
  it('two stores on one town never get the same row', async () => {
    await reset();
    const a = await repo('a');
    const b = await repo('b');
    const made = await enqueue(a, 7);
    const gotA = await ids(a.due(t0, 4));
    const gotB = await ids(b.due(t0, 4));
    expect(gotA).toEqual(made.slice(0, 4));
    expect(gotB).toEqual(made.slice(4));
    expect(await ids(a.due(t0, 10))).toEqual(gotA); // our own live claims come back (paced rows)
    expect(await ids(b.due(t0, 10))).toEqual(gotB);
  });

  it('claimants calling at the same moment never share a row', async () => {
    await reset();
    const [a, b, c] = await Promise.all([repo('a'), repo('b'), repo('c')]);
    const made = await enqueue(a!, 30);
    const got = await Promise.all([a!, b!, c!, a!, b!, c!].map((r) => ids(r.due(t0, 4))));
    const mine = (n: number) => [...new Set([...got[n]!, ...got[n + 3]!])];
    const all = [mine(0), mine(1), mine(2)];
    // A claimant may get its own rows twice (its live claims); never another's.
    expect(all.flat()).toHaveLength(new Set(all.flat()).size);
    expect(all.flat().every((id) => made.includes(id))).toBe(true);
  });

  it('passes over rows another transaction is claiming this instant instead of waiting for them', async () => {
    await reset();
    const a = await repo('a');
    const made = await enqueue(a, 3);
    await admin.query('BEGIN');
    try {
      await admin.query(`SELECT id FROM ${schema}.outbox WHERE id = $1 FOR UPDATE`, [made[0]]);
      expect(await ids(a.due(t0, 10))).toEqual(made.slice(1));
    } finally {
      await admin.query('ROLLBACK');
    }
    expect(await ids(a.due(t0, 10))).toEqual(made);
  });

  it('a claimed row that is never sent is due again for another claimant once the claim lapses', async () => {
    await reset();
    const a = await repo('a', 60_000);
    const b = await repo('b', 60_000);
    const [id] = await enqueue(a, 1);
    expect(await ids(a.due(t0, 10))).toEqual([id]);
    // a dies here without sending.
    expect(await b.due(at(59_000), 10)).toEqual([]);
    const again = await b.due(at(61_000), 10);
    expect(again.map((i) => i.id)).toEqual([id]);
    await b.markSent(id!, at(61_500));
    expect(await a.due(at(200_000), 10)).toEqual([]);
    expect(await a.pending()).toBe(0);
    const { rows } = await admin.query(`SELECT claimed_by, claimed_until, sent_at FROM ${schema}.outbox WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ claimed_by: null, claimed_until: null, sent_at: at(61_500) });
  });

  it('a failed push ends the claim, so the retry is free to anyone at its retry time', async () => {
    await reset();
    const a = await repo('a');
    const b = await repo('b');
    const [id] = await enqueue(a, 1);
    expect(await a.due(t0, 10)).toHaveLength(1);
    await a.markFailed(id!, 'boom', at(5_000));
    expect(await b.due(at(4_000), 10)).toEqual([]);
    const retry = await b.due(at(5_000), 10);
    expect(retry.map((i) => [i.id, i.attempts, i.lastError])).toEqual([[id, 1, 'boom']]);
  });

  it('leaves out skipped targets and returns rows oldest first', async () => {
    await reset();
    const a = await repo('a');
    const late = await enqueue(a, 1, at(2_000), 'u1');
    const early = await enqueue(a, 1, at(1_000), 'u2');
    const held = await enqueue(a, 1, at(500), 'u3');
    expect(await ids(a.due(at(3_000), 10, [{ kind: 'user', id: 'u3' }]))).toEqual([...early, ...late]);
    // The held target's row was not claimed: another process may have it.
    expect(await ids((await repo('b')).due(at(3_000), 10))).toEqual(held);
  });

  it('several processes draining one outbox at once send every row exactly once', async () => {
    await reset();
    const rows = 300;
    await enqueue(await repo('seed'), rows);
    const fixture = fileURLToPath(new URL('../county/fixtures/claim-outbox.ts', import.meta.url));
    const children = Array.from({ length: 4 }, (_, n) =>
      spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, CLAIM_DB_URL: url, CLAIM_TOWN: town, CLAIM_AS: `p${n}` },
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const ready: Promise<void>[] = [];
    const runs = children.map((child, n) => {
      let out = '';
      ready.push(new Promise((resolve) => child.stdout.once('data', () => resolve())));
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<number[]>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code !== 0) reject(new Error(`claimant p${n} exited with ${code}`));
          else resolve(out.split('\n').filter((l) => l.startsWith('[')).flatMap((l) => JSON.parse(l) as number[]));
        });
      });
    });
    await Promise.all(ready);
    for (const child of children) child.stdin.end('go\n');
    const claimed = await Promise.all(runs);
    const all = claimed.flat();
    expect(all).toHaveLength(rows);
    expect(new Set(all).size).toBe(rows);
    // They really ran side by side: more than one process got work.
    expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    const { rows: left } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE sent_at IS NULL`);
    expect(left[0].n).toBe(0);
  });
});
