import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { AppDeps } from '../src/core/context.js';
import { openCaseStatuses, overdueCandidatesSince } from '../src/domain/followup/case-status.js';
import { exportCases } from '../src/domain/intake/export.js';
import { toCsv } from '../src/cli/csv.js';
import { statsFor, statsFromLists } from '../schedules/jobs/quarterly.js';
import { quarterlyMarkdown } from '../src/domain/followup/quarterly-markdown.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { CaseRecord, ContactRecord, NewContact } from '../src/domain/model/records.js';
import type { OpenSummaryFilter, Store } from '../src/domain/ports/store.js';
import { countyVillages, generate, type Scale } from './datagen.js';
import { overdueFanout, type FanoutResult } from './fanout.js';
import { FieldCipher } from '../src/domain/security/field-crypto.js';
import { stats, type Stats } from './report.js';
import { dropTown, loadIntoPostgres, openBenchStore, schemaBytes, type PgLoad, type PgTarget } from './postgres-target.js';
import { pgFloors, pgUnderLoad, type PgFloors, type PgUnderLoad } from './pg-load.js';

export interface ScaleResult {
  scale: Scale;
  generateMs: number;
  dbBytes: number;
  sqlite: Measures;
  lowdb?: Measures & { loadMs: number; fileBytes: number };
  /** The same data in a PostgreSQL town schema, or why that run failed (the rest of the bench goes on). */
  postgres?: (Measures & { load: PgLoad; bytes: number; floors: PgFloors; underLoad?: PgUnderLoad | { error: string } }) | { error: string };
  fanout: FanoutResult;
  /** The data dir holding humiao.db, when the caller asked to keep it (and must delete it). */
  dir?: string;
}

export interface Measures {
  write: Stats;
  overdueScan: number;
  quarterly: number;
  export: number;
}

/** The store answers asynchronously: each round is timed until its promise settles, not until it is made. */
const median = async (f: () => unknown, n: number): Promise<number> => {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    xs.push(performance.now() - t);
  }
  return stats(xs).median;
};

/**
 * The same computations the jobs and the CLI run, given any store that can list cases and
 * contacts. The quarterly report is counted by the store's SQL; lowdb, which has none, runs the
 * same definition over its arrays (`statsFromLists`), as an app on lowdb would.
 */
function measures(deps: AppDeps, at: Date, writeOnce: (i: number) => void | Promise<void>, writes: number, rounds: number, quarterStatsOf = statsFor): Promise<Measures> {
  return (async () => {
    const w: number[] = [];
    for (let i = 0; i < writes; i++) {
      const t = performance.now();
      await writeOnce(i);
      w.push(performance.now() - t);
    }
    // Exactly what the overdue job computes before it writes messages.
    const overdueScan = await median(
      async () => (await openCaseStatuses(deps.store, deps.config.followup, at, undefined, overdueCandidatesSince(at))).filter((s) => s.due.state === 'overdue'),
      rounds,
    );
    const quarterly = await median(async () => quarterlyMarkdown(await quarterStatsOf(deps, '2026Q4', at), deps.config.town), rounds);
    const exp = await median(async () => toCsv(await exportCases(deps.store)), rounds);
    return { write: stats(w), overdueScan, quarterly, export: exp };
  })();
}

const contactAt = (caseId: number, at: Date, i: number): NewContact => ({
  caseId,
  date: '2026-11-20',
  method: '电话',
  notes: `基准写入 ${i}`,
  riskLevel: null,
  loggedBy: 'lisi',
  createdAt: at,
});

interface LowData {
  cases: CaseRecord[];
  contacts: ContactRecord[];
}

/** A Store look-alike over a lowdb JSON file: only what the measured computations read. */
function lowStore(db: Low<LowData>): Store {
  const lastOf = () => {
    const m = new Map<number, string>();
    for (const c of db.data.contacts) if ((m.get(c.caseId) ?? '') < c.date) m.set(c.caseId, c.date);
    return m;
  };
  // A JSON file has no index: every question is a pass over the arrays, as an app on lowdb would do.
  const summaries = (open: boolean, since?: string, asOf = '9999-12-31') => {
    const last = lastOf();
    const contacted = new Set<number>();
    if (since !== undefined) for (const k of db.data.contacts) if (k.date >= since && k.date <= asOf) contacted.add(k.caseId);
    return db.data.cases
      .filter((c) => (!open || c.status === 'open') && !contacted.has(c.id))
      .map((c) => Object.assign(Object.create(c) as CaseRecord, { lastContactDate: last.get(c.id) ?? null }));
  };
  // A scan asks for pages by id; lowdb answers a scan's pages from one pass made at its first
  // page. Nothing is remembered between scans: each round pays for its pass, as an app would.
  let last: { rows: ReturnType<typeof summaries> } | undefined;
  const open = (f: OpenSummaryFilter) => {
    if (!last || !f.afterId) last = { rows: summaries(true, f.notContactedSince, f.asOfDay) };
    const from = f.afterId === undefined ? 0 : last.rows.findIndex((c) => c.id > f.afterId!);
    return from < 0 ? [] : last.rows.slice(from, f.limit === undefined ? undefined : from + f.limit);
  };
  return {
    cases: {
      list: () => db.data.cases,
      summaries: () => summaries(false),
      openSummaries: (f: OpenSummaryFilter = {}) => open(f),
    },
    followup: {
      contacts: (f: { from?: string; to?: string } = {}) =>
        db.data.contacts.filter((c) => (f.from === undefined || c.date >= f.from) && (f.to === undefined || c.date <= f.to)),
      screenings: () => [],
      contactDays: (f: { from?: string; to?: string } = {}) =>
        db.data.contacts.filter((c) => (f.from === undefined || c.date >= f.from) && (f.to === undefined || c.date <= f.to)),
      lastContactOn: (id: number, day: string) =>
        db.data.contacts.filter((c) => c.caseId === id && c.date <= day).reduce<string | null>((a, c) => (a && a > c.date ? a : c.date), null),
      lastContactDates: () => {
        const m = new Map<number, string>();
        for (const c of db.data.contacts) if ((m.get(c.caseId) ?? '') < c.date) m.set(c.caseId, c.date);
        return m;
      },
    },
  } as unknown as Store;
}

export async function storeScale(
  base: AppDeps,
  scale: Scale,
  opts: { lowdb: boolean; writes: number; rounds: number; dataKey: Buffer; keepDir?: boolean; pg?: { target: PgTarget; town: string; underLoad?: PgLoadOptions } },
): Promise<ScaleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-bench-scale-'));
  let keep = false;
  try {
    // Encrypted like a real deployment with HUMIAO_DATA_KEY set.
    const cipher = new FieldCipher(opts.dataKey);
    const store = await openSqliteStore(join(dir, 'humiao.db'), { cipher });
    const deps: AppDeps = { ...base, store };
    const at = base.clock.now();
    // One mentor per 50 cases, as a town or county would have.
    const members = Array.from({ length: Math.max(1, Math.round(scale.cases / 50)) }, (_, i) => `m${i}`);
    const t0 = performance.now();
    await generate(store, base.plan, scale.cases > 10_000 ? countyVillages() : base.config.villages, members, scale, at);
    const generateMs = performance.now() - t0;
    // Copied before anything is measured, so PostgreSQL holds exactly the rows SQLite is measured on.
    let pgLoad: PgLoad | { error: string } | undefined;
    if (opts.pg) {
      try {
        pgLoad = await loadIntoPostgres(opts.pg.target, join(dir, 'humiao.db'), opts.pg.town, cipher);
      } catch (e) {
        pgLoad = { error: describe(e) };
      }
    }
    const firstCase = (await store.cases.getByCode((await store.cases.list())[0]!.code))!;
    const sqlite = await measures(deps, at, async (i) => void (await store.transaction(() => store.followup.addContact(contactAt(firstCase.id, at, i)))), opts.writes, opts.rounds);
    const dbBytes = (store.db.raw.pragma('page_count', { simple: true }) as number) * 4096;
    const fanout = await overdueFanout(deps, at);
    const result: ScaleResult = { scale, generateMs, dbBytes, sqlite, fanout };
    if (opts.pg && pgLoad) {
      result.postgres = 'error' in pgLoad ? pgLoad : await postgresMeasures(base, opts.pg, cipher, pgLoad, at, firstCase.id, opts);
    }
    if (opts.lowdb) {
      // The same rows, as lowdb holds them: one JSON document written whole on every change.
      const file = join(dir, 'lowdb.json');
      const seed = new Low<LowData>(new JSONFile(file), { cases: [], contacts: [] });
      seed.data = { cases: await store.cases.list(), contacts: await store.followup.contacts() };
      await seed.write();
      await store.close();
      const tl = performance.now();
      const db = new Low<LowData>(new JSONFile(file), { cases: [], contacts: [] });
      await db.read();
      // JSON has no dates: revive them once, as an app on lowdb would have to.
      for (const c of db.data.cases) {
        c.createdAt = new Date(c.createdAt);
        c.updatedAt = new Date(c.updatedAt);
        c.closedAt = c.closedAt ? new Date(c.closedAt) : null;
      }
      const loadMs = performance.now() - tl;
      const { statSync } = await import('node:fs');
      const lowDeps: AppDeps = { ...base, store: lowStore(db) };
      // Each lowdb write rewrites the whole file (seconds at county size): a few are enough to see it.
      const lowWrites = scale.cases > 10_000 ? 3 : 20;
      const m = await measures(
        lowDeps,
        at,
        async (i) => {
          db.data.contacts.push({ ...contactAt(firstCase.id, at, i), id: db.data.contacts.length + 1 });
          await db.write();
        },
        lowWrites,
        opts.rounds,
        statsFromLists,
      );
      result.lowdb = { ...m, loadMs, fileBytes: statSync(file).size };
    } else {
      await store.close();
    }
    keep = opts.keepDir === true;
    if (keep) result.dir = dir;
    return result;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    if (opts.pg) {
      try {
        await dropTown(opts.pg.target, opts.pg.town);
      } catch (e) {
        process.stderr.write(`bench: could not drop PostgreSQL schema of town ${opts.pg.town}: ${describe(e)}\n`);
      }
    }
  }
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Users writing while the monthly jobs run on the PostgreSQL store (see pgUnderLoad). */
export interface PgLoadOptions {
  users: number;
  thinkMs: number;
  floorMs: number;
}

/**
 * The same measures on the town's PostgreSQL store, opened as the bot opens it (the pool, fenced
 * by a lease this process holds): every wait for the server's answer is a round trip, and every
 * write transaction takes the town's advisory lock and checks the lease with its first statements
 * (pipelined behind BEGIN). Then the
 * server's own floors, and, when asked, writes under load while the jobs run.
 */
async function postgresMeasures(
  base: AppDeps,
  pg: { target: PgTarget; town: string; underLoad?: PgLoadOptions },
  cipher: FieldCipher,
  load: PgLoad,
  at: Date,
  caseId: number,
  opts: { writes: number; rounds: number },
): Promise<ScaleResult['postgres']> {
  try {
    const { store, close } = await openBenchStore(pg.target, pg.town, cipher);
    try {
      // The floors just before the writes, so both meet the server in the same state.
      const floors = await pgFloors(pg.target, pg.town, opts.writes);
      const m = await measures({ ...base, store }, at, async (i) => void (await store.transaction(() => store.followup.addContact(contactAt(caseId, at, i)))), opts.writes, opts.rounds);
      const bytes = await schemaBytes(pg.target, pg.town);
      let underLoad: PgUnderLoad | { error: string } | undefined;
      if (pg.underLoad) {
        try {
          underLoad = await pgUnderLoad(base, store, at, pg.underLoad);
        } catch (e) {
          underLoad = { error: describe(e) };
        }
      }
      return { ...m, load, bytes, floors, underLoad };
    } finally {
      await close();
    }
  } catch (e) {
    return { error: describe(e) };
  }
}
