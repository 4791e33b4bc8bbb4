import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { answerQuestion } from '../../../src/domain/qa/answer.js';

interface Case {
  q: string;
  expect: string[];
  notExpect?: string[];
}

const plan = loadPlanFile(new URL('../../../plans/dunji-2023.txt', import.meta.url).pathname);
const cases = parseYaml(readFileSync(new URL('../../fixtures/qa.yaml', import.meta.url), 'utf8')) as Case[];

/** Why a case fails, or undefined when it passes. */
function judge(c: Case, answer: string): string | undefined {
  const missing = c.expect.filter((p) => !answer.includes(p));
  const unwanted = (c.notExpect ?? []).filter((p) => answer.includes(p));
  if (missing.length === 0 && unwanted.length === 0) return undefined;
  return [missing.length ? `缺少 ${missing.join('、')}` : '', unwanted.length ? `不应出现 ${unwanted.join('、')}` : '']
    .filter(Boolean)
    .join('；');
}

describe('Q&A evaluation set (test/fixtures/qa.yaml)', () => {
  it('has at least 70 questions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(70);
  });

  it('passes at least 95% and every answer cites a clause or says the plan is silent', () => {
    const failures: string[] = [];
    let passed = 0;
    for (const c of cases) {
      const a = answerQuestion(plan, c.q);
      const why = judge(c, a.text);
      if (why) failures.push(`✗ ${c.q}\n    ${why}\n    回答：${a.text.replace(/\n/g, ' ⏎ ').slice(0, 300)}`);
      else passed++;
      expect(a.text.includes('依据：') || a.text.includes('实施方案中没有相关规定') || a.intent === 'greeting').toBe(true);
    }
    const rate = passed / cases.length;
    console.log(`Q&A eval: ${passed}/${cases.length} passed (${(rate * 100).toFixed(1)}%)`);
    if (failures.length > 0) console.log(failures.join('\n'));
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });
});
