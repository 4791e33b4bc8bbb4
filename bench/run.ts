import { parseArgs } from 'node:util';
import { appendResults, header, ms, stats } from './report.js';
import { qaLatency } from './qa.js';
import { startupOnce } from './startup.js';

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
  'Spawn of `tsx src/main.ts` (console channel, fresh data dir) until its `ready` log line.',
  '',
  `| runs | median | max |`,
  `| --- | --- | --- |`,
  `| ${st.n} | ${ms(st.median)} | ${ms(st.max)} |`,
  '',
);

const out = lines.join('\n');
process.stdout.write(`${out}\n`);
if (!smoke) appendResults(out);
