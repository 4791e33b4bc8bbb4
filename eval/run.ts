import { evalQa } from './qa.js';

/** `npm run eval`: accuracy per class, overall, situations, and every failure with its answer. */
const qa = evalQa();
for (const l of qa.lines) console.log(l);
if (qa.failures.length > 0) {
  console.log(`\n未通过 ${qa.failures.length} 条：`);
  for (const f of qa.failures) console.log(`✗ ${f.id} ${f.q}\n    ${f.why}\n    回答：${f.answer.replace(/\n/g, ' ⏎ ')}`);
}
