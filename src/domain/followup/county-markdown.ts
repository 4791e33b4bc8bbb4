import { localDateKey, periodWords } from '../calendar/shanghai.js';
import { percent, type Count, type QuarterStats } from './quarterly-stats.js';

export interface TownQuarter {
  town: string;
  stats: QuarterStats;
}

/**
 * The county admin's aggregate (the one thing that crosses towns): each town's quarterly
 * figures side by side, with county totals. Counts only — no names, no case codes.
 */
export function countyMarkdown(county: string, quarter: string, towns: readonly TownQuarter[]): string {
  const sum = (f: (s: QuarterStats) => number) => towns.reduce((n, t) => n + f(t.stats), 0);
  const due = sum((s) => s.quarterCoverage.due);
  const covered = sum((s) => s.quarterCoverage.covered);
  const row = (name: string, open: number, added: number, closed: number, contacts: number, cov: string, overdue: number) =>
    `| ${name} | ${open} | ${added} | ${closed} | ${contacts} | ${cov} | ${overdue} |`;
  const q = periodWords(quarter);
  const asOf = towns.reduce<Date | undefined>((d, t) => (d && d > t.stats.asOf ? d : t.stats.asOf), undefined);
  return [
    `## ${county}重点青少年工作 ${q}各镇进展汇总`,
    asOf ? `统计截至 ${localDateKey(asOf)}，共 ${towns.length} 个镇。` : `共 ${towns.length} 个镇。`,
    '',
    '| 镇 | 在册个案 | 本季度新增 | 本季度结案 | 走访次数 | 帮扶覆盖率 | 当前逾期 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...towns.map(({ town, stats: s }) =>
      row(town, s.open, s.newCases, s.closed, s.contacts, percent(s.quarterCoverage.rate), s.overdue),
    ),
    row(
      '**全县**',
      sum((s) => s.open),
      sum((s) => s.newCases),
      sum((s) => s.closed),
      sum((s) => s.contacts),
      percent(due ? covered / due : null),
      sum((s) => s.overdue),
    ),
    '',
    '### 全县在册个案按类别（一人多类分别计入）',
    '| 类别 | 人数 |',
    '| --- | ---: |',
    ...mergeCounts(towns.map((t) => t.stats.byCategory)).map((c) => `| ${c.label} | ${c.count} |`),
    '',
    '### 全县在册个案按风险等级',
    '| 风险等级 | 人数 |',
    '| --- | ---: |',
    ...mergeCounts(towns.map((t) => t.stats.byRisk)).map((c) => `| ${c.label} | ${c.count} |`),
  ].join('\n');
}

/** Sums counts by label, keeping the first town's order (the plan's category order) then new labels. */
function mergeCounts(lists: ReadonlyArray<readonly Count[]>): Count[] {
  const out = new Map<string, number>();
  for (const list of lists) for (const c of list) out.set(c.label, (out.get(c.label) ?? 0) + c.count);
  return [...out].map(([label, count]) => ({ label, count }));
}
