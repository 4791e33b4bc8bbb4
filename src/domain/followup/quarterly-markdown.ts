import { localDateKey, periodWords } from '../calendar/shanghai.js';
import { groupCount } from './small-count.js';
import { percent, type Count, type QuarterStats } from './quarterly-stats.js';

/**
 * The quarter's statistics as markdown. `forGroup` shows every count under 3 as «<3» and leaves
 * out the coverage fractions (a «1/2» would give the small counts away); rates stay. A group
 * also gets no breakdown by category, village, risk or close reason: in a town a count per
 * village or per category (a lead unit stands for one) narrows down which children are meant.
 * Groups see town-wide totals; the breakdowns go to the admins privately.
 */
export function quarterlyMarkdown(s: QuarterStats, town: string, forGroup = false): string {
  const n = forGroup ? groupCount : (x: number) => String(x);
  const table = (head: string, rows: Count[]) =>
    [`| ${head} | 人数 |`, '| --- | ---: |', ...rows.map((r) => `| ${r.label} | ${n(r.count)} |`)].join('\n');
  // A plan that dispatches progress monthly gets the same report for one month.
  const month = /^\d{4}-\d{2}$/.test(s.quarter);
  const q = periodWords(s.quarter);
  const term = month ? '本月' : '本季度';
  const cov = s.coverage.map((m) => `| ${periodWords(m.month)}${m.complete ? '' : '（截至今日）'} | ${forGroup ? '' : `${m.covered}/${m.due} | `}${percent(m.rate)} |`);
  const covHead = forGroup ? ['| 月份 | 覆盖率 |', '| --- | ---: |'] : ['| 月份 | 已联系/应联系 | 覆盖率 |', '| --- | ---: | ---: |'];
  const qc = s.quarterCoverage;
  return [
    `## ${town}重点青少年工作 ${q}进展`,
    `统计截至 ${localDateKey(s.asOf)}。`,
    '',
    `- 在册个案：${n(s.open)} 件`,
    `- ${term}新增：${n(s.newCases)} 件；结案：${n(s.closed)} 件`,
    `- ${term}走访联系：${n(s.contacts)} 次`,
    `- 帮扶覆盖率（${term}合计）：${percent(qc.rate)}${forGroup ? '' : `（${qc.covered}/${qc.due}）`}`,
    `- 当前逾期未联系：${n(s.overdue)} 件`,
    ...(forGroup ? ['', '分类别、分村的统计已私信镇团委管理员。'] : breakdowns()),
    '',
    '### 帮扶覆盖率（联系周期在该月结束、周期内有联系记录的 ÷ 应联系的，按各类别自己的联系周期计）',
    ...covHead,
    ...cov,
    '',
    '### 每月风险隐患排查上报',
    ...s.screening.map((m) => `- ${periodWords(m.month)}：已报 ${m.reported.length} 个单位${m.missing.length ? `；未报：${m.missing.join('、')}` : '；全部上报'}`),
  ].join('\n');

  function breakdowns(): string[] {
    return [
    '',
    '### 在册个案按类别（一人多类分别计入）',
    table('类别', s.byCategory),
    '',
    '### 在册个案按村',
    table('村', s.byVillage),
    '',
    '### 在册个案按风险等级',
    table('风险等级', s.byRisk),
    '',
    `### ${term}新增（按类别）`,
    table('类别', s.newByCategory),
    '',
    `### ${term}结案（按原因）`,
    s.closedByReason.length ? table('结案原因', s.closedByReason) : `${term}无结案。`,
    '',
    `### ${term}走访（按方式）`,
    table('方式', s.contactsByMethod),
    ];
  }
}
