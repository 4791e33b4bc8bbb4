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
import { storeScale, type ScaleResult } from './store-scale.js';
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
const results: ScaleResult[] = [];
for (const scale of scales) {
  results.push(await storeScale(base, scale, { lowdb: true, writes: smoke ? 5 : 500, rounds: smoke ? 1 : 5, dataKey, keepDir: true }));
}
const ratio = (a: number | undefined, b: number) => (a === undefined ? '—' : `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×`);
lines.push(
  '### Store at scale, with lowdb beside it (targets at county size: write p99 ≤ 2 ms, overdue scan ≤ 300 ms, quarterly report ≤ 1 s)',
  '',
  'Data generated deterministically (seed 42) through the store API, identity fields encrypted with a data key: cases registered over the period, one contact a month each with about one month in twelve missed. SQLite with WAL and synchronous=FULL. A write is one contact in its own transaction. The overdue scan and quarterly report are the jobs\' own computations; export is `cases export --format csv`. lowdb holds the same rows in one JSON file and runs the same computations over its arrays; its ratio is lowdb ÷ SQLite.',
  '',
  '| scale | measure | SQLite | lowdb | lowdb ÷ SQLite |',
  '| --- | --- | --- | --- | --- |',
  ...results.flatMap((r) => [
    `| ${r.scale.name} | write p50 / p99 | ${ms(r.sqlite.write.median)} / ${ms(r.sqlite.write.p99)} | ${r.lowdb ? `${ms(r.lowdb.write.median)} / ${ms(r.lowdb.write.p99)}` : '—'} | ${ratio(r.lowdb?.write.p99, r.sqlite.write.p99)} |`,
    `| | overdue scan | ${ms(r.sqlite.overdueScan)} | ${r.lowdb ? ms(r.lowdb.overdueScan) : '—'} | ${ratio(r.lowdb?.overdueScan, r.sqlite.overdueScan)} |`,
    `| | quarterly report | ${ms(r.sqlite.quarterly)} | ${r.lowdb ? ms(r.lowdb.quarterly) : '—'} | ${ratio(r.lowdb?.quarterly, r.sqlite.quarterly)} |`,
    `| | export (CSV) | ${ms(r.sqlite.export)} | ${r.lowdb ? ms(r.lowdb.export) : '—'} | ${ratio(r.lowdb?.export, r.sqlite.export)} |`,
    `| | data on disk / lowdb load | ${(r.dbBytes / 2 ** 20).toFixed(0)} MiB | ${r.lowdb ? `${(r.lowdb.fileBytes / 2 ** 20).toFixed(0)} MiB, loaded in ${ms(r.lowdb.loadMs)}` : '—'} | |`,
  ]),
  '',
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
