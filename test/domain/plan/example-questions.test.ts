import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultAliases } from '../../../src/domain/plan/aliases.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { answerQuestion } from '../../../src/domain/qa/answer.js';
import { NO_RULE } from '../../../src/domain/qa/compose.js';
import { EXAMPLES, loadExample } from '../../helpers/example-plans.js';

/**
 * Each example plan's own questions, through the function the Q&A handler calls. An answer names
 * the expected units (or a short form the expect file lists) and phrases; where the plan says
 * nothing it says 「实施方案中没有相关规定」; and it never names a unit the plan does not have.
 */

const flat = (s: string) => s.replace(/[\s\u3000]+/g, '');
const dunji = parsePlan(readFileSync(new URL('../../../plans/dunji-2023.txt', import.meta.url), 'utf8'));
const loaded = Object.fromEntries(EXAMPLES.map((n) => [n, loadExample(n)]));
/** Every unit some other plan (or the alias table) has: none may appear in an answer from a plan without it. */
const elsewhere = [
  ...new Set([
    ...dunji.units,
    ...defaultAliases().data.units.map((u) => u.name),
    ...EXAMPLES.flatMap((n) => loaded[n]!.plan.units),
  ]),
];

/** Questions whose answers are not right yet; listed so a fix shows up as a passing 「fails」 test. */
export const KNOWN_WRONG: Record<string, readonly string[]> = {
  'jiedao-plan': [],
  'county-plan': [],
  'messy-plan': [],
};

for (const name of EXAMPLES) {
  const { plan, expected } = loaded[name]!;
  const foreign = elsewhere.filter((u) => !plan.units.some((own) => own.includes(u)));
  describe(`${name}: its questions answered from its own matrix`, () => {
    for (const { q, expect: e } of expected.questions) {
      const test = KNOWN_WRONG[name]!.includes(q) ? it.fails : it;
      test(q, () => {
        const a = answerQuestion(plan, q);
        const text = flat(a.text);
        for (const u of foreign) expect(text, `${q} names ${u}`).not.toContain(u);
        for (const u of e.notUnits ?? []) expect(text, `${q} names ${u}`).not.toContain(u);
        if (e.none) {
          expect(a.text, q).toContain(NO_RULE);
          return;
        }
        expect(a.text.startsWith(NO_RULE), `${q}\n${a.text}`).toBe(false);
        for (const u of e.units ?? []) {
          const forms = [u, ...(expected.aliases?.[u] ?? [])];
          expect(forms.some((f) => text.includes(f)), `${q} → ${u}\n${a.text}`).toBe(true);
        }
        for (const p of e.phrases ?? []) expect(text, `${q} → 「${p}」\n${a.text}`).toContain(flat(p));
      });
    }
  });
}
