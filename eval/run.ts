import { evalIntake } from './intake.js';
import { evalQa } from './qa.js';

/**
 * `npm run eval`: Q&A accuracy per class, overall and for situations, with every failure and its
 * answer; then the intake corpus: median and worst turns per category, and every refusal of an
 * answer the corpus marks valid.
 */
const qa = evalQa();
for (const l of qa.lines) console.log(l);
if (qa.failures.length > 0) {
  console.log(`\n未通过 ${qa.failures.length} 条：`);
  for (const f of qa.failures) console.log(`✗ ${f.id} ${f.q}\n    ${f.why}\n    回答：${f.answer.replace(/\n/g, ' ⏎ ')}`);
}
console.log('');
const intake = await evalIntake();
for (const l of intake.lines) console.log(l);
