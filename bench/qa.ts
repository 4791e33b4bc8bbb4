import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadPlanFile } from '../src/domain/plan/load.js';
import { QaEngine } from '../src/domain/qa/answer.js';
import { bundledPlanPath } from '../src/config/load.js';
import { stats, type Stats } from './report.js';

/** Latency of answering each evaluation question, after one warm-up pass. */
export function qaLatency(rounds: number): { perQuestion: Array<{ q: string; s: Stats }>; all: Stats; buildMs: number } {
  const plan = loadPlanFile(bundledPlanPath);
  const t0 = performance.now();
  const engine = new QaEngine(plan);
  const buildMs = performance.now() - t0;
  const questions = (parse(readFileSync('test/fixtures/qa.yaml', 'utf8')) as Array<{ q: string }>).map((x) => x.q);
  for (const q of questions) engine.answer(q);
  const all: number[] = [];
  const perQuestion = questions.map((q) => {
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      engine.answer(q);
      samples.push(performance.now() - t);
    }
    all.push(...samples);
    return { q, s: stats(samples) };
  });
  return { perQuestion, all: stats(all), buildMs };
}
