import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { bundledPlanPath } from '../src/config/load.js';
import { parsePlan } from '../src/domain/plan/parse.js';
import { qaEngineFor, attachPlanText } from '../src/domain/qa/answer.js';
import { NO_RULE } from '../src/domain/qa/compose.js';

/**
 * Scores the Q&A against eval/corpus/qa.yaml, written by someone who never read the code. Each
 * item goes through the same path handlers/qa.ts uses (the bundled plan, its text for the
 * header, `answerQuestion`). The corpus is read, never changed.
 */

interface Item {
  id: string;
  persona: string;
  class: string;
  q: string;
  expect: { categories: string[]; units: string[]; phrases: string[]; none: boolean; ruledOut: boolean };
}

export interface QaEvalResult {
  lines: string[];
  byClass: Record<string, { pass: number; total: number }>;
  overall: number;
  situations: number;
  failures: Array<{ id: string; q: string; why: string; answer: string }>;
}

const CORPUS = new URL('./corpus/qa.yaml', import.meta.url);

export function evalQa(): QaEvalResult {
  const text = readFileSync(bundledPlanPath, 'utf8');
  const plan = parsePlan(text);
  attachPlanText(plan, text);
  const engine = qaEngineFor(plan);
  const items = parseYaml(readFileSync(CORPUS, 'utf8')) as Item[];

  const byClass: Record<string, { pass: number; total: number }> = {};
  const failures: QaEvalResult['failures'] = [];
  const times: number[] = [];
  let pass = 0;
  for (const it of items) {
    const t0 = performance.now();
    const a = engine.answer(it.q);
    times.push(performance.now() - t0);
    const why: string[] = [];
    const e = it.expect;
    const missingUnits = e.units.filter((u) => !a.text.includes(u));
    if (missingUnits.length) why.push(`缺少单位 ${missingUnits.join('、')}`);
    const missingPhrases = e.phrases.filter((p) => !a.text.includes(p));
    if (missingPhrases.length) why.push(`缺少原文 ${missingPhrases.join('、')}`);
    const saysNone = a.text.includes(NO_RULE);
    if (saysNone !== e.none) why.push(e.none ? `应答「${NO_RULE}」` : `不应答「${NO_RULE}」`);
    if (it.class === 'situation') {
      const got = a.situation?.fits.map((f) => f.name) ?? [];
      const want = e.categories;
      const same = got.length === want.length && want.every((c) => got.includes(c));
      if (!a.situation) why.push('没有按情形归类');
      else if (!same) why.push(`归类 [${got.join('、')}]，应为 [${want.join('、')}]`);
      const unnamed = want.filter((c) => !a.text.includes(c));
      if (unnamed.length) why.push(`回答没有写出 ${unnamed.join('、')}`);
      const ruledOut = a.situation !== undefined && a.situation.fits.length === 0;
      if (ruledOut !== e.ruledOut) why.push(e.ruledOut ? '应说明不属于任何一类' : '不应说不属于任何一类');
    }
    const c = (byClass[it.class] ??= { pass: 0, total: 0 });
    c.total++;
    if (why.length === 0) {
      c.pass++;
      pass++;
    } else failures.push({ id: it.id, q: it.q, why: why.join('；'), answer: a.text });
  }

  const overall = pass / items.length;
  const sit = byClass['situation'] ?? { pass: 0, total: 0 };
  const situations = sit.total > 0 ? sit.pass / sit.total : 1;
  const sorted = [...times].sort((x, y) => x - y);
  const lines = [`Q&A 语料 ${items.length} 条（eval/corpus/qa.yaml）`];
  for (const [k, v] of Object.entries(byClass)) lines.push(`  ${k.padEnd(14)} ${v.pass}/${v.total}  ${((v.pass / v.total) * 100).toFixed(1)}%`);
  lines.push(`  总体 ${pass}/${items.length}  ${(overall * 100).toFixed(1)}%；情形归类 ${sit.pass}/${sit.total}  ${(situations * 100).toFixed(1)}%`);
  // A second pass, warm, is what a running bot sees; the first includes building the engine.
  const warm: number[] = [];
  for (const it of items) {
    const t0 = performance.now();
    engine.answer(it.q);
    warm.push(performance.now() - t0);
  }
  warm.sort((x, y) => x - y);
  const wp = (p: number) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))] ?? 0;
  lines.push(`  耗时（每题，第二轮）：中位 ${wp(0.5).toFixed(3)} ms，p99 ${wp(0.99).toFixed(3)} ms，最慢 ${(warm.at(-1) ?? 0).toFixed(3)} ms；首轮最慢 ${(sorted.at(-1) ?? 0).toFixed(1)} ms（含建索引）`);
  return { lines, byClass, overall, situations, failures };
}
