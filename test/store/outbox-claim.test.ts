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
const repo = (claimant: string, claimMs = 60_000): SqlOutboxRepo => {
  const store = openPostgresStore(url, { town, outbox: { claimant, claimMs } });
  stores.push(store);
  return store.outbox;
};

beforeAll(async () => {
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  repo('setup'); // creates the town's schema
});

afterAll(async () => {
  for (const store of stores) store.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

const reset = async (): Promise<void> => {
  await admin.query(`TRUNCATE ${schema}.outbox RESTART IDENTITY`);
};
const enqueue = (r: SqlOutboxRepo, n: number, now = t0, target = 'u1'): number[] =>
  Array.from({ length: n }, (_, i) => r.enqueue({ target: { kind: 'user', id: target }, reply: { text: `m${i}` }, reason: 'test' }, now)!);

describe.skipIf(!pgEnabled)('outbox claims on PostgreSQL', () => {
  it('two stores on one town never get the same row', async () => {
    await reset();
    const a = repo('a');
    const b = repo('b');
    const ids = enqueue(a, 7);
    const gotA = a.due(t0, 4).map((i) => i.id);
    const gotB = b.due(t0, 4).map((i) => i.id);
    expect(gotA).toEqual(ids.slice(0, 4));
    expect(gotB).toEqual(ids.slice(4));
    expect(a.due(t0, 10).map((i) => i.id)).toEqual(gotA); // our own live claims come back (paced rows)
    expect(b.due(t0, 10).map((i) => i.id)).toEqual(gotB);
  });

  it('passes over rows another transaction is claiming this instant instead of waiting for them', async () => {
    await reset();
    const a = repo('a');
    const ids = enqueue(a, 3);
    await admin.query('BEGIN');
    try {
      await admin.query(`SELECT id FROM ${schema}.outbox WHERE id = $1 FOR UPDATE`, [ids[0]]);
      expect(a.due(t0, 10).map((i) => i.id)).toEqual(ids.slice(1));
    } finally {
      await admin.query('ROLLBACK');
    }
    expect(a.due(t0, 10).map((i) => i.id)).toEqual(ids);
  });

  it('a claimed row that is never sent is due again for another claimant once the claim lapses', async () => {
    await reset();
    const a = repo('a', 60_000);
    const b = repo('b', 60_000);
    const [id] = enqueue(a, 1);
    expect(a.due(t0, 10).map((i) => i.id)).toEqual([id]);
    // a dies here without sending.
    expect(b.due(at(59_000), 10)).toEqual([]);
    const again = b.due(at(61_000), 10);
    expect(again.map((i) => i.id)).toEqual([id]);
    b.markSent(id!, at(61_500));
    expect(a.due(at(200_000), 10)).toEqual([]);
    expect(a.pending()).toBe(0);
    const { rows } = await admin.query(`SELECT claimed_by, claimed_until, sent_at FROM ${schema}.outbox WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ claimed_by: null, claimed_until: null, sent_at: at(61_500).toISOString() });
  });

  it('a failed push ends the claim, so the retry is free to anyone at its retry time', async () => {
    await reset();
    const a = repo('a');
    const b = repo('b');
    const [id] = enqueue(a, 1);
    expect(a.due(t0, 10)).toHaveLength(1);
    a.markFailed(id!, 'boom', at(5_000));
    expect(b.due(at(4_000), 10)).toEqual([]);
    const retry = b.due(at(5_000), 10);
    expect(retry.map((i) => [i.id, i.attempts, i.lastError])).toEqual([[id, 1, 'boom']]);
  });

  it('leaves out skipped targets and returns rows oldest first', async () => {
    await reset();
    const a = repo('a');
    const late = enqueue(a, 1, at(2_000), 'u1');
    const early = enqueue(a, 1, at(1_000), 'u2');
    const held = enqueue(a, 1, at(500), 'u3');
    expect(a.due(at(3_000), 10, [{ kind: 'user', id: 'u3' }]).map((i) => i.id)).toEqual([...early, ...late]);
    // The held target's row was not claimed: another process may have it.
    expect(repo('b').due(at(3_000), 10).map((i) => i.id)).toEqual(held);
  });

  it('several processes draining one outbox at once send every row exactly once', async () => {
    await reset();
    const rows = 300;
    enqueue(repo('seed'), rows);
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
