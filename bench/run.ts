import { parseArgs } from 'node:util';
import { appendResults, header, ms, stats } from './report.js';
import { qaLatency } from './qa.js';
import { helloWorldStart, startupOnce } from './startup.js';
import { responsiveness, type Responsiveness } from './responsiveness.js';
import { CLI, firstReply, timeCommand, type CommandTiming, type FirstReply } from './restart.js';
import { wecomTurns } from './wecom-turns.js';
import { turnMix, type MixResult } from './turn-mix.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTY, TOWN, countyVillages, generate, type Scale } from './datagen.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { FieldCipher } from '../src/domain/security/field-crypto.js';
import { loadavg } from 'node:os';
import { storeScale, type Measures, type ScaleResult } from './store-scale.js';
import { benchPgUrl, benchTown, probePostgres } from './postgres-target.js';
import { botRss } from './rss.js';
import { countyRss, type CountyRss } from './county-rss.js';
import type { PgUnderLoad } from './pg-load.js';
import { parseConfig } from '../src/config/load.js';
import { loadPlanFile } from '../src/domain/plan/load.js';
import { fixedClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/log.js';
import { readFileSync } from 'node:fs';
import { buildJobs } from '../schedules/jobs.js';
import type { AppDeps } from '../src/core/context.js';

/**
 * `npm run bench`: measures on this machine and appends the results to docs/benchmarks.md.
 * `--smoke` runs tiny sizes and writes nothing (the test suite uses it to keep this runnable).
 */
const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, feel: { type: 'boolean', default: false }, pg: { type: 'boolean', default: false } },
});
const smoke = values.smoke;
/**
 * `--feel`: only what a user feels (start, restart, jobs under load on a full store, commands):
 * the part worth re-running on a busy box, without the long throughput and store comparisons.
 */
const feelOnly = values.feel;
/**
 * `--pg`: only the store at scale with PostgreSQL beside SQLite (no lowdb), PostgreSQL under
 * load and the 10-town county process on PostgreSQL: the asynchronous store's measures, without
 * the rest of the bench.
 */
const pgOnly = values.pg && !feelOnly;

const lines: string[] = [header(smoke ? 'Smoke run' : feelOnly ? 'What users feel (--feel)' : pgOnly ? 'Asynchronous PostgreSQL store' : 'Foundation: Q&A and start-up')];
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
lines.push(`Load average (1, 5, 15 min) when the run began: ${load()}.`, '');

if (!feelOnly && !pgOnly) {
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

}

const n = smoke ? 1 : pgOnly ? 0 : 7;
const startRuns = async (f: () => Promise<number>) => {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await f());
  return stats(xs);
};
const floor = await startRuns(helloWorldStart);
const x = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
if (!pgOnly) {
const compiled = await startRuns(() => startupOnce(['scripts/run.mjs', 'src/main.js']));
const viaTsx = feelOnly ? undefined : await startRuns(() => startupOnce());
lines.push(
  '### Start-up to ready (target ≤ 0.6 s compiled)',
  '',
  'Spawn until the `ready` log line (console channel, fresh data dir). Compiled is what `npm start` runs (`scripts/run.mjs` → dist/, its freshness check included); tsx is `npm run dev`. The floor is a compiled hello-world `node -e` process, spawn to exit.',
  '',
  '| entry | runs | median | max | ÷ floor |',
  '| --- | --- | --- | --- | --- |',
  `| hello-world floor | ${floor.n} | ${ms(floor.median)} | ${ms(floor.max)} | 1.0× |`,
  `| compiled (npm start) | ${compiled.n} | ${ms(compiled.median)} | ${ms(compiled.max)} | ${x(compiled.median, floor.median)} |`,
  ...(viaTsx ? [`| tsx (npm run dev) | ${viaTsx.n} | ${ms(viaTsx.median)} | ${ms(viaTsx.max)} | ${x(viaTsx.median, floor.median)} |`] : []),
  '',
);
}

if (!feelOnly && !pgOnly) {

const turns = await wecomTurns(
  smoke
    ? { users: 50, rates: [20], stepSeconds: 1 }
    : { users: 3000, rates: [200, 500, 1000, 1500, 2000, 3000], stepSeconds: 10, warmup: { rate: 300, seconds: 5 } },
);
const sustained = turns.steps.filter((s) => s.achieved >= 0.97 * s.target && s.latency.p99 <= 100 && s.unanswered === 0);
lines.push(
  '### Turns through the WeCom long-connection path (targets: p99 ≤ 20 ms at 200 turns/s; ≥ 1000 turns/s before p99 passes 100 ms)',
  '',
  `A loopback WeCom server (test/channels/wecom/fake-wecom-server.ts) and the bot as its own process (compiled, as \`npm start\` runs it; SQLite, synchronous=FULL). ${turns.users} users in private chat, one message in flight each: an 8-turn registration (prefill message … 确认) then four plan questions, repeated. A turn: callback frame sent → the bot's finished stream reply on that req_id. Steps of ${smoke ? 1 : 10} s at a fixed offered rate${smoke ? '' : ', after a 5 s warm-up at 300/s'}.`,
  '',
  '| offered turns/s | answered turns/s | p50 | p99 | max | unanswered | bot CPU per turn |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...turns.steps.map((s) => `| ${s.target} | ${s.achieved.toFixed(0)} | ${ms(s.latency.median)} | ${ms(s.latency.p99)} | ${ms(s.latency.max)} | ${s.unanswered + s.starved} | ${ms(s.botCpuPerTurnMs)} |`),
  '',
  `Highest offered rate sustained with p99 ≤ 100 ms: ${sustained.length ? Math.max(...sustained.map((s) => s.target)) : 'none'} turns/s.`,
  '',
);
}

// ── Store at town and county scale, lowdb beside it, reminder fan-out, memory ──
const configPath = join(process.cwd(), 'humiao.config.example.yaml');
const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);
const plan = loadPlanFile(config.planPath);
const base = { config, plan, clock: fixedClock(new Date('2026-12-01T02:00:00Z')), log: silentLogger } as never;
const dataKey = randomBytes(32);
const tiny: Scale = { name: '冒烟（200 个案）', cases: 200, contacts: 3_000, months: 24 };
const scales = smoke ? [tiny] : [TOWN, COUNTY];
// PostgreSQL beside SQLite when a server answers; without one the bench says so and goes on.
const pg = feelOnly ? { ok: false as const, reason: '--feel' } : await probePostgres(benchPgUrl());
const results: ScaleResult[] = [];
/** The generated stores the user-facing measures run on (kept until the memory measure). */
const stores: Array<{ scale: Scale; dir: string }> = [];
for (const [i, scale] of scales.entries()) {
  if (feelOnly) {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-bench-scale-'));
    const store = await openSqliteStore(join(dir, 'humiao.db'), { cipher: new FieldCipher(dataKey) });
    const mentors = Array.from({ length: Math.max(1, Math.round(scale.cases / 50)) }, (_, k) => `m${k}`);
    await generate(store, plan, scale.cases > 10_000 ? countyVillages() : config.villages, mentors, scale, new Date('2026-12-01T02:00:00Z'));
    await store.close();
    stores.push({ scale, dir });
    continue;
  }
  results.push(
    await storeScale(base, scale, {
      lowdb: !pgOnly,
      writes: smoke ? 5 : 500,
      rounds: smoke ? 1 : pgOnly ? 3 : 5,
      dataKey,
      keepDir: !pgOnly,
      pg: pg.ok ? { target: pg.target, town: benchTown(i), underLoad: smoke ? { users: 8, thinkMs: 20, floorMs: 300 } : { users: 32, thinkMs: 100, floorMs: 3_000 } } : undefined,
    }),
  );
  if (!pgOnly) stores.push({ scale, dir: results.at(-1)!.dir! });
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
if (!feelOnly) {
const pgFailures = results.flatMap((r) => (r.postgres && 'error' in r.postgres ? [`PostgreSQL run failed at ${r.scale.name}: ${r.postgres.error}`, ''] : []));
lines.push(
  '### Store at scale, with PostgreSQL and lowdb beside SQLite (targets at county size: write p99 ≤ 2 ms, overdue scan ≤ 300 ms, quarterly report ≤ 1 s)',
  '',
  'Data generated deterministically (seed 42) through the store API, identity fields encrypted with a data key: cases registered over the period with distinct names (100 surnames, one or two of 150 given-name characters), valid ID numbers for 70 % (the rest a birth month), a distinct guardian phone each; the county\'s cases spread over 48 villages of 6 towns; one contact a month, never after the case closed, missed months clustered by mentor (15 % of mentors miss 35–75 % of months, the rest up to 6 %). SQLite with WAL and synchronous=FULL. A write is one contact in its own transaction. The overdue scan and quarterly report are the jobs\' own computations; export is `cases export --format csv`. lowdb holds the same rows in one JSON file and runs the same computations over its arrays; its ratio is lowdb ÷ SQLite.',
  '',
  pg.ok
    ? `PostgreSQL (${pg.target.server}; ${pg.target.where}, same machine): the generated SQLite file copied by migrate-store (\`store/migrate-to-postgres.ts\`: multi-row INSERTs in one transaction, then its checks) into a throwaway town schema, dropped afterwards, then VACUUM ANALYZE as autovacuum would leave it; loading is not a measure. The store runs as the bot runs it: asynchronous calls on the connection pool (\`store/postgres/pg-pool-db.ts\`), each outer write transaction taking the town's advisory lock; a transaction's statements are pipelined (sent without waiting for the answer before), but every wait for an answer pays a round trip to the server (a prepared \`SELECT 1\`: ${ms(pg.target.roundTripMs)} median here) before PostgreSQL's own work. PG ÷ SQLite is PostgreSQL's time over SQLite's.`
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
  '### Reminder fan-out: the overdue run on a real 1st of the month (2026-12-01 10:00)',
  '',
  'The overdue job computed and written to the outbox at 10:00 on the 1st. Where each message lands: a mentor who never wrote to the bot privately (here 30 % of them, chosen by a hash of the id) cannot be pushed to, so the message becomes a notice in the broadcast group, as `src/core/push-target.ts` does; every chat is then paced by the real WecomPacer (30 a minute and 1,000 an hour per chat) on its own virtual clock. "Last lands" is the minutes from the run until the last message is in its chat; its floor is WeCom\'s per-chat limit for the busiest chat. Worker CPU is the real outbox worker draining the same rows against a platform that acknowledges at once. One mentor per 50 cases.',
  '',
  '| scale | job result | compute + enqueue | outbox rows | redirected to a group | chats | busiest chat | last lands | worker CPU |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...results.map((r) => `| ${r.scale.name} | ${r.fanout.summary} | ${ms(r.fanout.computeMs)} | ${r.fanout.rows} | ${r.fanout.landing.redirected} | ${r.fanout.landing.chats} | ${r.fanout.landing.busiestChat} | ${r.fanout.landing.lastLandsMin.toFixed(1)} min | ${ms(r.fanout.drainCpuMs)} |`),
  '',
);
}

// ── PostgreSQL on the pool: a write against its floors, writes under load beside the jobs, the county process ──
if (pg.ok && !feelOnly) {
  const pgRuns = results.flatMap((r) => (r.postgres && !('error' in r.postgres) ? [{ scale: r.scale, p: r.postgres }] : []));
  const trio = (s: { median: number; p99: number; max: number }) => `${ms(s.median)} / ${ms(s.p99)} / ${ms(s.max)}`;
  lines.push(
    '### PostgreSQL: a write and its floors (target at county size: write p99 ≤ 2 ms, as on SQLite)',
    '',
    `The write is the bot's: one contact in its own transaction through the store on the pool (\`store/postgres/pg-pool-db.ts\`), the store fenced by a lease this process holds, as in a county process: BEGIN with the town's advisory write lock and the lease check, the contact's INSERT and the case's latest-day UPDATE, all sent together (the connection pipelines them: one wait for the server), then COMMIT (the second wait); one at a time (${pgRuns[0]?.p.write.n ?? 0} writes). The floors, on one connection to the same server: a prepared \`SELECT 1\`; a one-row INSERT in its own transaction (a round trip plus the commit's WAL flush); the store write's two waits with the least server work (BEGIN with a one-row INSERT, then COMMIT), the fewest any write made as a transaction can make; the same with synchronous_commit off (the round trip without waiting for the flush). The WAL flush is the difference of the two INSERT medians.`,
    '',
    '| scale | measure | p50 / p99 / max |',
    '| --- | --- | --- |',
    ...pgRuns.flatMap(({ scale, p }) => [
      `| ${scale.name} | store write (lock + lease check + INSERT + UPDATE, then commit: two round trips) | ${trio(p.write)} |`,
      `| | floor: \`SELECT 1\` round trip | ${trio(p.floors.roundTrip)} |`,
      `| | floor: one-row INSERT, autocommit (round trip + WAL flush) | ${trio(p.floors.commit)} |`,
      `| | floor: the write's two waits with the least work (BEGIN with a one-row INSERT, then COMMIT) | ${trio(p.floors.twoWaits)} |`,
      `| | floor: the same, synchronous_commit off | ${trio(p.floors.commitNoFlush)} |`,
      `| | WAL flush (difference of medians) | ${ms(Math.max(0, p.floors.commit.median - p.floors.commitNoFlush.median))} |`,
    ]),
    '',
  );
  const loaded = pgRuns.flatMap(({ scale, p }) => (p.underLoad ? [{ scale, u: p.underLoad }] : []));
  const first = loaded.find((l) => !('error' in l.u))?.u as PgUnderLoad | undefined;
  lines.push(
    '### PostgreSQL under load: users writing while a county-size job runs (target: the event loop never stalls more than 50 ms)',
    '',
    `In this one process, as the bot runs both, on the PostgreSQL store above (fenced, on the pool): ${first?.users ?? '—'} users each write one contact in its own transaction and then think 0–${2 * (first?.thinkMs ?? 0)} ms (seeded), so up to ${first?.users ?? '—'} writes are in flight; meanwhile each monthly job runs over the whole store in chunks as the scheduler runs it (\`JobRunner.tickInChunks\`, a turn of the event loop between chunks, each chunk its own transaction under the same town lock as the writes): the age review and overdue on 2026-12-01 10:00, due-soon on the 21st. \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution) records the loop's delay, and a \`PerformanceObserver\` the garbage collector's pauses; a write's time counts from when it was due (its think time over) to its commit. The first row is the same writes with no job: the floor on this box at this moment. The contacts are dated years back, so the jobs' results are the generated data's.`,
    '',
    '| scale | job | result | wall time | loop delay p50 / p99 / max | longest GC pause (GC total) | write p50 / p99 / max | writes/s | failed writes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...loaded.flatMap(({ scale, u }) =>
      'error' in u
        ? [`| ${scale.name} | failed: ${u.error} | | | | | | | |`]
        : u.windows.map((w, i) => `| ${i === 0 ? scale.name : ''} | ${w.name} | ${w.summary} | ${ms(w.wallMs)} | ${ms(w.loopDelay.p50)} / ${ms(w.loopDelay.p99)} / ${ms(w.loopDelay.max)} | ${ms(w.gc.maxMs)} (${ms(w.gc.totalMs)}) | ${trio(w.writes)} | ${w.rate.toFixed(0)} | ${w.failed} |`),
    ),
    '',
  );
  const townScale: Scale = smoke ? tiny : { name: '每镇 10,000 个案，12 万次走访', cases: 10_000, contacts: 120_000, months: 28 };
  const before = load();
  let county: CountyRss | { error: string };
  try {
    county = await countyRss({
      target: pg.target,
      plan,
      villages: config.villages,
      configPath,
      dataKey,
      towns: smoke ? 2 : 10,
      scale: townScale,
      at: new Date('2026-12-01T02:00:00Z'),
      settleMs: smoke ? 500 : 3_000,
      jobsPerTown: buildJobs({ config } as AppDeps).length,
      timeoutMs: smoke ? 60_000 : 600_000,
      reachable: [...config.groups.map((g) => g.chatid), ...config.members.map((m) => m.userid)],
    });
  } catch (e) {
    county = { error: e instanceof Error ? e.message : String(e) };
  }
  lines.push(
    '### Memory of a county process on PostgreSQL (target ≤ 300 MB RSS for 10 towns)',
    '',
    `The county process as deployed: \`npm start\` (compiled) with HUMIAO_COUNTY_CONFIG listing the towns and DATABASE_URL, one loopback WeCom server per town's bot (which knows the town's groups, members and mentors as having written to the bot before, so its pushes are delivered), every town on the one pool-backed store code (a pool of at most 4 connections per town, one lease pool). Each town holds the same generated data (${townScale.name}, seed 42, encrypted), copied by migrate-store into a schema of its own and marked installed long ago; the clock is 2026-12-01 10:00, so each town's start-up catch-up runs every job's latest period over its data (a job whose period is past its staleness limit is recorded as skipped). RSS from /proc at \`ready\` (logged once every town holds its lease and its bot is connected) and ${smoke ? 0.5 : 3} s after the last town's catch-up had logged a run for each of the town's jobs; the peak is the kernel's VmHWM. Schemas, leases and audit heads are removed afterwards. Load average ${before} → ${load()}.`,
    '',
    '| towns | cases per town | ready after | RSS at ready | catch-up after ready (runs logged) | RSS after catch-up | peak RSS | errors logged |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    'error' in county
      ? `| ${smoke ? 2 : 10} | ${townScale.cases} | failed: ${county.error} | | | | | |`
      : `| ${county.towns} | ${county.casesPerTown} | ${ms(county.readyMs)} | ${county.rssAtReadyMb.toFixed(0)} MB | ${county.catchUpDone ? ms(county.catchUpMs) : `not finished after ${ms(county.catchUpMs)}`} (${county.jobRuns.done} done, ${county.jobRuns.skipped} skipped) | ${county.rssAfterMb.toFixed(0)} MB | ${county.peakMb.toFixed(0)} MB | ${county.errors.length}${county.errors.length ? ` (${county.errors[0]!.replaceAll('|', '/').slice(0, 120)})` : ''} |`,
    '',
  );
}

if (!pgOnly) {
// ── What users feel on the full store: per-mentor reads, county-size jobs under load, restarts, commands ──
const feel: Array<{ scale: Scale; resp: Responsiveness; priv: FirstReply; grp: FirstReply; exp?: CommandTiming; mix: MixResult; load: string }> = [];
const leadUnits = [...new Set(plan.categories.flatMap((c) => c.leadUnits))];
const botEnv = (dir: string) => ({ HUMIAO_DATA_DIR: dir, HUMIAO_CONFIG: configPath, HUMIAO_DATA_KEY: dataKey.toString('base64'), HUMIAO_CLOCK: '2026-12-01T02:00:00Z' });
for (const { scale, dir } of stores) {
  const before = load();
  const resp = await responsiveness(base, dir, dataKey, Math.max(1, Math.round(scale.cases / 50)), new Date('2026-12-01T02:00:00Z'));
  const priv = await firstReply(botEnv(dir));
  const grp = await firstReply(botEnv(dir), config.groups[0]!.chatid);
  const exp = feelOnly ? undefined : timeCommand([...CLI, 'cases', 'export', '--format', 'csv'], botEnv(dir), 1);
  const mentors = Math.max(1, Math.round(scale.cases / 50));
  const mix = await turnMix({ dataDir: dir, env: botEnv(dir), mentors, users: Math.min(mentors, smoke ? 4 : 200), rate: smoke ? 10 : 50, seconds: smoke ? 2 : 20, units: leadUnits });
  feel.push({ scale, resp, priv, grp, exp, mix, load: `${before} → ${load()}` });
}
// A command opens the store (it audits), so it gets a data folder of its own: the checkout's
// default ./data may be a real one, or one an older schema numbering left behind.
const cliDir = mkdtempSync(join(tmpdir(), 'humiao-bench-cli-'));
const cliEnv = { HUMIAO_DATA_DIR: cliDir };
const cliRuns = timeCommand([...CLI, 'plan', 'show'], cliEnv, smoke ? 1 : 5);
const cliTsx = feelOnly ? undefined : timeCommand(['--import', 'tsx', 'src/cli/index.ts', 'plan', 'show'], cliEnv, smoke ? 1 : 3);
rmSync(cliDir, { recursive: true, force: true });
lines.push(
  '### What a user feels on a full store (targets: 「我的个案」 ≤ 20 ms at 100k cases; event-loop p99 ≤ 50 ms and another user\'s wait ≤ 50 ms during a county-size job; first reply ≤ 300 ms after a restart)',
  '',
  'In process on the generated store (encrypted, SQLite, synchronous=FULL), through the router with the inbound claim committed: 「我的个案」 for 200 random mentors (one per 50 cases, each a configured member), 「逾期」 by the admin (the whole list) and by a lead-unit member. Every reply is checked for its expected opening. Restart: the compiled bot spawned on the same data dir on 2026-12-01 10:00 (its catch-up still to do), one question typed the moment it logs `ready`, in a private chat and then in a group (whose reply passes the group filter).',
  '',
  '| scale | load average during | 我的个案 p50 / p99 (rows) | 逾期 admin / unit (median) | wrong replies | restart: ready, first reply (private / group) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...feel.map(({ scale, resp: q, priv, grp, load: l }) =>
    `| ${scale.name} | ${l} | ${ms(q.myCases.median)} / ${ms(q.myCases.p99)} (${q.myCasesRows}) | ${ms(q.overdueAdmin.median)} / ${ms(q.overdueUnit.median)} | ${q.wrongReplies} | ${ms(priv.readyMs)}; ${ms(priv.firstReplyMs)}${priv.replyOk ? '' : ' (wrong)'} / ${ms(grp.firstReplyMs)}${grp.replyOk ? '' : ' (wrong)'} |`,
  ),
  '',
  'Each monthly job over the whole store, run in chunks as the scheduler runs it (overdue and age review on 2026-12-01 10:00, due-soon on the 20th), while another user sends 「我的个案」 10 ms after each reply; `perf_hooks.monitorEventLoopDelay` (1 ms resolution) records the loop\'s delay meanwhile, and each reply\'s wait counts from when its message was due (a timer firing late behind a chunk counts). The first row is the same load with no job: the floor on this box at this moment.',
  '',
  '| scale | job | result | wall time | loop delay p50 / p99 / max | other user\'s wait p50 / p99 / max |',
  '| --- | --- | --- | --- | --- | --- |',
  ...feel.flatMap(({ scale, resp: q }) =>
    q.jobs.map((j, i) => `| ${i === 0 ? scale.name : ''} | ${j.name} | ${j.summary} | ${ms(j.wallMs)} | ${ms(j.loopDelay.p50)} / ${ms(j.loopDelay.p99)} / ${ms(j.loopDelay.max)} | ${ms(j.interactive.median)} / ${ms(j.interactive.p99)} / ${ms(j.interactive.max)} |`),
  ),
  '',
  '### A randomised mix of turns on the full store, with group chats',
  '',
  'The compiled bot on the generated store through the loopback WeCom server, started on 2026-12-01 10:00 so its catch-up (the 1st\'s jobs) runs meanwhile. Each user is a mentor with cases on file and picks a task at random, one message in flight: a plan question in private (35 %) or in the group (25 %), 「我的个案」 (20 %), 帮助 in the group (5 %), or a whole 8-turn registration (15 %). Every reply is checked: questions against the expected phrases of test/fixtures/qa.yaml, the rest by their opening (a registration at its 确认), and every group reply for an unmasked ID or mobile number.',
  '',
  '| scale | users | offered turns/s | answered | by kind: p50 / p99 | all: p50 / p99 / max | wrong | unanswered | bot CPU per turn | bot errors |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...feel.map(({ scale, mix: m }) =>
    `| ${scale.name} | ${m.users} | ${smoke ? 10 : 50} | ${m.turns} in ${m.seconds} s | ${m.byKind.map((k) => `${k.kind} ${ms(k.latency.median)} / ${ms(k.latency.p99)}`).join('; ')} | ${ms(m.all.median)} / ${ms(m.all.p99)} / ${ms(m.all.max)} | ${m.wrong}${m.wrongSamples.length ? ` (${m.wrongSamples.join('; ')})` : ''} | ${m.unanswered} | ${ms(m.botCpuPerTurnMs)} | ${m.botErrors.length}${m.botErrors.length ? ` (${m.botErrors[0]})` : ''} |`,
  ),
  '',
  '### Commands as an operator runs them (targets: a CLI command ≤ 0.4 s; export ≤ 150 MB RSS at county size)',
  '',
  'Spawned as `npm run humiao` runs them (compiled), output to /dev/null; wall time from spawn to exit and peak RSS (GNU time). The floor is the hello-world start above.',
  '',
  '| command | runs | median | max | ÷ floor | peak RSS |',
  '| --- | --- | --- | --- | --- | --- |',
  `| plan show (compiled) | ${cliRuns.wall.n} | ${ms(cliRuns.wall.median)} | ${ms(cliRuns.wall.max)} | ${x(cliRuns.wall.median, floor.median)} | ${cliRuns.peakMb.toFixed(0)} MB |`,
  ...(cliTsx ? [`| plan show (tsx) | ${cliTsx.wall.n} | ${ms(cliTsx.wall.median)} | ${ms(cliTsx.wall.max)} | ${x(cliTsx.wall.median, floor.median)} | ${cliTsx.peakMb.toFixed(0)} MB |`] : []),
  ...feel.flatMap(({ scale, exp }) => (exp ? [`| cases export --format csv, ${scale.name} | 1 | ${ms(exp.wall.median)} | ${ms(exp.wall.max)} | | ${exp.peakMb.toFixed(0)} MB |`] : [])),
  '',
);

const idleDir = mkdtempSync(join(tmpdir(), 'humiao-bench-idle-'));
const rss = [{ name: '空库（idle）', r: await botRss({ HUMIAO_DATA_DIR: idleDir, HUMIAO_CONFIG: configPath, HUMIAO_DATA_KEY: dataKey.toString('base64') }, smoke ? 500 : 3_000) }];
rmSync(idleDir, { recursive: true, force: true });
for (const { scale, dir } of stores) {
  rss.push({ name: scale.name, r: await botRss({ HUMIAO_DATA_DIR: dir, HUMIAO_CONFIG: configPath, HUMIAO_DATA_KEY: dataKey.toString('base64') }, smoke ? 500 : 5_000) });
  rmSync(dir, { recursive: true, force: true });
}
lines.push(
  '### Memory of the bot process (target ≤ 200 MB at county size)',
  '',
  'The compiled bot (`npm start`, console channel) on the data dir; after start-up the scheduler catches up the month\'s jobs, which on a large database is its heaviest routine work. RSS read from /proc a few seconds after ready.',
  '',
  '| data | ready after | RSS | peak RSS |',
  '| --- | --- | --- | --- |',
  ...rss.map(({ name, r }) => `| ${name} | ${ms(r.readyMs)} | ${r.rssMb.toFixed(0)} MB | ${r.peakMb.toFixed(0)} MB |`),
  '',
);

}

lines.push(`Load average when the run ended: ${load()}.`, '');
const out = lines.join('\n');
process.stdout.write(`${out}\n`);
if (!smoke) appendResults(out);
