import { parseArgs } from 'node:util';
import { appendResults, header, ms, stats } from './report.js';
import { qaLatency } from './qa.js';
import { startupOnce } from './startup.js';
import { wecomTurns } from './wecom-turns.js';

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

const out = lines.join('\n');
process.stdout.write(`${out}\n`);
if (!smoke) appendResults(out);
