import { parseArgs } from 'node:util';
import { appendResults, header, ms, stats } from './report.js';
import { qaLatency } from './qa.js';
import { startupOnce } from './startup.js';
import { wecomTurns } from './wecom-turns.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTY, TOWN, type Scale } from './datagen.js';
import { storeScale, type Measures, type ScaleResult } from './store-scale.js';
import { benchPgUrl, benchTown, probePostgres } from './postgres-target.js';
import { botRss } from './rss.js';
import { parseConfig } from '../src/config/load.js';
import { loadPlanFile } from '../src/domain/plan/load.js';
import { fixedClock } from '../src/core/clock.js';
import { silentLogger } from '../src/log.js';
import { readFileSync } from 'node:fs';

/**
 * `npm run bench`: measures on this machine and appends the results to docs/benchmarks.md.
 * `--smoke` runs tiny sizes and writes nothing (the test suite uses it to keep this runnable).
 */
const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } });
const smoke = values.smoke;

const lines: string[] = [header(smoke ? 'Smoke run' : 'Foundation: Q&A and start-up')];

const qa = qaLatency(smoke ? 3 : 200);
const slowest = [...qa.perQuestion].sort((a, b) => b.s.median - a.s.median).slice(0, 5);
lines.push(
  '### Q&A latency per question (target: median ≤ 1 ms)',
  '',
  `${qa.perQuestion.length} questions from test/fixtures/qa.yaml × ${smoke ? 3 : 200} rounds; engine built once in ${ms(qa.buildMs)}.`,
  '',
  '| measure | median | p99 | max |',
  '| --- | --- | --- | --- |',
  `| all questions | ${ms(qa.all.median)} | ${ms(qa.all.p99)} | ${ms(qa.all.max)} |`,
  ...slowest.map((x) => `| slowest: ${x.q} | ${ms(x.s.median)} | ${ms(x.s.p99)} | ${ms(x.s.max)} |`),
  '',
);

const runs: number[] = [];
for (let i = 0; i < (smoke ? 1 : 7); i++) runs.push(await startupOnce());
const st = stats(runs);
lines.push(
  '### Start-up to ready (target ≤ 1.5 s)',
  '',
  'Spawn of `node --import tsx src/main.ts` (console channel, fresh data dir) until its `ready` log line.',
  '',
  `| runs | median | max |`,
  `| --- | --- | --- |`,
  `| ${st.n} | ${ms(st.median)} | ${ms(st.max)} |`,
  '',
);

const turns = await wecomTurns(
  smoke
    ? { users: 50, rates: [20], stepSeconds: 1 }
    : { users: 3000, rates: [200, 500, 1000, 1500, 2000, 3000], stepSeconds: 10, warmup: { rate: 300, seconds: 5 } },
);
const sustained = turns.steps.filter((s) => s.achieved >= 0.97 * s.target && s.latency.p99 <= 100 && s.unanswered === 0);
lines.push(
  '### Turns through the WeCom long-connection path (targets: p99 ≤ 20 ms at 200 turns/s; ≥ 1000 turns/s before p99 passes 100 ms)',
  '',
  `A loopback WeCom server (test/channels/wecom/fake-wecom-server.ts) and the bot as its own process (\`node --import tsx src/main.ts\`, SQLite, synchronous=FULL). ${turns.users} users in private chat, one message in flight each: an 8-turn registration (prefill message … 确认) then four plan questions, repeated. A turn: callback frame sent → the bot's finished stream reply on that req_id. Steps of ${smoke ? 1 : 10} s at a fixed offered rate${smoke ? '' : ', after a 5 s warm-up at 300/s'}.`,
  '',
  '| offered turns/s | answered turns/s | p50 | p99 | max | unanswered |',
  '| --- | --- | --- | --- | --- | --- |',
  ...turns.steps.map((s) => `| ${s.target} | ${s.achieved.toFixed(0)} | ${ms(s.latency.median)} | ${ms(s.latency.p99)} | ${ms(s.latency.max)} | ${s.unanswered + s.starved} |`),
  '',
  `Highest offered rate sustained with p99 ≤ 100 ms: ${sustained.length ? Math.max(...sustained.map((s) => s.target)) : 'none'} turns/s.`,
  '',
);

// ── Store at town and county scale, lowdb beside it, reminder fan-out, memory ──
const configPath = join(process.cwd(), 'humiao.config.example.yaml');
const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);
const base = { config, plan: loadPlanFile(config.planPath), clock: fixedClock(new Date('2026-11-29T02:00:00Z')), log: silentLogger } as never;
const dataKey = randomBytes(32);
const tiny: Scale = { name: '冒烟（200 个案）', cases: 200, contacts: 3_000, months: 24 };
const scales = smoke ? [tiny] : [TOWN, COUNTY];
// PostgreSQL beside SQLite when a server answers; without one the bench says so and goes on.
const pg = probePostgres(benchPgUrl());
const results: ScaleResult[] = [];
for (const [i, scale] of scales.entries()) {
  results.push(
    await storeScale(base, scale, {
      lowdb: true,
      writes: smoke ? 5 : 500,
      rounds: smoke ? 1 : 5,
      dataKey,
      keepDir: true,
      pg: pg.ok ? { target: pg.target, town: benchTown(i) } : undefined,
    }),
  );
}
const ratio = (a: number | undefined, b: number) => (a === undefined ? '—' : `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×`);
const pgOf = (r: ScaleResult): Measures | undefined => (r.postgres && !('error' in r.postgres) ? r.postgres : undefined);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const secs = (x: number) => `${(x / 1000).toFixed(1)} s`;
const measureRow = (r: ScaleResult, label: string, show: (m: Measures) => string, key: (m: Measures) => number, first = false) => {
  const p = pgOf(r);
  const pgCells = pg.ok ? [p ? show(p) : 'failed', p ? ratio(key(p), key(r.sqlite)) : '—'] : [];
  const lowCells = [r.lowdb ? show(r.lowdb) : '—', ratio(r.lowdb && key(r.lowdb), key(r.sqlite))];
  return `|${first ? ` ${r.scale.name} ` : ' '}| ${label} | ${show(r.sqlite)} | ${[...pgCells, ...lowCells].join(' | ')} |`;
};
const sizeRow = (r: ScaleResult) => {
  const p = r.postgres && !('error' in r.postgres) ? r.postgres : undefined;
  const pgCells = pg.ok ? [p ? `${mib(p.bytes)}, loaded in ${secs(p.load.copyMs)} + VACUUM ANALYZE ${secs(p.load.vacuumMs)}` : '—', ''] : [];
  return `| | data on disk / load | ${mib(r.dbBytes)} | ${[...pgCells, r.lowdb ? `${mib(r.lowdb.fileBytes)}, loaded in ${ms(r.lowdb.loadMs)}` : '—', ''].join(' | ')} |`;
};
const pgFailures = results.flatMap((r) => (r.postgres && 'error' in r.postgres ? [`PostgreSQL run failed at ${r.scale.name}: ${r.postgres.error}`, ''] : []));
lines.push(
  '### Store at scale, with PostgreSQL and lowdb beside SQLite (targets at county size: write p99 ≤ 2 ms, overdue scan ≤ 300 ms, quarterly report ≤ 1 s)',
  '',
  'Data generated deterministically (seed 42) through the store API, identity fields encrypted with a data key: cases registered over the period, one contact a month each with about one month in twelve missed. SQLite with WAL and synchronous=FULL. A write is one contact in its own transaction. The overdue scan and quarterly report are the jobs\' own computations; export is `cases export --format csv`. lowdb holds the same rows in one JSON file and runs the same computations over its arrays; its ratio is lowdb ÷ SQLite.',
  '',
  pg.ok
    ? `PostgreSQL (${pg.target.server}; ${pg.target.where}, same machine): the generated SQLite file copied by migrate-store (\`store/migrate-to-postgres.ts\`: multi-row INSERTs in one transaction, then its checks) into a throwaway town schema, dropped afterwards, then VACUUM ANALYZE as autovacuum would leave it; loading is not a measure. The store runs as the bot runs it: synchronous calls through the worker bridge (\`store/postgres/sync-client.ts\`), one connection, so every statement pays a round trip to the worker thread and the server (a prepared \`SELECT 1\`: ${ms(pg.target.roundTripMs)} median here) before PostgreSQL's own work. PG ÷ SQLite is PostgreSQL's time over SQLite's.`
    : `PostgreSQL not measured: ${pg.reason}. Set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to include it.`,
  '',
  `| scale | measure | SQLite | ${pg.ok ? 'PostgreSQL | PG ÷ SQLite | ' : ''}lowdb | lowdb ÷ SQLite |`,
  `| --- | --- | --- | ${pg.ok ? '--- | --- | ' : ''}--- | --- |`,
  ...results.flatMap((r) => [
    measureRow(r, 'write p50 / p99', (m) => `${ms(m.write.median)} / ${ms(m.write.p99)}`, (m) => m.write.p99, true),
    measureRow(r, 'overdue scan', (m) => ms(m.overdueScan), (m) => m.overdueScan),
    measureRow(r, 'quarterly report', (m) => ms(m.quarterly), (m) => m.quarterly),
    measureRow(r, 'export (CSV)', (m) => ms(m.export), (m) => m.export),
    sizeRow(r),
  ]),
  '',
  ...pgFailures,
  '### Reminder fan-out: the overdue run (1st of the month)',
  '',
  'The overdue job computed and written to the outbox, then drained by the real outbox worker and WeCom pacer (30 messages a minute per chat) against a platform that acknowledges at once, on a virtual clock. One mentor per 50 cases.',
  '',
  '| scale | job result | compute + enqueue | outbox rows | frames | chats | drain time at WeCom limits | worker CPU |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.map((r) => `| ${r.scale.name} | ${r.fanout.summary} | ${ms(r.fanout.computeMs)} | ${r.fanout.rows} | ${r.fanout.frames} | ${r.fanout.chats} | ${(r.fanout.drainVirtualMs / 60_000).toFixed(1)} min | ${ms(r.fanout.drainCpuMs)} |`),
  '',
);

const idleDir = mkdtempSync(join(tmpdir(), 'humiao-bench-idle-'));
const rss = [{ name: '空库（idle）', r: await botRss({ HUMIAO_DATA_DIR: idleDir, HUMIAO_CONFIG: configPath, HUMIAO_DATA_KEY: dataKey.toString('base64') }, smoke ? 500 : 3_000) }];
rmSync(idleDir, { recursive: true, force: true });
for (const r of results) {
  rss.push({ name: r.scale.name, r: await botRss({ HUMIAO_DATA_DIR: r.dir!, HUMIAO_CONFIG: configPath, HUMIAO_DATA_KEY: dataKey.toString('base64') }, smoke ? 500 : 5_000) });
  rmSync(r.dir!, { recursive: true, force: true });
}
lines.push(
  '### Memory of the bot process (target ≤ 200 MB at county size)',
  '',
  '`node --import tsx src/main.ts` (console channel) on the data dir; at start-up the scheduler catches up the month\'s jobs, which on a large database is its heaviest routine work. RSS read from /proc a few seconds after ready.',
  '',
  '| data | ready after | RSS | peak RSS |',
  '| --- | --- | --- | --- |',
  ...rss.map(({ name, r }) => `| ${name} | ${ms(r.readyMs)} | ${r.rssMb.toFixed(0)} MB | ${r.peakMb.toFixed(0)} MB |`),
  '',
);

const out = lines.join('\n');
process.stdout.write(`${out}\n`);
if (!smoke) appendResults(out);
